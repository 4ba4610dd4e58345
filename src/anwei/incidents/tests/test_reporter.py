"""Finding (issue 15): naming someone as reporter gave them a restricted report. A staff member could file a leak
case naming a colleague of another unit and so hand them need-to-know. Only the filer, or a person the filer may
act for (the ethics office or duty officer taking a call), is the reporter; a restricted report reaches its named
reporter only through an audited grant."""

import json
from typing import Any

import pytest

from anwei.accounts.models import AccessGrant
from anwei.audit.models import AuditEntry
from anwei.core.errors import BusinessRuleError
from anwei.incidents import services
from anwei.incidents.models import Incident

pytestmark = pytest.mark.django_db

TITLE = "採購底價疑似外洩"


def _file(client: Any, **data: Any) -> Any:
    return client.post("/api/v1/incidents", data=json.dumps(data), content_type="application/json")


def test_staff_cannot_name_a_colleague_of_another_unit_as_reporter(roster: Any, client_for: Any) -> None:
    staff_a = client_for("staff_a")
    for unit in (roster.units["a"], None):  # with the filer's own unit, or the reporter's
        response = _file(
            staff_a,
            category="leak",
            title=TITLE,
            reporter_id=roster.people["staff_b"].pk,
            **({"unit_id": unit.pk} if unit else {}),
        )
        assert response.status_code == 422
        assert "reporter_id" in response.json()["error"]["fields"]
    assert not Incident.objects.exists()
    # the same rule behind the page's entrance (the service both call)
    with pytest.raises(BusinessRuleError):
        services.file_report(
            actor=roster.users["staff_a"],
            agency=roster.agency,
            category="leak",
            title=TITLE,
            reporter=roster.people["staff_b"],
        )
    assert not Incident.objects.exists()
    # in their own name it is fine
    own = _file(client_for("staff_a"), category="leak", title=TITLE, reporter_id=roster.people["staff_a"].pk)
    assert own.status_code == 201, own.content


def test_the_ethics_office_files_for_a_caller_who_then_holds_an_audited_grant(roster: Any, client_for: Any) -> None:
    response = _file(client_for("ethics"), category="leak", title=TITLE, reporter_id=roster.people["staff_b"].pk)
    assert response.status_code == 201, response.content
    incident = Incident.objects.get(pk=response.json()["id"])
    grant = AccessGrant.objects.active().for_object(incident).get(user=roster.users["staff_b"])
    assert grant.granted_by == roster.users["ethics"]
    assert AuditEntry.objects.filter(
        action="grant", object_id=str(incident.pk), changes__need_to_know="staff_b"
    ).exists()
    assert client_for("staff_b").get(f"/api/v1/incidents/{incident.pk}").status_code == 200


def test_being_named_reporter_of_a_restricted_report_gives_nothing_without_a_grant(
    roster: Any, client_for: Any
) -> None:
    incident = services.file_report(
        actor=roster.users["ethics"], agency=roster.agency, category="leak", title=TITLE, unit=roster.units["a"]
    )
    Incident.objects.filter(pk=incident.pk).update(reporter=roster.people["staff_b"])  # named, never granted
    staff_b = client_for("staff_b")
    for url in (f"/api/v1/incidents/{incident.pk}", f"/incidents/{incident.pk}/"):
        answer = staff_b.get(url)
        assert answer.status_code == 404 and TITLE not in answer.content.decode()
    # an open report still reaches the person it names
    theft = services.file_report(
        actor=roster.users["ethics"], agency=roster.agency, category="theft", title="機車失竊", unit=roster.units["a"]
    )
    Incident.objects.filter(pk=theft.pk).update(reporter=roster.people["staff_b"])
    assert staff_b.get(f"/api/v1/incidents/{theft.pk}").status_code == 200


def test_the_form_offers_filing_on_behalf_only_to_those_who_may(roster: Any, client_for: Any) -> None:
    staff = client_for("staff_a")
    assert 'name="reporter"' not in staff.get("/incidents/new/").content.decode()
    # a reporter slipped into the staff member's form is not taken: the report is in their own name
    response = staff.post(
        "/incidents/new/", {"category": "leak", "title": TITLE, "reporter": roster.people["staff_b"].pk}
    )
    assert response.status_code == 302
    assert Incident.objects.get().reporter == roster.people["staff_a"]
    assert not AccessGrant.objects.filter(user=roster.users["staff_b"]).exists()

    ethics = client_for("ethics")
    assert 'name="reporter"' in ethics.get("/incidents/new/").content.decode()
    response = ethics.post(
        "/incidents/new/", {"category": "leak", "title": "來電檢舉洩密", "reporter": roster.people["staff_b"].pk}
    )
    assert response.status_code == 302
    filed = Incident.objects.get(title="來電檢舉洩密")
    assert filed.reporter == roster.people["staff_b"] and filed.filed_by == roster.users["ethics"]
    assert AccessGrant.objects.active().for_object(filed).filter(user=roster.users["staff_b"]).exists()
