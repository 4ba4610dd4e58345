"""A plan's versions: what a version stores — the plan's sections; each task's number, wording, responsible and
cooperating units, due date and recurrence; the contact list — and how two versions compare side by side.

Versions stored before units, schedules and contacts were part of a version lack those keys: the comparison shows
them as "not recorded" and never counts them as a change."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anwei.core.rocdate import format_datetime

if TYPE_CHECKING:
    from .models import Plan

FIELD_LABELS = {
    "title": gettext_lazy("title"),
    "period_start": gettext_lazy("period starts"),
    "period_end": gettext_lazy("period ends"),
    "basis": gettext_lazy("basis (依據)"),
    "purpose": gettext_lazy("purpose (目的)"),
    "missions": gettext_lazy("missions (任務)"),
    "coordination": gettext_lazy("coordination (協調配合)"),
}
NOT_RECORDED = object()


def _iso(moment: datetime | None) -> str:
    return moment.astimezone(UTC).isoformat() if moment else ""


def snapshot(plan: "Plan") -> dict[str, Any]:
    tasks = []
    by_parent: dict[int | None, list[Any]] = {}
    for task in plan.tasks.prefetch_related("responsible_units", "cooperating_units").order_by("position", "pk"):
        by_parent.setdefault(task.parent_id, []).append(task)

    def walk(parent: int | None, level: int) -> None:
        for task in by_parent.get(parent, []):
            tasks.append(
                {
                    "id": task.pk,
                    "depth": level,
                    "number": task.number,
                    "text": task.text,
                    "responsible": sorted(u.name for u in task.responsible_units.all()),
                    "cooperating": sorted(u.name for u in task.cooperating_units.all()),
                    "due_at": _iso(task.due_at),
                    "recurrence": task.recurrence,
                }
            )
            walk(task.pk, level + 1)

    walk(None, 0)
    contacts = [
        {
            "id": c.pk,
            "name": c.name,
            "title": c.title,
            "person": c.person.name if c.person else "",
            "organisation": c.organisation.name if c.organisation else "",
            "phones": [dict(p) for p in c.phones],
            "note": c.note,
        }
        for c in plan.contacts.select_related("person", "organisation").order_by("position", "pk")
    ]
    return {
        "fields": {
            "title": plan.title,
            "period_start": _iso(plan.period_start),
            "period_end": _iso(plan.period_end),
            "basis": "\n".join(plan.basis),
            "purpose": plan.purpose,
            "missions": "\n".join(plan.missions),
            "coordination": plan.coordination,
        },
        "tasks": tasks,
        "contacts": contacts,
    }


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    left: str
    right: str
    depth: int = 0
    recorded: bool = True  # False when one of the two versions did not store this kind of item

    @property
    def changed(self) -> bool:
        return self.recorded and self.left != self.right

    @property
    def summary(self) -> str:
        """What changed, in a few words: the item, and whether it was added or removed."""
        if not self.left:
            return _("%(item)s (added)") % {"item": self.label}
        if not self.right:
            return _("%(item)s (removed)") % {"item": self.label}
        return self.label


def _shown(key: str, value: Any) -> str:
    """Period times as 民國 dates (24時 for a period's end at midnight); everything else as stored."""
    if key in ("period_start", "period_end") and value:
        return format_datetime(datetime.fromisoformat(str(value)), weekday=True, end=key == "period_end")
    return str(value)


def _units(task: dict[str, Any] | None) -> Any:
    if task is None:
        return ""
    if "responsible" not in task:
        return NOT_RECORDED
    parts = []
    if task["responsible"]:
        parts.append(_("responsible: %(units)s") % {"units": "、".join(task["responsible"])})
    if task["cooperating"]:
        parts.append(_("cooperating (協請): %(units)s") % {"units": "、".join(task["cooperating"])})
    return "；".join(parts)


def _schedule(task: dict[str, Any] | None) -> Any:
    from .models import Task

    if task is None:
        return ""
    if "due_at" not in task:
        return NOT_RECORDED
    parts = []
    if task["due_at"]:
        parts.append(_("due %(when)s") % {"when": format_datetime(datetime.fromisoformat(task["due_at"]))})
    if task["recurrence"]:
        parts.append(str(Task.Recurrence(task["recurrence"]).label))
    return "；".join(parts)


def _contact(contact: dict[str, Any] | None) -> str:
    if contact is None:
        return ""
    kinds = {"mobile": _("Mobile"), "fax": _("Fax")}
    phones = [
        f"{kinds.get(p.get('kind', ''), _('Office'))} {p.get('number', '')}"
        + (f" {_('ext.')}{p['ext']}" if p.get("ext") else "")
        for p in contact.get("phones", [])
    ]
    where = contact.get("organisation") or ""
    return " · ".join(part for part in (f"{contact['name']} {contact['title']}".strip(), where, *phones) if part)


def _pair(key: str, label: str, left: Any, right: Any, depth: int = 0) -> Row | None:
    """A row for one aspect of an item; None when neither side has anything to show."""
    recorded = left is not NOT_RECORDED and right is not NOT_RECORDED
    shown_left = _("(not recorded in this version)") if left is NOT_RECORDED else left
    shown_right = _("(not recorded in this version)") if right is NOT_RECORDED else right
    if not (left is not NOT_RECORDED and left) and not (right is not NOT_RECORDED and right):
        return None
    return Row(key, label, shown_left, shown_right, depth, recorded)


def _in_order(left: list[dict[str, Any]], right: list[dict[str, Any]]) -> list[tuple[Any, Any]]:
    """(old, new) pairs matched by identity, in the newer order, then the removed ones."""
    old = {item["id"]: item for item in left}
    seen = {item["id"] for item in right}
    pairs: list[tuple[Any, Any]] = [(old.get(item["id"]), item) for item in right]
    return pairs + [(item, None) for item in left if item["id"] not in seen]


def compare(left: dict[str, Any], right: dict[str, Any]) -> list[Row]:
    """Rows for a side-by-side view: each field; each task's wording, units and schedule (matched by identity,
    in the newer order); each contact."""
    rows = [
        Row(key, str(label), _shown(key, left["fields"].get(key, "")), _shown(key, right["fields"].get(key, "")))
        for key, label in FIELD_LABELS.items()
    ]
    for before, after in _in_order(left.get("tasks", []), right.get("tasks", [])):
        task = after or before
        number = task["number"] or "—"
        key = f"task-{task['id']}"
        rows.append(
            Row(
                key,
                number,
                f"{before['number']} {before['text']}" if before else "",
                f"{after['number']} {after['text']}" if after else "",
                task["depth"],
            )
        )
        for suffix, label, aspect in (
            ("units", _("%(number)s units") % {"number": number}, _units),
            ("schedule", _("%(number)s due / recurrence") % {"number": number}, _schedule),
        ):
            row = _pair(f"{key}-{suffix}", label, aspect(before), aspect(after), task["depth"])
            if row is not None:
                rows.append(row)
    if "contacts" in left or "contacts" in right:
        recorded = "contacts" in left and "contacts" in right
        for before, after in _in_order(left.get("contacts", []), right.get("contacts", [])):
            contact = after or before
            label = _("Contact %(name)s") % {"name": contact["name"]}
            rows.append(
                Row(
                    f"contact-{contact['id']}",
                    label,
                    _contact(before) if recorded or before else _("(not recorded in this version)"),
                    _contact(after) if recorded or after else _("(not recorded in this version)"),
                    recorded=recorded,
                )
            )
    return rows


def changes(left: dict[str, Any] | None, right: dict[str, Any]) -> list[str]:
    """What a version changed against the one before it, item by item (empty for the first version)."""
    if left is None:
        return []
    return [row.summary for row in compare(left, right) if row.changed]
