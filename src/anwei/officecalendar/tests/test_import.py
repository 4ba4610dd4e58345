"""The office calendar read from 行政院人事行政總處's open data: a DGPA-format CSV (made here in the published format,
`西元日期,星期,是否放假,備註`, every day of the year) in UTF-8 with a BOM and in Big5 (cp950), with a make-up
working Saturday; the mainland-travel deadline across it changes; a reissued file shows its differences first;
typhoon closures count in the office's county."""

import hashlib
from datetime import date, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, override_settings

from anwei.awareness import rules, services
from anwei.officecalendar import services as calendar_services
from anwei.officecalendar import workdays
from anwei.officecalendar.models import CalendarImport, OfficeDay

pytestmark = pytest.mark.django_db

WEEKDAYS = "一二三四五六日"

# 民國117年 as the DGPA would publish it (days off besides weekends; one make-up working Saturday)
FIRST_ISSUE = {
    date(2028, 1, 1): ("2", "開國紀念日"),
    date(2028, 2, 28): ("2", "和平紀念日"),
    date(2028, 2, 29): ("2", "調整放假"),
    date(2028, 3, 4): ("0", "補行上班日"),
}
# the reissue: the adjusted day off and its make-up Saturday dropped, a note reworded
REISSUE = {
    date(2028, 1, 1): ("2", "中華民國開國紀念日"),
    date(2028, 2, 28): ("2", "和平紀念日"),
}


def dgpa_csv(special: dict[date, tuple[str, str]], encoding: str) -> bytes:
    lines = ["西元日期,星期,是否放假,備註"]
    day = date(2028, 1, 1)
    while day.year == 2028:
        flag, note = special.get(day, ("2" if day.weekday() >= 5 else "0", ""))
        lines.append(f"{day:%Y%m%d},{WEEKDAYS[day.weekday()]},{flag},{note}")
        day += timedelta(days=1)
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def judge_trip() -> dict[str, Any]:
    """A junior officer filing on Wed 1 March 2028 for the mainland, leaving Wed 8 March (5 working days needed)."""
    return services.judge(rules.MAINLAND, rules.JUNIOR, date(2028, 3, 1), date(2028, 3, 8))


def test_utf8_bom_and_cp950_files_with_a_make_up_saturday_move_the_travel_deadline(tmp_path: Path) -> None:
    assert workdays.Calendar(date(2028, 1, 1), date(2028, 12, 31)).missing_years == [2028]
    before = judge_trip()  # plain Monday–Friday: 2, 3, 6, 7 March
    assert before["days_ahead"] == 4 and before["late"] and before["latest"] == date(2028, 2, 29)

    first = tmp_path / "117年中華民國政府行政機關辦公日曆表.csv"
    first.write_bytes(dgpa_csv(FIRST_ISSUE, "utf-8-sig"))
    assert first.read_bytes()[:3] == b"\xef\xbb\xbf"
    out = StringIO()
    call_command("calendar", "import", str(first), "--yes", "--file-date", "2027-06-20", "--by", "admin", stdout=out)
    printed = out.getvalue()
    assert "utf-8-sig" in printed and "2028-03-04" in printed and "補行上班日" in printed
    assert OfficeDay.objects.get(day=date(2028, 3, 4)).is_workday
    assert not OfficeDay.objects.get(day=date(2028, 2, 29)).is_workday
    assert OfficeDay.objects.get(day=date(2028, 1, 1)).name == "開國紀念日"  # a Saturday day off with a name
    assert not OfficeDay.objects.filter(day=date(2028, 1, 8)).exists()  # a plain Saturday is not stored
    record = CalendarImport.objects.get()
    assert record.sha256 == hashlib.sha256(first.read_bytes()).hexdigest()
    assert record.file_date == date(2028 - 1, 6, 20) and record.encoding == "utf-8-sig" and record.years == [2028]
    assert record.imported_by_label == "admin" and len(record.changes) == 4

    after = judge_trip()  # the make-up Saturday counts: 2, 3, 4, 6, 7 March
    assert after["days_ahead"] == 5 and not after["late"] and after["latest"] == date(2028, 3, 1)
    assert workdays.Calendar(date(2028, 1, 1), date(2028, 12, 31)).missing_years == []

    # the reissued file, in Big5 (cp950): the differences are shown first, nothing is saved by a dry run
    reissue = tmp_path / "117年中華民國政府行政機關辦公日曆表(更新).csv"
    reissue.write_bytes(dgpa_csv(REISSUE, "cp950"))
    with pytest.raises(UnicodeDecodeError):
        reissue.read_bytes().decode("utf-8")
    out = StringIO()
    call_command("calendar", "import", str(reissue), "--dry-run", stdout=out)
    printed = out.getvalue()
    assert "cp950" in printed
    assert "changed  2028-01-01  開國紀念日 (day off) -> 中華民國開國紀念日 (day off)" in printed
    assert "removed  2028-02-29  調整放假 (day off) -> -" in printed
    assert "removed  2028-03-04  補行上班日 (working day) -> -" in printed
    assert "2028-02-28" not in printed  # unchanged
    assert OfficeDay.objects.filter(day=date(2028, 3, 4)).exists() and CalendarImport.objects.count() == 1

    call_command("calendar", "import", str(reissue), "--yes", stdout=StringIO())
    assert not OfficeDay.objects.filter(day__in=[date(2028, 2, 29), date(2028, 3, 4)]).exists()
    assert OfficeDay.objects.get(day=date(2028, 1, 1)).name == "中華民國開國紀念日"
    reissued = judge_trip()  # 2, 3, 6, 7 March again; the latest filing day is Tue 29 February, a working day now
    assert reissued["days_ahead"] == 4 and reissued["late"] and reissued["latest"] == date(2028, 2, 29)
    assert CalendarImport.objects.count() == 2


def test_the_seeded_2026_2027_calendar_is_unchanged() -> None:
    days = dict(OfficeDay.objects.filter(day__year__in=[2026, 2027]).values_list("day", "name"))
    assert (
        len(days) == 46
        and days[date(2026, 9, 25)] == "中秋節"
        and days[date(2027, 12, 31)].startswith("開國紀念日補假")
    )
    assert not workdays.is_working_day(date(2026, 2, 20)) and workdays.is_working_day(date(2026, 2, 23))


def test_a_file_that_is_not_a_dgpa_calendar_is_refused(tmp_path: Path) -> None:
    wrong = tmp_path / "x.csv"
    wrong.write_bytes("日期,放假\n20280101,是\n".encode())
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="西元日期,星期,是否放假,備註"):
        call_command("calendar", "import", str(wrong), "--yes", stdout=StringIO())
    assert not CalendarImport.objects.exists()


@override_settings(ANWEI_OFFICE_COUNTY="臺北市")
def test_a_typhoon_closure_in_the_office_county_is_a_day_off() -> None:
    assert workdays.is_working_day(date(2026, 9, 29))
    calendar_services.enter_closure(actor=None, day=date(2026, 9, 29), county="高雄市", reference="高雄市政府公告")
    assert workdays.is_working_day(date(2026, 9, 29))  # another county's closure does not count
    calendar_services.enter_closure(
        actor=None, day=date(2026, 9, 29), county="臺北市", reference="臺北市政府 115年9月28日 20時 停止上班"
    )
    assert not workdays.is_working_day(date(2026, 9, 29))
    assert workdays.working_days_between(date(2026, 9, 21), date(2026, 9, 30)) == 3  # 22, 23, 24


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_upload_page_shows_the_differences_then_saves_on_confirmation(world: Any) -> None:
    admin = _client(world.users["admin"])
    assert _client(world.users["ethics"]).get("/office-calendar/import/").status_code == 403
    data = dgpa_csv(FIRST_ISSUE, "cp950")
    page = admin.post(
        "/office-calendar/import/",
        {"file": SimpleUploadedFile("117.csv", data, content_type="text/csv"), "file_date": "2027-06-20"},
    )
    html = page.content.decode()
    assert page.status_code == 200 and 'id="differences"' in html
    assert "補行上班日" in html and "調整放假" in html and "117年3月4日" in html  # ROC dates on screen
    assert not OfficeDay.objects.filter(day__year=2028).exists()  # nothing saved before the confirmation
    sha = hashlib.sha256(data).hexdigest()
    assert sha in html
    # a confirmation carrying another file than the one shown is refused
    import base64

    tampered = dgpa_csv(REISSUE, "cp950")
    confirm = {"confirm": "1", "sha256": sha, "file_name": "117.csv", "file_date": "2027-06-20"}
    admin.post("/office-calendar/import/", {**confirm, "content": base64.b64encode(tampered).decode()})
    assert not OfficeDay.objects.filter(day__year=2028).exists()
    saved = admin.post("/office-calendar/import/", {**confirm, "content": base64.b64encode(data).decode()})
    assert saved.status_code == 302 and saved["Location"] == "/awareness/calendar/?year=2028"
    assert OfficeDay.objects.get(day=date(2028, 3, 4)).is_workday
    record = CalendarImport.objects.get()
    assert record.sha256 == sha and record.imported_by == world.users["admin"] and record.encoding == "cp950"
    assert record.file_date == date(2027, 6, 20)
