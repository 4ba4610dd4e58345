"""A person a routing rule names for a restricted report is handling the matter: being told records a need-to-know
grant (same transaction, audited), so the duty officer can open the leak report they were told of, while staff of
another unit still get a 404 that tells them nothing."""

from typing import Any

import pytest

from anwei.accounts.models import AccessGrant
from anwei.audit.models import AuditEntry
from anwei.incidents import services
from anwei.incidents.models import Incident
from anwei.notifications.models import Notification

pytestmark = pytest.mark.django_db

TITLE = "人事資料疑似外洩-限閱"


def test_the_duty_officer_told_of_a_leak_may_open_it_others_may_not(roster: Any, client_for: Any) -> None:
    incident = services.file_report(
        actor=roster.users["staff_b"], agency=roster.agency, category="leak", title=TITLE, unit=roster.units["b"]
    )
    assert incident.restricted
    assert Notification.objects.filter(person=roster.people["duty"], source_id=str(incident.pk)).exists()
    grant = AccessGrant.objects.active().for_object(incident).get(user=roster.users["duty"])
    assert "Every report: ethics office within 1 hour" in grant.reason  # the rule that named them
    head = AccessGrant.objects.active().for_object(incident).get(user=roster.users["head"])
    assert "Leak: agency head, in confidence" in head.reason
    audited = AuditEntry.objects.filter(action="grant", object_type="incidents.incident", object_id=str(incident.pk))
    assert {e.changes["need_to_know"] for e in audited} >= {"duty", "head"}
    assert all(TITLE not in e.object_repr for e in audited)

    duty = client_for("duty")
    page = duty.get(f"/incidents/{incident.pk}/")
    assert page.status_code == 200 and TITLE in page.content.decode()
    assert duty.get(f"/api/v1/incidents/{incident.pk}").status_code == 200
    for persona in ("staff_a", "supervisor_a"):
        other = client_for(persona)
        for url in (f"/incidents/{incident.pk}/", f"/api/v1/incidents/{incident.pk}"):
            response = other.get(url)
            assert response.status_code == 404 and TITLE not in response.content.decode()
        board = other.get("/incidents/?status=all").content.decode()
        assert TITLE not in board and incident.reference not in board


def test_an_open_report_records_no_grant(roster: Any) -> None:
    services.file_report(actor=roster.users["staff_a"], agency=roster.agency, category="theft", title="機車失竊")
    assert not AccessGrant.objects.exists()
    assert Incident.objects.get().restricted is False


def test_a_grant_is_not_recorded_twice(roster: Any) -> None:
    incident = services.file_report(
        actor=roster.users["ethics"], agency=roster.agency, category="national-security", title="可疑人士刺探"
    )
    before = AccessGrant.objects.for_object(incident).count()
    assert before >= 2  # the ethics office, the duty officer and the agency head with accounts
    services.add_note(actor=roster.users["ethics"], incident_id=incident.pk, text="持續追蹤")
    services._route(incident, key=f"incident:{incident.pk}:again", reason="again")
    assert AccessGrant.objects.for_object(incident).count() == before
