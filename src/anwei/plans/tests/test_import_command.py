"""`python -m anwei import-plan FILE [--agency CODE] [--dry-run] [--json]`."""

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from anwei.directory.models import Organisation, Unit
from anwei.plans.models import Plan

from .test_import_parser import SEED, english  # noqa: F401 (fixture)


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import-plan", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_dry_run_json_of_the_seed(world: Any) -> None:
    police = Organisation.objects.create(agency=world.agency, name="測試縣警察局", kind=Organisation.Kind.POLICE)
    station = Organisation.objects.create(
        agency=world.agency, name="法務部調查局測試縣調查站", kind=Organisation.Kind.INVESTIGATION
    )
    school = Unit.objects.create(
        agency=world.agency, parent=world.units["root"], name="縣立測試國民中學", kind=Unit.Kind.SCHOOL
    )
    out, _err = run(str(SEED), "--dry-run", "--json", "--agency", "test")
    data = json.loads(out)
    assert data["period"] == {"start": "2014-01-21T22:00:00+08:00", "end": "2014-02-15T00:00:00+08:00", "days": 25}
    assert {u["name"]: (u["kind"], u["unit"]) for u in data["units"]} == {
        "政風處": ("unit", world.units["ethics"].pk),
        "建設處": ("unit", world.units["a"].pk),
        "財政處": ("unit", world.units["b"].pk),
        "教育網路中心": ("unit", None),
        "行政暨研考處": ("unit", None),
        "縣屬國民中、小學": ("schools", None),
        "機關首長": ("head", world.units["root"].pk),
        "值勤人員": ("duty", None),
    }
    assert next(u for u in data["units"] if u["kind"] == "schools")["units"] == [school.pk]
    assert {o["name"]: (o["kind"], o["organisation"]) for o in data["organisations"]} == {
        "警察單位": ("police", police.pk),
        "地區警方": ("police", police.pk),
        "轄區警察機關": ("police", police.pk),
        "調查處站": ("investigation", station.pk),
        "地區調查機關": ("investigation", station.pk),
        "調查機關": ("investigation", station.pk),
        "行政院國家資通安全會報": ("cyber", None),
        "法務部廉政署": ("superior", None),
    }
    assert data["warnings"] == [
        "The document is a plan of 花蓮縣政府; it will be imported for 測試縣政府.",
        "line 29: the unit 教育網路中心 is not in the directory.",
        "line 30: the unit 行政暨研考處 is not in the directory.",
        "line 5: the organisation 法務部廉政署 is not in the directory.",
        "line 33: the organisation 行政院國家資通安全會報 is not in the directory.",
    ]
    assert Plan.objects.count() == 0


@pytest.mark.django_db
def test_dry_run_summary_without_agency(world: Any) -> None:
    out, _err = run(str(SEED), "--dry-run")
    assert "2014-01-21T22:00:00+08:00" in out and "25 days" in out
    assert "執行: 3 items" in out
    assert "contact 政風處 : 03-8222944 (office), 03-8222156 (office), 03-8227171 轉315 (office)" in out
    assert "(not in the directory)" in out
    assert Plan.objects.count() == 0


@pytest.mark.django_db
def test_unknown_agency_code(world: Any) -> None:
    with pytest.raises(CommandError, match="No agency with the code 'nope'"):
        run(str(SEED), "--dry-run", "--agency", "nope")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00", "not a text document"),
        ("只有一行字。".encode(), "No numbered sections"),
    ],
)
def test_unreadable_or_empty_file(world: Any, tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "plan.txt"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run(str(path), "--agency", "test")
    assert Plan.objects.count() == 0


@pytest.mark.django_db
def test_missing_file_and_directory(world: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot be read"):
        run(str(tmp_path / "missing.txt"), "--dry-run")
    with pytest.raises(CommandError, match="is a directory"):
        run(str(tmp_path), "--dry-run")


@pytest.mark.django_db
def test_errors_name_the_line(world: Any, tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_text(SEED.read_text(encoding="utf-8").replace("2月14日", "2月30日"), encoding="utf-8")
    with pytest.raises(CommandError, match="line 17: the period cannot be read"):
        run(str(path), "--agency", "test")
    assert Plan.objects.count() == 0
