"""The database side of an import: which agency the document belongs to, its directory units, and saving.

Used by the `import-plan` command and the upload page; nothing here writes except `save`, which hands the
outline to the plans app's service (one transaction with its audit records)."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor
from anwei.directory.models import Agency, Organisation, Unit

from .plan import PlanDocumentError, PlanOutline, parse_plan
from .readers import Document, read_document
from .units import Directory


@dataclass(frozen=True)
class Reading:
    document: Document
    outline: PlanOutline
    agency: Agency | None
    notes: tuple[str, ...] = ()

    @property
    def warnings(self) -> list[str]:
        return [*self.notes, *self.document.notes, *self.outline.warnings]

    def as_json(self) -> dict[str, object]:
        data = self.outline.to_dict()
        data["warnings"] = self.warnings
        return data


def directory_units(agency: Agency) -> dict[str, int]:
    return dict(Unit.objects.filter(agency=agency, active=True).values_list("name", "id"))


def directory_of(agency: Agency) -> Directory:
    """What the document's mentions are matched to: the agency's units, schools, top unit and organisations."""
    units = Unit.objects.filter(agency=agency, active=True)
    top = units.filter(parent=None).order_by("path").first()
    return Directory(
        units=directory_units(agency),
        schools=tuple(units.filter(kind=Unit.Kind.SCHOOL).order_by("path").values_list("id", flat=True)),
        top_unit=top.pk if top else None,
        organisations=tuple(
            Organisation.objects.filter(agency=agency).order_by("kind", "name").values_list("id", "name", "kind")
        ),
    )


def agency_named(name: str) -> Agency | None:
    return Agency.objects.filter(name=name).first() if name else None


def read_plan(data: bytes, *, agency: Agency | None = None) -> Reading:
    """Read and parse; raises UnreadableDocument or PlanDocumentError. Without `agency`, the agency whose name
    the title starts with is taken (if there is one); units are matched only when the agency is known."""
    document = read_document(data)
    outline = parse_plan(document.lines)
    notes: list[str] = []
    if agency is not None and outline.agency and outline.agency != agency.name:
        notes.append(
            _("The document is a plan of %(named)s; it will be imported for %(agency)s.")
            % {"named": outline.agency, "agency": agency.name}
        )
    agency = agency or agency_named(outline.agency)
    if agency is not None:
        outline = parse_plan(document.lines, directory=directory_of(agency))
    return Reading(document=document, outline=outline, agency=agency, notes=tuple(notes))


def owning_unit_of(reading: Reading) -> Unit | None:
    """The unit that owns the plan: the directory unit the contacts name (政風處), if any."""
    if reading.agency is None:
        return None
    names = [contact.name for contact in reading.outline.contacts if not contact.title]
    names += [unit.name for unit in reading.outline.units]
    for name in names:
        unit = Unit.objects.filter(agency=reading.agency, name=name, active=True).first()
        if unit is not None:
            return unit
    return None


def save(reading: Reading, *, actor: Actor) -> Any:
    """Create the plan (draft) with its tasks from the outline; raises PlanDocumentError without an agency."""
    if reading.agency is None:
        raise PlanDocumentError([_("The agency of this plan is not known: choose one.")])
    return save_outline(
        actor=actor, agency=reading.agency, outline=reading.as_json(), owning_unit=owning_unit_of(reading)
    )


def save_outline(*, actor: Actor, agency: Agency, outline: dict[str, Any], owning_unit: Unit | None) -> Any:
    from anwei.plans import services

    return services.create_plan_from_outline(actor=actor, agency=agency, outline=outline, owning_unit=owning_unit)
