"""Mainland-travel filings and the plan period's results report going up, and what the superior makes of them:
queued as the rules say (summaries, no personal text), applied once and in order, refused from another agency or a
revoked link; the combined results report (PDF, ODT, ODS) and the link-management page."""

import base64
import hashlib
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from anwei.accounts.models import RoleAssignment, User
from anwei.audit.models import AuditEntry
from anwei.awareness.models import Delegation, ReturnReport, TravelDeclaration
from anwei.core.errors import BusinessRuleError
from anwei.directory.models import Agency, Person, Unit
from anwei.incidents.models import Incident
from anwei.plans.models import Plan
from anwei.upward import combined, results, services
from anwei.upward.models import (
    Link,
    OutboundFiling,
    ReceivedFiling,
    RollupIncident,
    RollupResults,
    RollupSitrep,
    RollupTravel,
)

pytestmark = pytest.mark.django_db

PLACES, PURPOSE, DETAILS, VISITORS = "上海市浦東新區", "探親兼旅遊", "對方詢問本府採購案細節", "王某（某省台辦）"


@pytest.fixture
def county() -> Agency:
    return Agency.objects.create(code="county", name="某縣政府")


@pytest.fixture
def upstream(county: Agency) -> Any:
    with override_settings(ANWEI_UPSTREAM_URL="http://127.0.0.1:9", ANWEI_UPSTREAM_TOKEN="county.k1.s3cret"):
        yield


def _declaration(agency: Agency, category: str, **fields: Any) -> TravelDeclaration:
    unit = Unit.objects.get_or_create(agency=agency, name="資訊處", defaults={"kind": "department"})[0]
    person = Person.objects.create(agency=agency, unit=unit, name="陳小明")
    day = date(2026, 1, 5)
    values = {
        "agency": agency,
        "traveller": person,
        "unit": unit,
        "destination": "mainland",
        "category": category,
        "places": PLACES,
        "purpose": PURPOSE,
        "applied_on": day,
        "departs_on": day + timedelta(days=10),
        "returns_on": day + timedelta(days=15),
        "authority": "agency",
        "rule_code": "mainland-junior-5wd",
        "rule_source": "test",
        "required_days": 5,
        "days_ahead": 8,
        "latest_filing_on": day + timedelta(days=3),
        "return_due_on": day + timedelta(days=24),
        **fields,
    }
    return TravelDeclaration.objects.create(**values)


def test_travel_filings_go_up_as_the_rules_say_without_personal_text(
    county: Agency, upstream: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        junior = _declaration(county, "junior")
    assert not OutboundFiling.objects.exists()  # a junior's declaration stays home
    with django_capture_on_commit_callbacks(execute=True):
        sensitive = _declaration(county, "sensitive")
        report = ReturnReport.objects.create(
            declaration=junior, filed_on=date(2026, 1, 21), probed=True, details=DETAILS, upward_due_on=date(2026, 2, 1)
        )
    # the sensitive declaration went up; the return report waits until the ethics office files it upward
    assert [(f.sequence, f.kind, f.payload["event"]) for f in OutboundFiling.objects.all()] == [
        (1, "travel", "declaration")
    ]
    with django_capture_on_commit_callbacks(execute=True):
        report.upward_filed_on = date(2026, 1, 22)
        report.save()
        Delegation.objects.create(
            agency=county,
            unit=junior.unit,
            title="某省經貿交流團",
            starts_on=date(2026, 2, 3),
            ends_on=date(2026, 2, 4),
            visitors=VISITORS,
            itinerary="參訪科學園區",
        )
    filings = list(OutboundFiling.objects.order_by("sequence"))
    assert [(f.sequence, f.payload["event"], f.payload["source_id"]) for f in filings] == [
        (1, "declaration", sensitive.pk),
        (2, "return", report.pk),
        (3, "delegation", Delegation.objects.get().pk),
    ]
    returned = filings[1].payload
    assert (returned["probed"], returned["contacted"], returned["starts_on"], returned["traveller"]) == (
        True,
        False,
        "2026-01-15",
        "",
    )
    text = str([f.payload for f in filings])
    for personal in (PLACES, PURPOSE, DETAILS, VISITORS, "陳小明", "參訪科學園區"):
        assert personal not in text


@pytest.fixture
def linked() -> tuple[Link, Agency]:
    home = Agency.objects.create(code="moj", name="廉政署")
    link, _token = services.create_link(actor=None, agency_code="county", name="某縣政風處", superior=home)
    return link, home


def _record(sequence: int, kind: str, payload: dict[str, Any], agency: str = "county") -> dict[str, Any]:
    return {"agency": agency, "uuid": str(uuid.uuid4()), "sequence": sequence, "kind": kind, "payload": payload}


TRAVEL = {
    "event": "return",
    "source_id": 7,
    "destination": "mainland",
    "category": "junior",
    "unit": "資訊處",
    "starts_on": "2026-01-15",
    "ends_on": "2026-01-20",
    "filed_on": "2026-01-21",
    "probed": True,
}


def test_superior_applies_travel_once_in_order_and_refuses_others(linked: tuple[Link, Agency]) -> None:
    link, _home = linked
    first = _record(1, "travel", TRAVEL)
    assert services.accept(link=link, record=first).status == "accepted"
    assert services.accept(link=link, record=first).status == "duplicate"
    with pytest.raises(services.Refused) as gap:
        services.accept(link=link, record=_record(3, "travel", TRAVEL))
    assert (gap.value.status, gap.value.extra) == (409, {"expected": 2})
    with pytest.raises(services.Refused) as bad:
        services.accept(link=link, record=_record(2, "travel", {**TRAVEL, "starts_on": "soon"}))
    assert bad.value.status == 400
    services.accept(link=link, record=_record(2, "travel", {**TRAVEL, "filed_on": "2026-01-22", "late": True}))
    kept = RollupTravel.objects.get()
    assert (kept.agency.code, kept.event, kept.filed_on, kept.late, kept.probed) == (
        "county",
        "return",
        date(2026, 1, 22),
        True,
        True,
    )
    with pytest.raises(services.Refused) as other:
        services.accept(link=link, record=_record(3, "travel", TRAVEL, agency="township"))
    assert other.value.status == 403
    services.revoke_link(actor=None, link=link)
    with pytest.raises(services.Refused) as revoked:
        services.accept(link=link, record=_record(3, "travel", TRAVEL))
    assert revoked.value.status == 403
    assert ReceivedFiling.objects.count() == 2


def _plan(agency: Agency, days_ago: int = 2) -> Plan:
    unit = Unit.objects.get_or_create(agency=agency, parent=None, name=agency.name, defaults={"kind": "agency"})[0]
    end = timezone.now() - timedelta(days=days_ago)
    return Plan.objects.create(
        agency=agency, owning_unit=unit, title="春節安全維護計畫", period_start=end - timedelta(days=9), period_end=end
    )


def _incident(agency: Agency, category: str, aware_at: Any, **fields: Any) -> Incident:
    number = int(fields["reference"].split("-")[1])
    return Incident.objects.create(
        agency=agency, category=category, title="x", aware_at=aware_at, year=115, number=number, **fields
    )


def test_results_report_goes_up_with_figures_and_document(county: Agency, upstream: None) -> None:
    plan = _plan(county)
    during = plan.period_start + timedelta(days=1)
    _incident(county, "cyber", during, reference="115-0001", cyber_level=3)
    _incident(county, "cyber", during, reference="115-0002", cyber_level=1, status="closed", closed_at=during)
    _incident(county, "theft", during, reference="115-0003")
    _incident(county, "theft", during, reference="115-0004", drill=True)  # a drill never counts
    _incident(county, "theft", plan.period_end + timedelta(hours=1), reference="115-0005")  # after the period
    results.file_results(actor=None, plan=plan)
    filing = OutboundFiling.objects.get(kind="results")
    body = filing.payload
    assert body["figures"]["incidents"] == {
        "cyber": {"new": 2, "open": 1, "closed": 1},
        "theft": {"new": 1, "open": 1, "closed": 0},
    }
    content = base64.b64decode(body["document"]["data"])
    assert content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == body["document"]["sha256"]
    assert AuditEntry.objects.filter(object_type="plans.plan", action="export").count() == 1
    # on the superior: kept once, the document with it; a document whose digest does not match is refused
    home = Agency.objects.create(code="moj", name="廉政署")
    county.superior = home
    county.save()
    link, _token = services.create_link(actor=None, agency_code="county", name="某縣政風處", superior=home)
    broken = {**body, "document": {**body["document"], "sha256": "0" * 64}}
    with pytest.raises(services.Refused) as bad:
        services.accept(link=link, record=_record(1, "results", broken))
    assert bad.value.status == 400 and not RollupResults.objects.exists()
    services.accept(link=link, record=_record(1, "results", body))
    kept = RollupResults.objects.get()
    assert bytes(kept.document) == content and kept.figures["incidents"]["theft"]["new"] == 1


def test_results_document_stays_home_when_marked_confidential(county: Agency, upstream: None, monkeypatch: Any) -> None:
    plan = _plan(county)
    monkeypatch.setattr(results.builders, "markings", lambda kind, window: {"confidential"})
    results.file_results(actor=None, plan=plan)
    body = OutboundFiling.objects.get(kind="results").payload
    assert body["withheld"] == "confidential" and "document" not in body and "figures" in body


def test_results_report_waits_for_the_period_to_end(county: Agency, upstream: None) -> None:
    with pytest.raises(BusinessRuleError):
        results.file_results(actor=None, plan=_plan(county, days_ago=-1))
    assert not OutboundFiling.objects.exists()


def _user(name: str, role: str, agency: Agency) -> User:
    root = Unit.objects.get_or_create(agency=agency, parent=None, name=agency.name, defaults={"kind": "agency"})[0]
    user = User.objects.create(username=name, agency=agency)
    RoleAssignment.objects.create(user=user, role=role, unit=root)
    return user


def test_combined_results_report_by_agency_and_category(client: Any) -> None:
    home = Agency.objects.create(code="moj", name="廉政署")
    county = Agency.objects.create(code="county", name="某縣政府", superior=home)
    township = Agency.objects.create(code="township", name="某鄉公所", superior=home)
    plan = _plan(home)
    _incident(home, "leak", plan.period_start + timedelta(hours=3), reference="115-0001")
    RollupResults.objects.create(
        agency=county,
        plan_ref=3,
        plan_title="春節",
        period_start=plan.period_start,
        period_end=plan.period_end,
        figures={"incidents": {"cyber": {"new": 2, "open": 1, "closed": 1}}, "travel": {"returns": 4}},
        document=b"%PDF-1.7 test",
        document_format="pdf",
    )
    duty = _user("duty", "duty_officer", home)
    first, last = combined.periods(combined.filed(duty))[0]
    doc = combined.report(duty, first, last)
    new, _open, travel = doc.tables()
    assert new.header[1:3] == ["洩密或疑似洩密", "資安事件"]  # the categories found, in their usual order
    assert [row[1:] for row in new.rows] == [[1, 0, 1], [0, 2, 2], [1, 2, 3]]
    assert [row[2] for row in travel.rows] == [0, 4, 4]
    assert "某鄉公所" in str(doc.blocks[-1]) and township.code == "township"
    client.force_login(duty)
    query = f"?from={first.isoformat()}&to={last.isoformat()}"
    for fmt, magic in (("pdf", b"%PDF"), ("odt", b"PK"), ("ods", b"PK")):
        response = client.get(f"/upward/results/combined.{fmt}{query}")
        assert response.status_code == 200 and response.content.startswith(magic)
    assert AuditEntry.objects.filter(object_type="upward.combinedresults").count() == 3
    listed = client.get("/api/v1/rollup/results").json()["items"]
    assert [(r["agency"], r["figures"]["incidents"]["cyber"]["new"], r["document_format"]) for r in listed] == [
        ("county", 2, "pdf")
    ]
    document = client.get(f"/upward/results/{RollupResults.objects.get().pk}/document/")
    assert document.status_code == 200 and document.content == b"%PDF-1.7 test"
    assert AuditEntry.objects.filter(object_type="upward.rollupresults", action="export").count() == 1
    client.force_login(_user("staff", "staff", home))
    assert client.get(f"/upward/results/combined.pdf{query}").status_code == 403


def test_link_page_shows_the_token_once_and_revokes(client: Any, world: Any) -> None:
    client.force_login(world.users["duty"])
    assert client.get("/upward/links/").status_code == 403
    client.force_login(world.users["admin"])
    created = client.post("/upward/links/", {"agency_code": "township", "name": "某鄉公所政風室"})
    link = Link.objects.get()
    token = f"township.{link.key}.{link.secret}"
    assert created.status_code == 200 and token in created.content.decode()
    assert link.agency.superior == world.agency
    listed = client.get("/upward/links/").content.decode()
    assert "某鄉公所政風室" in listed and link.secret not in listed
    own = client.post("/upward/links/", {"agency_code": world.agency.code, "name": "自己"})
    assert own.status_code == 400 and Link.objects.count() == 1
    client.post(f"/upward/links/{link.pk}/revoke/")
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert AuditEntry.objects.filter(object_type="upward.link", action="revoke").count() == 1


def test_ethics_office_files_results_into_a_superior_on_the_same_deployment(client: Any, world: Any) -> None:
    plan = _plan(world.agency)
    url = f"/upward/results/file/{plan.pk}/"
    client.force_login(world.users["ethics"])
    assert "本機關尚未連結上級政風機構" in client.get(url).content.decode()  # no superior yet: nothing to file with
    world.agency.superior = Agency.objects.create(code="national", name="法務部廉政署")
    world.agency.save()
    client.force_login(world.users["head"])
    assert client.post(url).status_code == 403 and not RollupResults.objects.exists()
    client.force_login(world.users["ethics"])
    assert client.post(url).status_code == 200
    kept = RollupResults.objects.get()
    assert (kept.agency, kept.plan_title, bytes(kept.document)[:4]) == (world.agency, plan.title, b"%PDF")


def _results_body() -> dict[str, Any]:
    end = timezone.now() - timedelta(days=1)
    content = b"%PDF-1.7 results"
    return {
        "plan": 4,
        "title": "春節安全維護計畫",
        "period_start": (end - timedelta(days=9)).isoformat(),
        "period_end": end.isoformat(),
        "figures": {"incidents": {"cyber": {"new": 1, "open": 1, "closed": 0}}},
        "document": {
            "format": "pdf",
            "sha256": hashlib.sha256(content).hexdigest(),
            "data": base64.b64encode(content).decode(),
        },
    }


FILINGS = {
    "incident": lambda: {
        "reference": "115-0007",
        "category": "cyber",
        "cyber_level": 3,
        "status": "open",
        "aware_at": timezone.now().isoformat(),
    },
    "sitrep": lambda: {"day": timezone.localdate().isoformat(), "incident_count": 0},
    "travel": lambda: TRAVEL,
    "results": _results_body,
}


@pytest.mark.parametrize("kind", list(FILINGS))
def test_each_kind_is_applied_once_in_order_and_refused_from_another_agency_or_a_revoked_link(
    linked: tuple[Link, Agency], kind: str
) -> None:
    link, _home = linked
    first = _record(1, kind, FILINGS[kind]())
    assert services.accept(link=link, record=first).status == "accepted"
    assert services.accept(link=link, record=first).status == "duplicate"
    applied = {"incident": RollupIncident, "sitrep": RollupSitrep, "travel": RollupTravel, "results": RollupResults}
    assert applied[kind].objects.filter(agency=link.agency).count() == 1
    with pytest.raises(services.Refused) as gap:
        services.accept(link=link, record=_record(3, kind, FILINGS[kind]()))
    assert (gap.value.status, gap.value.extra) == (409, {"expected": 2})
    with pytest.raises(services.Refused) as other:
        services.accept(link=link, record=_record(2, kind, FILINGS[kind](), agency="township"))
    assert other.value.status == 403
    services.revoke_link(actor=None, link=link)
    with pytest.raises(services.Refused) as revoked:
        services.accept(link=link, record=_record(2, kind, FILINGS[kind]()))
    assert revoked.value.status == 403
    assert list(ReceivedFiling.objects.values_list("kind", "sequence")) == [(kind, 1)]
    assert AuditEntry.objects.filter(object_type="upward.receivedfiling").count() == 1


def test_an_ended_period_is_a_todo_until_its_results_report_goes_up(world: Any) -> None:
    from anwei.core.todo import for_user

    plan = _plan(world.agency)

    def due(persona: str) -> list[str]:
        return [t.url for t in for_user(world.users[persona], timezone.now()) if "/results/file/" in t.url]

    assert due("ethics") == []  # no superior to file with: nothing to do
    world.agency.superior = Agency.objects.create(code="national", name="法務部廉政署")
    world.agency.save()
    assert due("ethics") == [f"/upward/results/file/{plan.pk}/"] and due("staff_a") == []
    results.file_results(actor=world.users["ethics"], plan=plan)
    assert due("ethics") == []
