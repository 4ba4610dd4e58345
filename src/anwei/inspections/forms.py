import re
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anwei.accounts.models import User
from anwei.directory.models import Unit
from anwei.plans.models import Plan

from .models import ChecklistItem, ChecklistTemplate, Round, Severity


class RoundForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("Plan"), queryset=Plan.objects.none())
    template = forms.ModelChoiceField(label=_("Checklist"), queryset=ChecklistTemplate.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    unit = forms.ModelChoiceField(label=_("Organising unit"), queryset=Unit.objects.none())
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    recurrence = forms.ChoiceField(label=_("Recurrence"), choices=Round.Recurrence.choices)
    dates = forms.CharField(
        label=_("Chosen dates"),
        required=False,
        help_text=_("For “on chosen dates”: one per line or separated by commas, e.g. 115/2/14 or 2026-02-14."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    inspectors = forms.ModelMultipleChoiceField(label=_("Inspectors"), queryset=User.objects.none())
    joint_units = forms.ModelMultipleChoiceField(
        label=_("Units taking part (會同單位)"), queryset=Unit.objects.none(), required=False
    )
    targets = forms.ModelMultipleChoiceField(
        label=_("Units to inspect"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("You can also import many targets from a CSV file after creating the round."),
    )

    def clean_dates(self) -> list[date]:
        days = []
        for part in re.split(r"[,，、\s]+", self.cleaned_data["dates"].strip()):
            if not part:
                continue
            match = re.fullmatch(r"(\d{2,4})[-/.](\d{1,2})[-/.](\d{1,2})", part)
            try:
                if match is None:
                    raise ValueError(part)
                year, month, day = (int(g) for g in match.groups())
                days.append(date(year + 1911 if year < 1911 else year, month, day))
            except ValueError as exc:
                raise forms.ValidationError(_("%(text)s is not a date.") % {"text": part}) from exc
        return days

    def __init__(self, *args: Any, plans: Any, templates: Any, units: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans  # type: ignore[attr-defined]  # a ModelChoiceField (the stubs type fields as Field)
        self.fields["template"].queryset = templates  # type: ignore[attr-defined]  # a ModelChoiceField (the stubs type fields as Field)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]  # a ModelChoiceField (the stubs type fields as Field)
        self.fields["joint_units"].queryset = units  # type: ignore[attr-defined]  # a ModelChoiceField (the stubs type fields as Field)
        self.fields["targets"].queryset = units  # type: ignore[attr-defined]  # a ModelChoiceField (the stubs type fields as Field)
        self.fields["inspectors"].queryset = users  # type: ignore[attr-defined]  # a ModelChoiceField (the stubs type fields as Field)


class TargetsForm(forms.Form):
    units = forms.ModelMultipleChoiceField(label=_("Units to add"), queryset=Unit.objects.none())

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units  # type: ignore[attr-defined]  # a ModelChoiceField (the stubs type fields as Field)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"), help_text=_("Columns: 代碼 (code), 名稱 (name), 類別 (kind, optional).")
    )
    parent = forms.ModelChoiceField(
        label=_("Create new units under"), queryset=Unit.objects.none(), help_text=_("e.g. 教育處 for schools")
    )
    good_rows_only = forms.BooleanField(
        label=_("Import only the rows without errors"),
        required=False,
        help_text=_("Leave unticked to import nothing unless every row is good."),
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = units  # type: ignore[attr-defined]  # a ModelChoiceField (the stubs type fields as Field)


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"), widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
    )
    item = forms.ModelChoiceField(label=_("Item"), queryset=ChecklistItem.objects.none(), required=False)
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)

    def __init__(self, *args: Any, items: Any, answers_form: str = "", **kwargs: Any) -> None:
        """With `answers_form`, the fields belong to that form (the HTML `form` attribute): an upload then carries
        the answers typed so far, and none is lost."""
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items  # type: ignore[attr-defined]  # a ModelChoiceField (the stubs type fields as Field)
        if answers_form:
            # no `required` in the page: it would make the answers form invalid and stop its draft saves (htmx
            # validates a form before posting it); the photo is still required here, on the server
            self.use_required_attribute = False
            for field in self.fields.values():
                field.widget.attrs["form"] = answers_form


class AnswerActionForm(forms.Form):
    response = forms.CharField(label=_("What the unit did"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    evidence = forms.FileField(
        label=_("Evidence (photo or PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
    )


class VerifyForm(forms.Form):
    note = forms.CharField(
        label=_("Verification note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, required=False
    )
    due_on = forms.DateField(
        label=_("New due date (when sending back)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ItemForm(forms.Form):
    section = forms.CharField(label=_("Section"), max_length=80, required=False)
    question = forms.CharField(label=_("Question"), max_length=300)
    guidance = forms.CharField(label=_("Guidance"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    answer_type = forms.ChoiceField(label=_("Answer type"), choices=ChecklistItem.AnswerType.choices)
    severity = forms.ChoiceField(label=_("Severity when failed"), choices=Severity.choices, initial=Severity.MEDIUM)
    minimum = forms.DecimalField(label=_("Lowest passing number"), required=False, max_digits=10, decimal_places=2)


ItemFormSet = forms.formset_factory(ItemForm, extra=2, can_delete=True)


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(label=_("What changed"), max_length=200, required=False)
