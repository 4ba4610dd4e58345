"""Filings between a subordinate and its superior, in one process: what the rules send up (summaries, never the
restricted text), the outbox's sequence and back-off, the superior applying each filing once and in order, and who
sees the roll-up."""

import base64
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from anwei.accounts.models import RoleAssignment, User
from anwei.audit import keys, witness
from anwei.audit import services as audit
from anwei.core.todo import for_user
from anwei.directory.models import Agency, Unit
from anwei.incidents import services as incidents
from anwei.upward import outbox, rules, selectors, services, signing
from anwei.upward.models import Link, OutboundFiling, ReceivedFiling, RollupIncident, RollupSitrep

pytestmark = pytest.mark.django_db


@pytest.fixture
def county() -> Agency:
    return Agency.objects.create(code="county", name="某縣政府")


@pytest.fixture
def upstream(county: Agency) -> Any:
    with override_settings(ANWEI_UPSTREAM_URL="http://127.0.0.1:9", ANWEI_UPSTREAM_TOKEN="county.k1.s3cret"):
        yield


def _file(agency: Agency, capture: Any, **fields: Any) -> Any:
    with capture(execute=True):
        return incidents.file_report(actor=None, agency=agency, **fields)


def test_rules_send_major_reports_up_as_summaries(
    county: Agency, upstream: None, django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    _file(county, capture, category="cyber", cyber_level=1, title="釣魚郵件", description="細節")
    assert not OutboundFiling.objects.exists()  # level 1 stays home
    cyber = _file(county, capture, category="cyber", cyber_level=3, title="勒索軟體", description="受駭主機帳密")
    leak = _file(county, capture, category="leak", title="公文外洩標題", description="洩密內容細節")
    filings = list(OutboundFiling.objects.order_by("sequence"))
    assert [(f.sequence, f.kind, f.payload["reference"]) for f in filings] == [
        (1, "incident", cyber.reference),
        (2, "incident", leak.reference),
    ]
    assert filings[0].payload["title"] == "勒索軟體" and filings[0].payload["cyber_level"] == 3
    assert filings[1].payload["title"] == ""  # a restricted report's title stays home
    text = str([f.payload for f in filings])
    assert "受駭主機帳密" not in text and "洩密內容細節" not in text and "公文外洩標題" not in text
    # its changes follow: the level, then the recovery
    with capture(execute=True):
        incidents.change_level(actor=None, incident_id=cyber.pk, cyber_level=4)
    with capture(execute=True):
        incidents.mark_recovered(actor=None, incident_id=cyber.pk)
    changes = [f.payload for f in OutboundFiling.objects.filter(sequence__gt=2).order_by("sequence")]
    assert [(c["cyber_level"], c["status"]) for c in changes] == [(4, "open"), (4, "recovered")]


def test_a_drill_report_never_goes_up(county: Agency, upstream: None, django_capture_on_commit_callbacks: Any) -> None:
    """A level-3 cyber inject of an exercise (演練) is routed at home but is no real figure: nothing is queued."""
    _file(
        county, django_capture_on_commit_callbacks, category="cyber", cyber_level=3, title="演練：勒索軟體", drill=True
    )
    assert not OutboundFiling.objects.exists() and not RollupIncident.objects.exists()


def test_nothing_is_queued_without_an_upstream(county: Agency, django_capture_on_commit_callbacks: Any) -> None:
    _file(county, django_capture_on_commit_callbacks, category="cyber", cyber_level=4, title="中斷")
    assert not OutboundFiling.objects.exists()


def test_zero_report_counts_the_day_up_to_its_cutoff(county: Agency, upstream: None) -> None:
    day = timezone.localdate() - timedelta(days=3)
    filing = outbox.queue_sitrep(county, day)
    assert filing is not None and filing.payload == {"day": day.isoformat(), "incident_count": 0, "zero_report": True}
    assert outbox.queue_sitrep(county, day) is None  # once a day


def test_a_failed_push_waits_with_a_doubling_backoff(county: Agency, upstream: None, monkeypatch: Any) -> None:
    outbox.queue_sitrep(county, timezone.localdate() - timedelta(days=1))
    outbox.queue_sitrep(county, timezone.localdate())
    sent: list[int] = []
    monkeypatch.setattr(outbox, "send", lambda f: (0, {"error": "refused"}))
    with override_settings(ANWEI_UPWARD_RETRY_SECONDS=30):
        assert outbox.push() == 0
        first = OutboundFiling.objects.get(sequence=1)
        assert first.attempts == 1 and first.sent_at is None
        assert timedelta(seconds=29) < first.next_attempt_at - timezone.now() <= timedelta(seconds=30)
        assert outbox.push() == 0  # not yet due: not tried again
        assert OutboundFiling.objects.get(sequence=1).attempts == 1
        assert outbox.push(now=first.next_attempt_at + timedelta(seconds=1)) == 0
        second_try = OutboundFiling.objects.get(sequence=1)
        assert second_try.attempts == 2
        assert timedelta(seconds=59) < second_try.next_attempt_at - timezone.now() <= timedelta(seconds=60)
    monkeypatch.setattr(outbox, "send", lambda f: (sent.append(f.sequence) or 200, {}))
    assert outbox.push(now=timezone.now() + timedelta(hours=1)) == 2
    assert sent == [1, 2]  # in sequence order, the second waited behind the first


@pytest.fixture
def linked() -> tuple[Link, Agency]:
    home = Agency.objects.create(code="moj", name="廉政署")
    link, token = services.create_link(actor=None, agency_code="county", name="某縣政風處", superior=home)
    assert token.split(".")[0] == "county" and signing.split_token(token)[2] == link.secret
    return link, home


def _record(sequence: int, kind: str = "sitrep", agency: str = "county", **payload: Any) -> dict[str, Any]:
    payload = payload or {"day": timezone.localdate().isoformat(), "incident_count": 0}
    return {"agency": agency, "uuid": str(uuid.uuid4()), "sequence": sequence, "kind": kind, "payload": payload}


def test_superior_applies_each_filing_once_and_in_order(linked: tuple[Link, Agency]) -> None:
    link, _home = linked
    first = _record(1)
    assert services.accept(link=link, record=first).status == "accepted"
    assert services.accept(link=link, record=first).status == "duplicate"  # a retry after a lost answer
    with pytest.raises(services.Refused) as gap:
        services.accept(link=link, record=_record(3))
    assert gap.value.status == 409 and gap.value.extra == {"expected": 2}
    with pytest.raises(services.Refused) as reused:
        services.accept(link=link, record=_record(1))
    assert reused.value.status == 409
    summary = {
        "reference": "115-0007",
        "category": "cyber",
        "cyber_level": 3,
        "status": "open",
        "title": "勒索",
        "aware_at": timezone.now().isoformat(),
        "clocks": [{"code": "report", "due_at": None, "met_at": None}],
    }
    services.accept(link=link, record=_record(2, "incident", **summary))
    services.accept(link=link, record=_record(3, "incident", **{**summary, "status": "closed"}))
    assert list(RollupIncident.objects.values_list("reference", "status")) == [("115-0007", "closed")]
    assert ReceivedFiling.objects.count() == 3 and RollupSitrep.objects.get().zero_report is True
    link.refresh_from_db()
    assert link.last_sequence == 3


def test_superior_refuses_another_agency_and_a_revoked_link(linked: tuple[Link, Agency]) -> None:
    link, _home = linked
    with pytest.raises(services.Refused) as other:
        services.accept(link=link, record=_record(1, agency="township"))
    assert other.value.status == 403
    services.revoke_link(actor=None, link=link)
    with pytest.raises(services.Refused) as revoked:
        services.accept(link=link, record=_record(1))
    assert revoked.value.status == 403
    assert not ReceivedFiling.objects.exists()


def test_signature_covers_body_and_time() -> None:
    headers = signing.headers("k", "secret", b'{"a":1}', now=1_000_000)
    ts, sig = headers[signing.TIMESTAMP_HEADER], headers[signing.SIGNATURE_HEADER]
    assert signing.valid("secret", ts, b'{"a":1}', sig, now=1_000_010)
    assert not signing.valid("secret", ts, b'{"a":2}', sig, now=1_000_010)
    assert not signing.valid("other", ts, b'{"a":1}', sig, now=1_000_010)
    assert not signing.valid("secret", ts, b'{"a":1}', sig, now=1_000_000 + 301)  # too old: a replay


def _user(name: str, role: str, agency: Agency) -> User:
    root = Unit.objects.get_or_create(agency=agency, parent=None, name=agency.name, defaults={"kind": "agency"})[0]
    user = User.objects.create(username=name, agency=agency)
    RoleAssignment.objects.create(user=user, role=role, unit=root)
    return user


def test_rollup_scope_reaches_subordinates_only(linked: tuple[Link, Agency]) -> None:
    link, home = linked
    elsewhere = Agency.objects.create(code="elsewhere", name="他署")
    stranger = Agency.objects.create(code="stranger", name="無關機關", superior=elsewhere)
    now = timezone.now()
    for agency in (link.agency, stranger):
        RollupIncident.objects.create(
            agency=agency, reference="115-0001", category="cyber", status="open", aware_at=now
        )
    duty = _user("duty", "duty_officer", home)
    staff = _user("staff", "staff", home)
    assert [i.agency.code for i in selectors.incidents(duty)] == ["county"]
    assert list(selectors.incidents(staff)) == []


def test_missing_sitrep_past_its_deadline_is_a_todo_for_the_superiors_duty_officer(
    linked: tuple[Link, Agency],
) -> None:
    link, home = linked
    duty = _user("duty", "duty_officer", home)
    day = timezone.localdate() - timedelta(days=1)
    before = rules.sitrep_due(day) - timedelta(minutes=1)
    after = rules.sitrep_due(day) + timedelta(minutes=1)
    assert rules.sitrep_due(day) == rules.cutoff_at(day) + timedelta(minutes=60)
    due = [t for t in for_user(duty, after) if t.kind == "report_due"]
    assert len(due) == 1 and "某縣政風處" in due[0].title and due[0].due_at == rules.sitrep_due(day)
    RollupSitrep.objects.create(agency=link.agency, day=day, filed_at=before, zero_report=True)
    assert not [t for t in for_user(duty, after) if t.kind == "report_due"]


def test_subordinates_on_the_same_deployment_roll_up_locally(django_capture_on_commit_callbacks: Any) -> None:
    county = Agency.objects.create(code="county", name="某縣政府")
    township = Agency.objects.create(code="township", name="某鄉公所", superior=county)
    duty = _user("duty", "duty_officer", county)
    _file(township, django_capture_on_commit_callbacks, category="cyber", cyber_level=1, title="釣魚郵件")
    major = _file(
        township, django_capture_on_commit_callbacks, category="cyber", cyber_level=3, title="勒索", description="細節"
    )
    _file(county, django_capture_on_commit_callbacks, category="cyber", cyber_level=4, title="縣府自己的")
    assert [(i.agency.code, i.reference, i.title) for i in selectors.incidents(duty)] == [
        ("township", major.reference, "勒索")
    ]
    day = timezone.localdate() - timedelta(days=5)
    assert outbox.roll_up_sitreps_locally(day) == 1
    assert outbox.roll_up_sitreps_locally(day) == 0
    assert [(r.agency.code, r.filed, r.sitrep and r.sitrep.zero_report) for r in selectors.sitreps(duty, day)] == [
        ("township", True, True)
    ]
    assert not OutboundFiling.objects.exists()


def test_superior_witnesses_signed_audit_checkpoints(county: Agency, upstream: None, linked: Any) -> None:
    link, _home = linked
    audit.checkpoint()
    filing = outbox.queue_checkpoint()
    assert filing is not None and filing.kind == "checkpoint"
    record = {"agency": "county", "uuid": str(filing.uuid), "sequence": 1, "kind": "checkpoint"}
    forged = {**filing.payload, "mac": "0" * 64}
    with pytest.raises(services.Refused) as refused:
        services.accept(link=link, record={**record, "payload": forged})
    assert refused.value.code == "bad_checkpoint"
    assert services.accept(link=link, record={**record, "payload": filing.payload}).status == "accepted"
    kept = link.checkpoints.get()
    assert (kept.seq, kept.mac, kept.behind) == (filing.payload["seq"], filing.payload["mac"], False)
    link.refresh_from_db()
    assert link.audit_public_key == filing.payload["public_key"]  # pinned
    # an earlier number signed by the same key: kept, and marked as behind
    earlier = witness.Witnessed(kept.seq - 1, "ab" * 32, None, "2026-01-01T00:00:00+08:00")

    payload = {
        "seq": earlier.seq,
        "mac": earlier.mac,
        "key": None,
        "at": earlier.at,
        "sig": base64.b64encode(keys.signing_key().sign(earlier.message())).decode(),
    }
    services.accept(link=link, record={**record, "uuid": str(uuid.uuid4()), "sequence": 2, "payload": payload})
    assert list(link.checkpoints.order_by("received_at", "pk").values_list("behind", flat=True)) == [False, True]


def test_board_shows_sitreps_open_reports_with_their_next_deadline_and_figures(
    linked: tuple[Link, Agency], client: Any
) -> None:
    link, home = linked
    duty = _user("duty", "duty_officer", home)
    now = timezone.now()
    RollupIncident.objects.create(
        agency=link.agency,
        reference="115-0009",
        category="cyber",
        cyber_level=3,
        status="open",
        title="勒索軟體",
        aware_at=now - timedelta(hours=2),
        clocks=[{"code": "report", "due_at": (now - timedelta(hours=1)).isoformat(), "met_at": None}],
    )
    RollupIncident.objects.create(
        agency=link.agency,
        reference="115-0003",
        category="cyber",
        status="closed",
        aware_at=now - timedelta(days=3),
        closed_at=now - timedelta(days=1),
    )
    RollupSitrep.objects.create(agency=link.agency, day=rules.sitrep_day(now), filed_at=now, zero_report=True)
    client.force_login(duty)
    page = client.get("/upward/", HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    open_list, figures = page.split("處理中的重大通報</h2>")[1].split("上報通報統計")
    assert "115-0009 · 勒索軟體" in open_list and "115-0003" not in open_list  # closed: not on the open list
    assert "已逾期" in open_list and "零通報" in page
    assert '<td data-label="未結案">1</td><td data-label="合計">2</td>' in figures.replace("\n      ", "")


def test_rollup_api_lists_summaries_and_sitreps(linked: tuple[Link, Agency], client: Any) -> None:
    link, home = linked
    township = Agency.objects.create(code="township", name="某鄉公所", superior=home)
    duty = _user("duty", "duty_officer", home)
    now = timezone.now()
    aware = now.replace(microsecond=0) - timedelta(hours=2)
    RollupIncident.objects.create(
        agency=link.agency,
        reference="115-0009",
        category="cyber",
        cyber_level=3,
        status="open",
        title="勒索軟體",
        unit_name="資訊處",
        aware_at=aware,
    )
    day = timezone.localdate() - timedelta(days=2)
    RollupSitrep.objects.create(agency=link.agency, day=day, filed_at=rules.sitrep_due(day), zero_report=True)
    client.force_login(duty)
    incidents = client.get("/api/v1/rollup/incidents").json()
    assert incidents["count"] == 1
    item = incidents["items"][0]
    assert (item["agency"], item["reference"], item["category"], item["cyber_level"], item["status"]) == (
        "county",
        "115-0009",
        "cyber",
        3,
        "open",
    )
    assert (item["title"], item["unit"]) == ("勒索軟體", "資訊處")
    sitreps = client.get(f"/api/v1/rollup/sitreps?date={day.isoformat()}").json()["items"]
    assert [(s["agency"], s["zero_report"], s["late"], s["filed_at"] is not None) for s in sitreps] == [
        ("county", True, False, True),
        (township.code, None, True, False),
    ]
    before_any_rule = client.get("/api/v1/rollup/sitreps?date=2000-01-01")  # the fuzzer's find: was a 500
    assert before_any_rule.status_code == 422 and before_any_rule.json()["error"]["fields"]["date"]
