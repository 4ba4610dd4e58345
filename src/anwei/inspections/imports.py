"""Bulk targets from CSV (e.g. the county's schools). Every row is checked and every error is named by its row;
nothing is imported unless all rows are good, or the user explicitly chooses to import only the good rows.

Columns (header row, Chinese or English): 代碼/code, 名稱/name, 類別/kind (optional: 學校 school, 工地 site,
單位 office…). A unit with the same code in the agency is reused; otherwise a new unit is created under the
parent unit chosen for the import."""

import csv
import io
from dataclasses import dataclass, field

from charset_normalizer import from_bytes
from django.db import transaction
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, write_service
from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError
from anwei.directory import services as directory
from anwei.directory.models import Unit

from . import policies, services
from .models import Round
from .rules import MAX_IMPORT_ROWS

HEADERS = {
    "code": {"code", "代碼", "代號", "學校代碼", "編號"},
    "name": {"name", "名稱", "單位名稱", "學校名稱", "校名"},
    "kind": {"kind", "類別", "種類"},
}
KINDS = {
    "": Unit.Kind.SCHOOL,
    "school": Unit.Kind.SCHOOL,
    "學校": Unit.Kind.SCHOOL,
    "site": Unit.Kind.SITE,
    "工地": Unit.Kind.SITE,
    "場所": Unit.Kind.SITE,
    "office": Unit.Kind.OFFICE,
    "單位": Unit.Kind.OFFICE,
    "section": Unit.Kind.SECTION,
    "科": Unit.Kind.SECTION,
    "department": Unit.Kind.DEPARTMENT,
    "處": Unit.Kind.DEPARTMENT,
}


@dataclass
class Row:
    line: int  # the line in the file (the header is line 1)
    code: str
    name: str
    kind: str
    existing: Unit | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Checked:
    rows: list[Row]
    file_errors: list[str] = field(default_factory=list)

    @property
    def bad(self) -> list[Row]:
        return [r for r in self.rows if not r.ok]

    @property
    def good(self) -> list[Row]:
        return [r for r in self.rows if r.ok]

    @property
    def all_good(self) -> bool:
        return not self.file_errors and not self.bad and bool(self.rows)


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) first; Excel in Taiwan often saves Big5 (cp950)."""
    for encoding in ("utf-8-sig", "cp950"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    best = from_bytes(data).best()
    if best is None:
        raise BusinessRuleError(_("The file is not readable text (save it as CSV, UTF-8)."), field="file")
    return str(best)


def check(data: bytes, *, agency_id: int) -> Checked:
    text = decode(data)
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        return Checked([], [_("The file is empty.")])
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        for key, names in HEADERS.items():
            if title.strip().lower() in names:
                columns[key] = index
    missing = [key for key in ("code", "name") if key not in columns]
    if missing:
        return Checked([], [_("The header row must name the columns 代碼 (code) and 名稱 (name).")])
    existing = {u.code: u for u in Unit.objects.filter(agency_id=agency_id).exclude(code="")}
    rows: list[Row] = []
    seen: dict[str, int] = {}
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(rows) >= MAX_IMPORT_ROWS:
            return Checked(rows, [_("At most %(n)d rows can be imported at once.") % {"n": MAX_IMPORT_ROWS}])

        def cell(key: str, values: list[str] = values) -> str:
            index = columns.get(key)
            return values[index].strip() if index is not None and index < len(values) else ""

        row = Row(line=line, code=cell("code"), name=cell("name"), kind=cell("kind"))
        if not row.code:
            row.errors.append(_("The code is missing."))
        elif len(row.code) > 40:
            row.errors.append(_("The code is longer than 40 characters."))
        elif row.code in seen:
            row.errors.append(
                _("The code %(code)s is also on line %(line)d.") % {"code": row.code, "line": seen[row.code]}
            )
        else:
            seen[row.code] = line
        if not row.name:
            row.errors.append(_("The name is missing."))
        elif len(row.name) > 120:
            row.errors.append(_("The name is longer than 120 characters."))
        if row.kind.lower() not in KINDS:
            row.errors.append(_("Unknown kind %(kind)s (use 學校, 工地 or 單位).") % {"kind": row.kind})
        unit = existing.get(row.code)
        if unit is not None and row.name and unit.name != row.name:
            row.errors.append(
                _("The code %(code)s already belongs to %(unit)s.") % {"code": row.code, "unit": unit.name}
            )
        row.existing = unit
        rows.append(row)
    if not rows:
        return Checked([], [_("The file has no rows under the header.")])
    return Checked(rows)


@write_service
@transaction.atomic
def import_targets(*, actor: Actor, round_: Round, parent: Unit, data: bytes, good_rows_only: bool = False) -> Checked:
    """Check the file; import all rows, or with `good_rows_only` just the good ones. Raises BusinessRuleError
    (importing nothing) when any row is bad and the user did not choose to import the good rows."""
    policies.rounds.require(actor, "inspections.manage", round_)
    if not policies.rounds.scope(actor, "inspections.manage").covers(parent):
        raise BusinessRuleError(_("Choose a parent unit within your responsibility."), field="parent")
    if parent.agency_id != round_.plan.agency_id:
        raise BusinessRuleError(_("The unit belongs to another agency."), field="parent")
    checked = check(data, agency_id=parent.agency_id)
    if checked.file_errors:
        raise BusinessRuleError(checked.file_errors[0], field="file")
    if checked.bad and not good_rows_only:
        first = checked.bad[0]
        raise BusinessRuleError(
            _("Nothing was imported: %(n)d row(s) have errors, first on line %(line)d: %(error)s")
            % {"n": len(checked.bad), "line": first.line, "error": first.errors[0]},
            field="file",
        )
    siblings = {u.name: u for u in parent.children.all()}
    units, created = [], []
    for row in checked.good:
        unit = row.existing or siblings.get(row.name)
        if unit is None:
            # Authorised above by the inspections policy (the round's manager, over the parent unit): the target units
            # are created by the import itself, and the entry below says on whose behalf.
            unit = directory.create_unit(
                actor=Actor.system("inspections.import_targets"),
                agency=parent.agency,
                name=row.name,
                parent=parent,
                kind=KINDS[row.kind.lower()],
                code=row.code,
            )
            created.append(unit.pk)
        units.append(unit)
    if created:
        audit.record(
            actor=actor,
            action=audit.Action.CREATE,
            object_type="directory.unit",
            object_repr=_("%(n)d target units imported under %(parent)s") % {"n": len(created), "parent": parent.name},
            changes={"imported_for_round": round_.pk, "parent": parent.pk, "units": created},
        )
    services.add_targets(actor=actor, round_=round_, units=units)
    return checked
