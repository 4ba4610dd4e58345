import json
from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anwei.core.forms import SingleLineField
from anwei.directory.models import Unit

from . import rules
from .models import Contact, RoutingRule


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


def level_choices() -> list[tuple[str, Any]]:
    return [("", _("not a cyber-security incident"))] + [
        (str(n), format_html("<strong>{}</strong> {}", _("Level %(n)d") % {"n": n}, lvl.summary))
        for n, lvl in rules.CYBER_LEVELS.items()
    ]


LOCAL_DT = {"type": "datetime-local"}


def _choices(form: forms.Form, name: str, choices: list[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class IncidentForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"))
    title = SingleLineField(label=_("Report title"), max_length=200)
    description = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    cyber_level = forms.ChoiceField(
        label=_("Cyber-security incident level"),
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Levels defined by the cyber-security incident regulation (DOMAIN §2)."),
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    aware_at = forms.DateTimeField(
        label=_("Became aware at (知悉時間)"),
        required=False,
        widget=forms.DateTimeInput(attrs=LOCAL_DT, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for now. The statutory clocks count from this moment."),
    )
    occurred_at = forms.DateTimeField(
        label=_("Occurred at"), required=False, widget=forms.DateTimeInput(attrs=LOCAL_DT, format="%Y-%m-%dT%H:%M")
    )
    location = SingleLineField(label=_("Location"), max_length=200, required=False)
    severity = forms.ChoiceField(
        label=_("Severity"),
        required=False,
        help_text=_("Grading of non-cyber incidents is not settled by law [assumed]."),
    )
    measures_taken = forms.CharField(
        label=_("Measures taken"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    support_needed = forms.CharField(
        label=_("Outside support needed"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args: Any, units: Any = None, reporters: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if reporters is not None:  # only for those who may file on someone's behalf (policies.people_to_act_for)
            self.fields["reporter"] = forms.ModelChoiceField(
                label=_("Filed on behalf of (reporter)"),
                queryset=reporters,
                required=False,
                empty_label=_("myself"),
                help_text=_("A caller or informant you take the report for; a restricted report gives them access."),
            )
        _choices(self, "category", [("", "—"), *[(c.code, c.name) for c in rules.CATEGORIES.values()]])
        _choices(self, "cyber_level", level_choices())
        _choices(self, "severity", [("", _("the category's default")), *rules.SEVERITY_NAMES.items()])
        # the ignore below: a ModelChoiceField/ChoiceField, which form.fields types as a plain Field
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()  # type: ignore[attr-defined]
        self.fields["attachments"].help_text = _("PDF, images, plain text or ODF/Office documents.")

    def clean_cyber_level(self) -> int | None:
        value = self.cleaned_data.get("cyber_level")
        return int(value) if value else None


class LevelForm(forms.Form):
    cyber_level = forms.TypedChoiceField(
        label=_("New level"), coerce=int, choices=[(n, _("Level %(n)d") % {"n": n}) for n in rules.CYBER_LEVELS]
    )
    reason = SingleLineField(label=_("Reason"), max_length=500, required=False)


class NoteForm(forms.Form):
    text = forms.CharField(label=pgettext_lazy("timeline", "Note"), widget=forms.Textarea(attrs={"rows": 2}))


class ContactForm(forms.Form):
    """A body reached by a person (聯繫紀錄): which clock or body, how, when, whom, the reference number given."""

    target = forms.ChoiceField(label=_("Whom you reached"))
    channel = forms.ChoiceField(label=_("How"), choices=Contact.Channel.choices, widget=forms.RadioSelect)
    reached_at = forms.DateTimeField(
        label=_("Reached at"), required=False, widget=forms.DateTimeInput(attrs=LOCAL_DT, format="%Y-%m-%dT%H:%M")
    )
    person_reached = forms.CharField(
        label=_("Person reached"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    reference = forms.CharField(label=_("Their reference number"), max_length=80, required=False)

    def __init__(self, *args: Any, targets: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "target", targets or [])

    def chosen(self) -> dict[str, Any]:
        """The service's `clock` or `body` argument for the chosen target."""
        kind, _sep, value = self.cleaned_data["target"].partition(":")
        return {"clock": int(value)} if kind == "clock" else {"body": value}


class TaskForm(forms.Form):
    title = SingleLineField(label=pgettext_lazy("incident", "Task"), max_length=200)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    due_at = forms.DateTimeField(
        label=_("Due at"), required=False, widget=forms.DateTimeInput(attrs=LOCAL_DT, format="%Y-%m-%dT%H:%M")
    )

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the ignore below: a ModelChoiceField/ChoiceField, which form.fields types as a plain Field
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()  # type: ignore[attr-defined]


class TaskAnswerForm(forms.Form):
    """The unit's answer to a task, given on a phone: a short text, and whether the task is done."""

    answer = forms.CharField(
        label=_("Your answer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
        help_text=_("What was done, e.g. the press release's number or link."),
    )
    done = forms.BooleanField(label=_("The task is done"), required=False)


class CloseForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 3}))
    scope_and_damage = forms.CharField(
        label=_("Scope and damage"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    containment_steps = forms.CharField(
        label=_("Containment and recovery steps"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    investigation_steps = forms.CharField(
        label=_("Investigation steps"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    root_cause = forms.CharField(label=_("Root cause"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    preventive_measures = forms.CharField(
        label=_("Preventive measures (management, technical, staffing, resources)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    follow_up = forms.CharField(
        label=_("Schedule and follow-up of the measures"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class BoardFilter(forms.Form):
    category = forms.ChoiceField(label=_("Category"), required=False)
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), required=False, empty_label=_("All units")
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("open", _("open")), ("recovered", _("recovered")), ("closed", _("closed")), ("all", _("all"))],
    )

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "category", [("", _("All categories")), *[(c.code, c.name) for c in rules.CATEGORIES.values()]])
        # the ignore below: a ModelChoiceField/ChoiceField, which form.fields types as a plain Field
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()  # type: ignore[attr-defined]


class JSONListField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        return value if isinstance(value, str) else json.dumps(value or [], ensure_ascii=False)

    def to_python(self, value: Any) -> Any:
        text = (value or "").strip() or "[]"
        try:
            data = json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("Write a JSON list.")) from None
        if not isinstance(data, list):
            raise forms.ValidationError(_("Write a JSON list."))
        return data


class RuleForm(forms.ModelForm[RoutingRule]):
    recipients = JSONListField(
        label=_("Recipients"),
        required=False,
        help_text=_('e.g. ["role:ethics_officer", "duty:ethics", "org:investigation"]'),
    )
    channels = JSONListField(
        label=_("Channels"),
        required=False,
        help_text=_('e.g. ["sms"]: in addition to the in-app inbox, e-mail and each recipient\'s own channels'),
    )
    deadlines = JSONListField(
        label=_("Deadlines"),
        required=False,
        help_text=lazy(lambda: deadline_help(), str)(),
    )
    tasks = JSONListField(
        label=pgettext_lazy("incident", "Tasks"),
        required=False,
        help_text=_('e.g. [{"title": "…", "unit_code": "pr", "hours": 24}]'),
    )

    class Meta:
        model = RoutingRule
        fields = [
            "name",
            "category",
            "min_severity",
            "min_level",
            "max_level",
            "recipients",
            "channels",
            "deadlines",
            "tasks",
            "ack_minutes",
            "effective_from",
            "effective_until",
            "source",
            "note",
            "active",
        ]
        widgets = {
            "effective_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "effective_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


def deadline_help() -> str:
    """The deadline format, with the bodies a notify or report deadline may name (in the user's language)."""
    bodies = "、".join(f"{b.code} = {b.name}" for b in rules.BODIES.values())
    text = _(
        'e.g. [{"code": "notify", "hours": 1, "body": "org:investigation"}]; the body a notify or report '
        "deadline concerns: %(bodies)s"
    )
    return str(text) % {"bodies": bodies}


def recipient_help() -> SafeString:
    return format_html("{}", "、".join(f"{code} = {name}" for code, name in rules.RECIPIENT_NAMES.items()))
