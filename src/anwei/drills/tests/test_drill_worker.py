"""Issue 19 part 1, "done when": a drill of six injects runs accelerated (×60: a scripted minute each second)
against the seed plan's demo data with a real worker process (`python -m anwei worker`) on a file SQLite. Every
inject is filed as a drill report routed by the real rules to the real people, its messages marked 【演練】 first, no
outside body told (the exercise does not say so); none of them appears in the daily or the results report; the drill
report (ODT and PDF) lists each clock's times."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)

SCRIPT = """\
name: 春節資安及通報演練
speed: 60
tells_outside: false
injects:
  - {offset: 0, category: cyber, level: 2, unit: 行政暨研考處資訊科, filer: it.staff@hualien.example,
     text: 演練：公文系統遭勒索軟體加密}
  - {offset: 1, category: fraud-impersonation, unit: 秘書處, filer: pr.staff@hualien.example,
     text: 演練：假冒縣長名義詐騙}
  - {offset: 2, category: theft, unit: 財政處, filer: finance.staff@hualien.example, text: 演練：財政處公務電腦失竊}
  - {offset: 3, category: cyber, level: 3, unit: 行政暨研考處資訊科, filer: it.staff@hualien.example,
     text: 演練：對外網站遭置換}
  - {offset: 4, category: petition, unit: 建設處, text: 演練：民眾陳情工程弊端}
  - {offset: 5, category: accident, unit: 建設處, text: 演練：施工現場人員受傷}
"""

PLAN = """
from anwei.directory.models import Agency
from anwei.plans.selectors import active_plan
print(active_plan(Agency.objects.get()).pk)
"""

PROGRESS = """
import json
from anwei.drills.models import Exercise
e = Exercise.objects.get()
print(json.dumps({"status": e.status, "filed": e.injects.filter(incident__isnull=False).count()}))
"""

# the people told acknowledge (as they would from their inbox), then everything is read back as JSON
STATE = """
import io, json, zipfile
from datetime import timedelta
from odfdo import Document
from anwei.accounts.models import User
from anwei.core import rocdate
from anwei.drills import selectors
from anwei.drills.models import Exercise
from anwei.incidents.models import Incident
from anwei.incidents.selectors import notifications_of
from anwei.notifications import services as notifications
from anwei.core.documents import render
from anwei.reports import builders
from django.utils import timezone
e = Exercise.objects.select_related("plan").get()
def when(at):
    return rocdate.format_datetime(at) if at else ""
injects = []
for inject in selectors.injects(e):
    i = inject.incident
    told = list(notifications_of(i))
    for n in told:
        user = User.objects.filter(person_id=n.person_id).first() if n.person_id else None
        if user is not None and n.require_ack:
            notifications.acknowledge(n, actor=user)
    injects.append({
        "reference": i.reference, "drill": i.drill, "plan": i.plan_id, "title": i.title,
        "subjects": [n.subject for n in notifications_of(i)],
        "bodies": [n.body for n in notifications_of(i)],
        "people": sorted(n.person.name for n in told if n.person_id),
        "contacts": sum(1 for n in told if n.contact_id),
        "acknowledged": [rocdate.format_datetime(n.acknowledged_at) for n in notifications_of(i) if n.acknowledged_at],
        "clocks": [
            [d.name, when(d.due_at), when(d.met_at), d.met_by] for d in i.deadlines.all()
        ],
    })
today = timezone.localdate()
# the day whose report covers now (its window ends at the cut-off time, e.g. 08:00), and today's
daily = "".join(render.html(builders.daily_report(e.plan, day)) for day in (today, today + timedelta(days=1)))
final = render.html(builders.final_report(e.plan))
odt_file = render.odt(selectors.report(e))
odt = Document(io.BytesIO(odt_file)).get_formatted_text()
pictures = [n for n in zipfile.ZipFile(io.BytesIO(odt_file)).namelist() if n.startswith("Pictures/")]
pdf = render.pdf(selectors.report(e))
print(json.dumps({
    "plan": e.plan_id, "status": e.status, "injects": injects, "daily": daily, "final": final, "odt": odt,
    "pdf": pdf[:5].decode(), "charts": len(pictures),
    "real": Incident.objects.real().count(), "all": Incident.objects.count(),
}))
"""


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "anwei", *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_six_injects_accelerated_with_a_real_worker(tmp_path: Path) -> None:
    _six_injects(tmp_path, f"sqlite:///{tmp_path / 'drill.sqlite3'}", migrate=True)


@pytest.mark.postgres
def test_six_injects_accelerated_with_a_real_worker_on_postgresql(tmp_path: Path) -> None:
    """The same against PostgreSQL (the test database, already migrated)."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    url = f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    _six_injects(tmp_path, url, migrate=False)


def _six_injects(tmp_path: Path, database_url: str, *, migrate: bool) -> None:
    env = {
        **os.environ,
        "ANWEI_VAR_DIR": str(tmp_path),
        "DATABASE_URL": database_url,
        "ANWEI_TESTING": "true",
        "ANWEI_WORKER_INTERVAL": "0.1",
        "ANWEI_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    if migrate:
        _manage(env, "migrate", "-v0")
    _manage(env, "demo")
    plan = _manage(env, "shell", "-v", "0", "-c", PLAN).strip()
    script = tmp_path / "drill.yaml"
    script.write_text(SCRIPT, encoding="utf-8")
    out = _manage(env, "drill", "load", str(script), "--plan", plan, "--start")
    assert "6 injects" in out and "started ×60" in out
    worker = subprocess.Popen(
        [sys.executable, "-m", "anwei", "worker", "--no-scheduler"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        progress: dict[str, object] = {}
        while progress.get("status") != "finished":
            assert time.monotonic() < deadline, f"the exercise did not finish: {progress}"
            time.sleep(1)
            progress = json.loads(_manage(env, "shell", "-v", "0", "-c", PROGRESS))
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    state = json.loads(_manage(env, "shell", "-v", "0", "-c", STATE))

    injects = state["injects"]
    assert [i["title"] for i in injects] == [
        "演練：公文系統遭勒索軟體加密",
        "演練：假冒縣長名義詐騙",
        "演練：財政處公務電腦失竊",
        "演練：對外網站遭置換",
        "演練：民眾陳情工程弊端",
        "演練：施工現場人員受傷",
    ]
    for inject in injects:
        assert inject["drill"] is True
        assert inject["plan"] == int(plan)
        # routed by the real rules to real people: the ethics office hears of every report
        assert inject["people"], inject
        assert "沈科長" in inject["people"] or "蔡科員" in inject["people"], inject
        assert all(s.startswith("【演練】") for s in inject["subjects"]), inject["subjects"]
        assert all(b.startswith("【演練】") for b in inject["bodies"])
        assert inject["contacts"] == 0  # outside bodies are not told: the exercise does not say so
        assert inject["clocks"], inject
    # the level-3 cyber drill reached the agency head, as the real rule says
    assert "林縣長" in injects[3]["people"], injects[3]["people"]

    # none of the drill reports counts: the demo's own reports do
    assert state["all"] - state["real"] == 6
    for inject in injects:
        assert inject["reference"] not in state["daily"]
        assert inject["reference"] not in state["final"]
        assert inject["title"] not in state["daily"] and inject["title"] not in state["final"]

    # the drill report lists each clock with its times, and who acknowledged when
    odt = state["odt"]
    assert "【演練】" in odt
    for inject in injects:
        assert inject["reference"] in odt
        for name, due, met, by in inject["clocks"]:
            assert name in odt
            if due:
                assert due in odt
            if met:
                assert met in odt and by in odt
        for at in inject["acknowledged"]:
            assert at in odt
    assert state["pdf"] == "%PDF-"
    assert state["charts"] == 1  # the response times
