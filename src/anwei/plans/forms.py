from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anwei.core.rocdate import format_date
from anwei.directory.models import DutyKind, Organisation, Person, Unit

from .models import Plan, Task

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def reason_field() -> forms.CharField:
    """The reason an approved plan is changed (如有未盡事宜得隨時修正): each change becomes a version."""
    return forms.CharField(
        label=_("Reason for the amendment"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_("The plan is approved: this change makes a new version of it."),
    )


class TaskUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Task.Status.choices)
    note = forms.CharField(
        label=_("Progress (辦理情形)"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == Task.Status.NOT_APPLICABLE and not data.get("note", "").strip():
            self.add_error("note", _("Say why the task does not apply."))
        return data


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Evidence file"))

    def __init__(self, *args: Any, progress_form: str = "", **kwargs: Any) -> None:
        """With `progress_form`, the file field belongs to that form (the HTML `form` attribute): an upload then
        carries the progress typed so far, and it is not lost."""
        super().__init__(*args, **kwargs)
        if progress_form:
            self.use_required_attribute = False
            self.fields["file"].widget.attrs["form"] = progress_form


def _tree(plan: Plan) -> list[tuple[Task, int, list[Task]]]:
    """The plan's tasks depth-first in the plan's order: (task, depth, its parents from the top)."""
    by_parent: dict[int | None, list[Task]] = {}
    for task in plan.tasks.order_by("position", "pk"):
        by_parent.setdefault(task.parent_id, []).append(task)
    out: list[tuple[Task, int, list[Task]]] = []

    def walk(parent: int | None, parents: list[Task]) -> None:
        for task in by_parent.get(parent, []):
            out.append((task, len(parents), parents))
            walk(task.pk, [*parents, task])

    walk(None, [])
    return out


class AmendForm(forms.Form):
    """An amendment: the reason, the plan's sections, and the wording of each task."""

    reason = forms.CharField(
        label=_("Reason for the amendment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    title = forms.CharField(label=pgettext_lazy("plan", "Title"), max_length=200)
    period_start = forms.DateTimeField(label=_("Period starts"), widget=DATETIME)
    period_end = forms.DateTimeField(label=_("Period ends"), widget=DATETIME)
    basis = forms.CharField(
        label=_("Basis (依據), one per line"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    purpose = forms.CharField(label=_("Purpose (目的)"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    missions = forms.CharField(
        label=_("Missions (任務), one per line"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    coordination = forms.CharField(
        label=_("Coordination (協調配合)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        initial = {
            "title": plan.title,
            "period_start": plan.period_start,
            "period_end": plan.period_end,
            "basis": "\n".join(plan.basis),
            "purpose": plan.purpose,
            "missions": "\n".join(plan.missions),
            "coordination": plan.coordination,
        }
        kwargs["initial"] = {**initial, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.tasks: list[Task] = []
        self.task_rows: list[dict[str, Any]] = []
        numbered: dict[int, str] = {}  # task → its number with its parents' ("（2） › 1、"), to tell same numbers apart
        for task, depth, parents in _tree(plan):
            self.tasks.append(task)
            name = f"task_{task.pk}"
            under = " › ".join(f"{p.number} {p.text[:20]}".strip() for p in parents)
            numbered[task.pk] = " › ".join([*(p.number or "—" for p in parents), task.number or "—"])
            self.fields[name] = forms.CharField(
                label=numbered[task.pk],
                initial=task.text,
                widget=forms.Textarea(attrs={"rows": 2, **({"aria-describedby": f"{name}-under"} if under else {})}),
            )
            self.task_rows.append({"name": name, "depth": min(depth, 4), "under": under})
        self.fields["new_task_parent"] = forms.TypedChoiceField(
            label=_("New task: under"),
            choices=[("", _("(top level)")), *((t.pk, f"{numbered[t.pk]} {t.text[:30]}") for t in self.tasks)],
            coerce=int,
            empty_value=None,
            required=False,
        )
        self.fields["new_task_number"] = forms.CharField(label=_("New task: number"), max_length=20, required=False)
        self.fields["new_task_text"] = forms.CharField(
            label=_("New task: wording"), widget=forms.Textarea(attrs={"rows": 2}), required=False
        )
        self.fields["new_task_units"] = forms.ModelMultipleChoiceField(
            label=_("New task: responsible units"),
            queryset=Unit.objects.filter(agency=plan.agency_id, active=True).order_by("path"),
            required=False,
        )
        self.fields["remove_tasks"] = forms.TypedMultipleChoiceField(
            label=_("Remove these tasks (with the items under them)"),
            choices=[(t.pk, f"{numbered[t.pk]} {t.text[:40]}") for t in self.tasks],
            coerce=int,
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )

    SECTIONS = ("reason", "title", "period_start", "period_end", "basis", "purpose", "missions", "coordination")

    def section_fields(self) -> list[Any]:
        return [self[name] for name in self.SECTIONS]

    def task_fields(self) -> list[dict[str, Any]]:
        """The tasks in the plan's tree order (each after its parent), with their depth and what they are under."""
        return [{**row, "field": self[row["name"]]} for row in self.task_rows]

    def other_fields(self) -> list[Any]:
        taken = {*self.SECTIONS, *(row["name"] for row in self.task_rows)}
        return [self[name] for name in self.fields if name not in taken]

    def plan_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "period_start": data["period_start"],
            "period_end": data["period_end"],
            "basis": [line.strip() for line in data["basis"].splitlines() if line.strip()],
            "purpose": data["purpose"].strip(),
            "missions": [line.strip() for line in data["missions"].splitlines() if line.strip()],
            "coordination": data["coordination"].strip(),
        }

    def removed(self) -> list[int]:
        return list(self.cleaned_data.get("remove_tasks") or [])

    def task_texts(self) -> dict[int, str]:
        return {task.pk: self.cleaned_data[f"task_{task.pk}"] for task in self.tasks}

    def new_tasks(self) -> list[dict[str, Any]]:
        text = (self.cleaned_data.get("new_task_text") or "").strip()
        if not text:
            return []
        parents = {task.pk: task for task in self.tasks}
        return [
            {
                "parent": parents.get(self.cleaned_data.get("new_task_parent") or 0),
                "number": self.cleaned_data.get("new_task_number") or "",
                "text": text,
                "responsible_units": list(self.cleaned_data.get("new_task_units") or []),
            }
        ]


class RosterForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("Duty kind"), queryset=DutyKind.objects.none())
    people = forms.ModelMultipleChoiceField(
        label=_("People taking turns"), queryset=Person.objects.none(), required=False
    )
    change_hours = forms.CharField(
        label=_("Shift changes at (hours)"),
        initial="8,20",
        max_length=40,
        help_text=_("Hours of the day, e.g. 8,20 for a day and a night shift."),
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the ignore below: a ModelChoiceField/ChoiceField, which form.fields types as a plain Field
        self.fields["kind"].queryset = DutyKind.objects.filter(agency=plan.agency)  # type: ignore[attr-defined]
        # the ignore below: a ModelChoiceField/ChoiceField, which form.fields types as a plain Field
        self.fields["people"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            agency=plan.agency, active=True, duty_eligible=True
        )

    def clean_change_hours(self) -> list[int]:
        raw = self.cleaned_data["change_hours"].replace("，", ",")
        try:
            hours = sorted({int(part) for part in raw.split(",") if part.strip()})
        except ValueError as exc:
            raise forms.ValidationError(_("Write hours as numbers separated by commas.")) from exc
        if not hours or any(not 0 <= h < 24 for h in hours):
            raise forms.ValidationError(_("Hours go from 0 to 23."))
        return hours


class ShiftForm(forms.Form):
    person = forms.ModelChoiceField(label=_("On duty"), queryset=Person.objects.none(), required=False)
    substitute = forms.ModelChoiceField(label=_("Substitute"), queryset=Person.objects.none(), required=False)
    primary_unavailable = forms.BooleanField(label=_("On-duty person unavailable"), required=False)

    def __init__(self, *args: Any, agency: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = Person.objects.filter(agency=agency, active=True)
        # the ignore below: a ModelChoiceField/ChoiceField, which form.fields types as a plain Field
        self.fields["person"].queryset = people  # type: ignore[attr-defined]
        # the ignore below: a ModelChoiceField/ChoiceField, which form.fields types as a plain Field
        self.fields["substitute"].queryset = people  # type: ignore[attr-defined]


class HandoverForm(forms.Form):
    handover_note = forms.CharField(
        label=_("Handover note"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )


class ContactForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=120, required=False)
    title = forms.CharField(label=pgettext_lazy("person", "Title"), max_length=120, required=False)
    person = forms.ModelChoiceField(label=_("Person in the directory"), queryset=Person.objects.none(), required=False)
    organisation = forms.ModelChoiceField(
        label=_("Outside organisation"), queryset=Organisation.objects.none(), required=False
    )
    mobile = forms.CharField(
        label=_("Mobile"), max_length=30, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    office = forms.CharField(
        label=_("Office phone"), max_length=30, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    ext = forms.CharField(label=_("Extension"), max_length=10, required=False)
    fax = forms.CharField(
        label=_("Fax"), max_length=30, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )

    def __init__(self, *args: Any, plan: Plan, contact: Any = None, **kwargs: Any) -> None:
        if contact is not None:
            kwargs.setdefault("initial", self.initial_from(contact))
        super().__init__(*args, **kwargs)
        self.plan = plan
        # the ignore below: a ModelChoiceField/ChoiceField, which form.fields types as a plain Field
        self.fields["person"].queryset = Person.objects.filter(agency=plan.agency, active=True)  # type: ignore[attr-defined]
        # the ignore below: a ModelChoiceField/ChoiceField, which form.fields types as a plain Field
        self.fields["organisation"].queryset = Organisation.objects.filter(agency=plan.agency)  # type: ignore[attr-defined]
        self.fields["note"] = forms.CharField(label=_("Note"), max_length=200, required=False)
        if plan.is_live:
            self.fields["reason"] = reason_field()

    @staticmethod
    def initial_from(contact: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": contact.name,
            "title": contact.title,
            "person": contact.person_id,
            "organisation": contact.organisation_id,
            "note": contact.note,
        }
        for phone in contact.phones:
            kind = phone.get("kind") if phone.get("kind") in ("mobile", "fax") else "office"
            initial.setdefault(kind, phone.get("number", ""))
            if kind == "office" and phone.get("ext"):
                initial.setdefault("ext", phone["ext"])
        return initial

    def details(self) -> dict[str, Any]:
        """The service's keyword arguments for this contact."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "title": data["title"] or (data["person"].title if data["person"] else ""),
            "person": data["person"],
            "organisation": data["organisation"],
            "phones": self.phones(),
            "note": data.get("note", ""),
            "reason": data.get("reason", ""),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("name") or data.get("person") or data.get("organisation")):
            self.add_error("name", _("Give a name, or choose a person or an organisation."))
        return data

    def phones(self) -> list[dict[str, str]]:
        data = self.cleaned_data
        out = []
        if data["mobile"]:
            out.append({"kind": "mobile", "number": data["mobile"], "ext": ""})
        if data["office"]:
            out.append({"kind": "office", "number": data["office"], "ext": data["ext"]})
        if data["fax"]:
            out.append({"kind": "fax", "number": data["fax"], "ext": ""})
        return out


class TaskPlanningForm(forms.Form):
    """What the ethics office sets on a task: who is responsible, who cooperates, when it is due."""

    responsible_units = forms.ModelMultipleChoiceField(label=_("Responsible units"), queryset=Unit.objects.none())
    cooperating_units = forms.ModelMultipleChoiceField(
        label=_("Cooperating units (協請)"), queryset=Unit.objects.none(), required=False
    )
    due_at = forms.DateTimeField(label=_("Due"), widget=DATETIME, required=False)
    recurrence = forms.ChoiceField(label=_("Recurrence"), choices=Task.Recurrence.choices, required=False)

    def __init__(self, *args: Any, task: Task, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",  # (the reason, when the plan is approved, is added below)
            {
                "responsible_units": list(task.responsible_units.all()),
                "cooperating_units": list(task.cooperating_units.all()),
                "due_at": task.due_at,
                "recurrence": task.recurrence,
            },
        )
        kwargs["prefix"] = "planning"
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(agency=task.plan.agency_id, active=True).order_by("path")
        # the ignore below: a ModelChoiceField/ChoiceField, which form.fields types as a plain Field
        self.fields["responsible_units"].queryset = units  # type: ignore[attr-defined]
        # the ignore below: a ModelChoiceField/ChoiceField, which form.fields types as a plain Field
        self.fields["cooperating_units"].queryset = units  # type: ignore[attr-defined]
        if task.plan.is_live:
            self.fields["reason"] = reason_field()


class RemoveContactForm(forms.Form):
    prefix = "remove"
    reason = reason_field()


class OccurrenceForm(forms.Form):
    """A recurring task's day reported done."""

    day = forms.TypedChoiceField(label=_("Day"), coerce=date.fromisoformat)
    note = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000
    )

    def __init__(self, *args: Any, days: list[Any], **kwargs: Any) -> None:
        kwargs["prefix"] = "occurrence"
        super().__init__(*args, **kwargs)
        # the ignore below: a ModelChoiceField/ChoiceField, which form.fields types as a plain Field
        self.fields["day"].choices = [(d.isoformat(), format_date(d, weekday=True)) for d in days]  # type: ignore[attr-defined]


class NewPlanForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("plan", "Title"), max_length=200)
    owning_unit = forms.ModelChoiceField(label=_("Owning unit"), queryset=Unit.objects.none())
    period_start = forms.DateTimeField(label=_("Period starts"), widget=DATETIME)
    period_end = forms.DateTimeField(label=_("Period ends"), widget=DATETIME)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the ignore below: a ModelChoiceField/ChoiceField, which form.fields types as a plain Field
        self.fields["owning_unit"].queryset = units  # type: ignore[attr-defined]
