"""Documents generated from the code stay in step with it."""

from pathlib import Path

from anwei.accounts.management.commands.permissions import table

ROOT = Path(__file__).resolve().parent.parent


def test_permissions_document_matches_the_grants_in_code() -> None:
    written = (ROOT / "docs" / "permissions.md").read_text(encoding="utf-8")
    assert written == table(), "docs/permissions.md is out of date: python -m anwei permissions > docs/permissions.md"
    assert "| `incidents.file` |" in written
