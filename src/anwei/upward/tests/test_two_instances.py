"""Done-when of issue 16: two real instances on 127.0.0.1, each with its own SQLite file and its own server
process — a county and its superior. Linked by `link create`; the county's cyber level-3 report reaches the
superior's roll-up without its restricted text; its 零通報 sitrep arrives; a third linked agency that filed nothing
is late and the superior's duty officer has a to-do; with the superior stopped the county's filings queue and arrive
once it is back, none twice; a return report and the period's results report (figures and document) arrive; a wrong
signature or a revoked link is refused."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

SECRET_TEXT = "受駭主機帳密外洩細節"

SEED_SUPERIOR = """
from anwei.accounts.models import RoleAssignment, User
from anwei.accounts.services import create_token
from anwei.directory.models import Agency, Unit
agency = Agency.objects.create(code="moj-aac", name="法務部廉政署")
root = Unit.objects.create(agency=agency, name="廉政署", kind="agency")
duty = User.objects.create(username="duty", agency=agency)
RoleAssignment.objects.create(user=duty, role="duty_officer", unit=root)
print(create_token(actor=None, user=duty, name="test")[1])
"""

SEED_COUNTY = """
from anwei.directory.models import Agency, Unit
agency = Agency.objects.create(code="county", name="某縣政府")
Unit.objects.create(agency=agency, name="資訊處", kind="department")
"""

FILE_REPORT = """
from anwei.directory.models import Agency, Unit
from anwei.incidents.services import file_report
agency = Agency.objects.get(code="county")
incident = file_report(actor=None, agency=agency, category="cyber", cyber_level={level}, title="{title}",
    description="{secret}", unit=Unit.objects.get(name="資訊處"))
print(incident.reference)
"""


# A return report (返臺通報) the county's ethics office files upward, and a plan whose period has just ended.
TRAVEL_AND_PLAN = """
from datetime import timedelta
from django.utils import timezone
from anwei.awareness.models import ReturnReport, TravelDeclaration
from anwei.directory.models import Agency, Person, Unit
from anwei.plans.models import Plan
agency, unit = Agency.objects.get(code="county"), Unit.objects.get(name="資訊處")
person = Person.objects.create(agency=agency, unit=unit, name="陳小明")
today = timezone.localdate()
day = today - timedelta(days=20)
declaration = TravelDeclaration.objects.create(agency=agency, traveller=person, unit=unit, destination="mainland",
    category="junior", places="{places}", applied_on=day, departs_on=day + timedelta(days=10),
    returns_on=day + timedelta(days=15), authority="agency", rule_code="mainland-junior-5wd", rule_source="t",
    required_days=5, days_ahead=8, latest_filing_on=day, return_due_on=day + timedelta(days=24))
ReturnReport.objects.create(declaration=declaration, filed_on=today, probed=True, details="{secret}",
    upward_due_on=today + timedelta(days=9), upward_filed_on=today)
now = timezone.now()
plan = Plan.objects.create(agency=agency, owning_unit=unit, title="春節安全維護計畫",
    period_start=now - timedelta(days=1), period_end=now)
print(plan.pk)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# The sitrep is due 60 minutes after the cut-off (upward.rules): put the cut-off so that the deadline falls
# DUE_IN after the start — the county files before it, the township is missing after it.
DUE_IN = timedelta(seconds=40)


def _cutoff_and_due() -> tuple[datetime, datetime]:
    due = datetime.now(ZoneInfo("Asia/Taipei")) + DUE_IN
    return due - timedelta(minutes=60), due


def _env(folder: Path, cutoff: str, **extra: str) -> dict[str, str]:
    folder.mkdir()
    return {
        **os.environ,
        "ANWEI_VAR_DIR": str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "ANWEI_TESTING": "true",
        "ANWEI_DAILY_CUTOFF": cutoff,
        "ANWEI_UPWARD_RETRY_SECONDS": "1",
        **extra,
    }


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "anwei", *args], env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _shell(env: dict[str, str], code: str) -> str:
    return _manage(env, "shell", "-v", "0", "-c", code).strip()


class Server:
    def __init__(self, env: dict[str, str], port: int) -> None:
        self.env, self.port, self.proc = env, port, None
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "anwei", "serve", "--bind", f"127.0.0.1:{self.port}", "--workers", "1"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):
                    return
            except OSError:
                assert self.proc.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _get(url: str, token: str) -> Any:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _post_raw(url: str, body: bytes, headers: dict[str, str]) -> int:
    headers = {"Content-Type": "application/json", **headers}
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def _until(check: Any, seconds: float = 20) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.3)


def test_county_and_superior(tmp_path: Path) -> None:
    sup_env = _env(tmp_path / "superior", "08:00")
    _manage(sup_env, "migrate", "-v0")
    duty_token = _shell(sup_env, SEED_SUPERIOR).splitlines()[-1]
    county_token = _manage(sup_env, "link", "create", "--agency", "county", "--name", "某縣政府政風處").splitlines()[-1]
    idle_token = _manage(sup_env, "link", "create", "--agency", "township", "--name", "某鄉公所").splitlines()[-1]
    assert county_token.startswith("county.") and idle_token.startswith("township.")
    superior = Server(sup_env, _free_port())
    county_env = _env(tmp_path / "county", "08:00", ANWEI_UPSTREAM_URL=superior.url, ANWEI_UPSTREAM_TOKEN=county_token)
    _manage(county_env, "migrate", "-v0")
    _shell(county_env, SEED_COUNTY)
    cutoff_at, due_at = _cutoff_and_due()
    day = cutoff_at.date().isoformat()
    for env in (sup_env, county_env):
        env["ANWEI_DAILY_CUTOFF"] = cutoff_at.strftime("%H:%M:%S")
    # the county's 零通報 sitrep of the day (nothing since the day before's cut-off), filed before its deadline
    # while the superior is not up yet: it waits in the outbox
    assert "sent 0" in _manage(county_env, "upward", "sitrep")
    superior.start()
    try:
        time.sleep(1.2)  # the back-off after the failed attempt
        assert "sent 1" in _manage(county_env, "upward", "push")
        sitreps = {
            s["agency"]: s for s in _get(f"{superior.url}/api/v1/rollup/sitreps?date={day}", duty_token)["items"]
        }
        assert sitreps["county"]["zero_report"] is True and sitreps["county"]["late"] is False
        assert sitreps["county"]["filed_at"] is not None and sitreps["township"]["filed_at"] is None
        # the county files a cyber level-3 report; the worker pushes it (the task queued on commit)
        reference = _shell(county_env, FILE_REPORT.format(level=3, title="主機遭植入勒索軟體", secret=SECRET_TEXT))
        _manage(county_env, "db_worker", "--batch", "--no-startup-delay")
        items = _until(lambda: _get(f"{superior.url}/api/v1/rollup/incidents", duty_token)["items"])
        assert [(i["agency"], i["reference"], i["category"], i["cyber_level"], i["status"]) for i in items] == [
            ("county", reference, "cyber", 3, "open")
        ]
        assert items[0]["title"] == "主機遭植入勒索軟體"
        assert SECRET_TEXT not in json.dumps(items, ensure_ascii=False)
        # a level-1 report is not the superior's business
        _shell(county_env, FILE_REPORT.format(level=1, title="釣魚郵件", secret="x"))
        _manage(county_env, "upward", "push")

        wait = (due_at - datetime.now(ZoneInfo("Asia/Taipei"))).total_seconds()
        time.sleep(max(wait, 0) + 0.5)
        sitreps = {
            s["agency"]: s for s in _get(f"{superior.url}/api/v1/rollup/sitreps?date={day}", duty_token)["items"]
        }
        assert sitreps["county"]["late"] is False
        # the township filed nothing: late, and a to-do for the superior's duty officer
        assert sitreps["township"]["filed_at"] is None and sitreps["township"]["late"] is True
        todo = _get(f"{superior.url}/api/v1/todo", duty_token)
        due = [t for t in (todo["items"] if isinstance(todo, dict) else todo) if t["kind"] == "report_due"]
        assert len(due) == 1 and "某鄉公所" in due[0]["title"]

        # the superior goes away: the county's filings queue
        superior.stop()
        second = _shell(county_env, FILE_REPORT.format(level=4, title="核心系統中斷", secret=SECRET_TEXT))
        _manage(county_env, "db_worker", "--batch", "--no-startup-delay")
        assert "pending 1" in _manage(county_env, "upward", "status")
        superior.start()
        time.sleep(1.2)  # the back-off after the failed attempt
        assert "sent 1" in _manage(county_env, "upward", "push")
        _manage(county_env, "upward", "push")  # nothing left to send twice
        items = _get(f"{superior.url}/api/v1/rollup/incidents", duty_token)["items"]
        assert sorted(i["reference"] for i in items) == sorted([reference, second])

        # a return report filed upward, then the period's results report (figures and document) go the same way
        plan = _shell(county_env, TRAVEL_AND_PLAN.format(places="上海市浦東新區", secret=SECRET_TEXT))
        assert "sent 1" in _manage(county_env, "upward", "push")
        assert "sent 1" in _manage(county_env, "upward", "results", "--plan", plan)
        travel = _get(f"{superior.url}/api/v1/rollup/travel", duty_token)["items"]
        assert [(t["agency"], t["event"], t["starts_on"], t["probed"], t["traveller"]) for t in travel] == [
            (
                "county",
                "return",
                (datetime.now(ZoneInfo("Asia/Taipei")).date() - timedelta(days=10)).isoformat(),
                True,
                "",
            )
        ]
        assert SECRET_TEXT not in json.dumps(travel, ensure_ascii=False) and "浦東" not in json.dumps(travel)
        figures = _shell(
            sup_env,
            "from anwei.upward.models import RollupResults as R; r = R.objects.get(agency__code='county');"
            " print(r.figures['incidents']['cyber']['new'], r.figures['travel']['returns'], bytes(r.document)[:4])",
        )
        assert figures == "3 1 b'%PDF'"  # levels 3, 1 and 4: every real report of the period counts
        counts = _shell(
            sup_env,
            "from anwei.upward.models import ReceivedFiling; from django.db.models import Count;"
            "print(ReceivedFiling.objects.values('uuid').annotate(n=Count('pk')).filter(n__gt=1).count(),"
            " ReceivedFiling.objects.count())",
        )
        assert counts == "0 5"
        audited = _shell(
            sup_env,
            "from anwei.audit.models import AuditEntry as A;"
            " print(A.objects.filter(object_type='upward.receivedfiling').count())",
        )
        assert audited == "5"

        # a wrong signature, then a revoked link: refused
        from anwei.upward import signing

        _code, key, secret = signing.split_token(county_token)
        body = json.dumps(
            {
                "agency": "county",
                "uuid": "00000000-0000-4000-8000-000000000001",
                "sequence": 6,
                "kind": "sitrep",
                "payload": {"day": day, "incident_count": 0},
            }
        ).encode()
        receive = f"{superior.url}/upward/receive/"
        assert _post_raw(receive, body, signing.headers(key, "not-the-secret", body)) == 401
        wrong_agency = body.replace(b'"county"', b'"township"')
        assert _post_raw(receive, wrong_agency, signing.headers(key, secret, wrong_agency)) == 403
        _manage(sup_env, "link", "revoke", "--agency", "county")
        assert _post_raw(receive, body, signing.headers(key, secret, body)) == 403
        assert (
            _shell(sup_env, "from anwei.upward.models import ReceivedFiling; print(ReceivedFiling.objects.count())")
            == "5"
        )
    finally:
        superior.stop()
