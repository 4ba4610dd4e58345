"""`python -m anwei gen-data`: seeded volumes whose audit chain verifies."""

from io import StringIO

import pytest
from django.core.management import call_command

from anwei.audit import selectors
from anwei.audit.models import AuditEntry
from anwei.incidents.models import Incident

pytestmark = pytest.mark.django_db


def _generated() -> list[tuple[str, str, str]]:
    return list(
        Incident.objects.filter(description="（產生的測試資料）")
        .order_by("id")
        .values_list("category", "title", "status")
    )


def test_gen_data_adds_reports_and_a_chain_that_verifies() -> None:
    call_command("gen-data", incidents=120, audit=300, seed=7, stdout=StringIO())
    first = _generated()
    assert len(first) == 120
    assert len({(i.agency_id, i.year, i.number) for i in Incident.objects.all()}) == Incident.objects.count()
    entries = AuditEntry.objects.count()
    verdict = selectors.verify()
    assert verdict.ok, verdict.problem
    assert verdict.count == entries
    call_command("gen-data", incidents=120, audit=300, seed=7, stdout=StringIO())  # appends; numbers go on
    assert selectors.verify().ok and AuditEntry.objects.count() == entries + 300
    assert [(c, t.split(" #")[0]) for c, t, _s in _generated()[120:]] == [(c, t.split(" #")[0]) for c, t, _s in first]
