"""A plan's versions: what a version stores (the plan's sections and the wording of its tasks) and how two
versions compare side by side."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from anwei.core.rocdate import format_datetime

if TYPE_CHECKING:
    from .models import Plan

FIELD_LABELS = {
    "title": _("title"),
    "period_start": _("period starts"),
    "period_end": _("period ends"),
    "basis": _("basis (依據)"),
    "purpose": _("purpose (目的)"),
    "missions": _("missions (任務)"),
    "coordination": _("coordination (協調配合)"),
}


def snapshot(plan: "Plan") -> dict[str, Any]:
    tasks = []
    depth: dict[int, int] = {}
    by_parent: dict[int | None, list[Any]] = {}
    for task in plan.tasks.order_by("position", "pk"):
        by_parent.setdefault(task.parent_id, []).append(task)

    def walk(parent: int | None, level: int) -> None:
        for task in by_parent.get(parent, []):
            depth[task.pk] = level
            tasks.append({"id": task.pk, "depth": level, "number": task.number, "text": task.text})
            walk(task.pk, level + 1)

    walk(None, 0)
    return {
        "fields": {
            "title": plan.title,
            "period_start": plan.period_start.astimezone(UTC).isoformat(),
            "period_end": plan.period_end.astimezone(UTC).isoformat(),
            "basis": "\n".join(plan.basis),
            "purpose": plan.purpose,
            "missions": "\n".join(plan.missions),
            "coordination": plan.coordination,
        },
        "tasks": tasks,
    }


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    left: str
    right: str
    depth: int = 0

    @property
    def changed(self) -> bool:
        return self.left != self.right


def _shown(key: str, value: Any) -> str:
    """Period times as 民國 dates (24時 for a period's end at midnight); everything else as stored."""
    if key in ("period_start", "period_end") and value:
        return format_datetime(datetime.fromisoformat(str(value)), weekday=True, end=key == "period_end")
    return str(value)


def compare(left: dict[str, Any], right: dict[str, Any]) -> list[Row]:
    """Rows for a side-by-side view: each field, then each task (matched by identity, in the newer order)."""
    rows = [
        Row(key, str(label), _shown(key, left["fields"].get(key, "")), _shown(key, right["fields"].get(key, "")))
        for key, label in FIELD_LABELS.items()
    ]
    old = {t["id"]: t for t in left.get("tasks", [])}
    seen = set()
    for task in right.get("tasks", []):
        before = old.get(task["id"])
        seen.add(task["id"])
        rows.append(
            Row(
                f"task-{task['id']}",
                task["number"],
                f"{before['number']} {before['text']}" if before else "",
                f"{task['number']} {task['text']}",
                task["depth"],
            )
        )
    for task in left.get("tasks", []):
        if task["id"] not in seen:
            rows.append(
                Row(f"task-{task['id']}", task["number"], f"{task['number']} {task['text']}", "", task["depth"])
            )
    return rows
