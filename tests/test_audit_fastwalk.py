"""The fast chain walk hashes exactly what `chain.canonical` (the reference) hashes, for awkward values too."""

from typing import Any

import pytest

from anwei.audit import fastwalk, services
from anwei.audit.chain import FIELDS, canonical
from anwei.audit.models import AuditEntry


@pytest.mark.django_db
def test_fast_canonical_matches_the_reference() -> None:
    services.record(actor=None, action="other", object_type="x", object_id=7, object_repr='引號 "與" \\ 換行\n\t\u2028')
    services.record(
        actor=None,
        action="update",
        object_type="incidents.incident",
        changes={"z": [1, 2.5, None], "a": {"中": "文", "b": True}, "when": "2014-01-21"},
    )
    rows: list[Any] = list(fastwalk._fetch(fastwalk._select(), []))
    orm = list(AuditEntry.objects.order_by("seq").values_list("id", "hash", *FIELDS))
    assert len(rows) == len(orm) >= 2
    for raw, ref in zip(rows, orm, strict=True):
        assert fastwalk.canonical_row(raw) == canonical(dict(zip(FIELDS, ref[2:], strict=True)))
    assert fastwalk.walk_table().ok
