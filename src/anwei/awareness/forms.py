from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anwei.directory.models import Person, Unit

from . import rules
from .models import Activity, Delegation

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ActivityForm(forms.ModelForm[Activity]):
    class Meta:
        model = Activity
        fields = [
            "title",
            "topic",
            "form",
            "held_on",
            "unit",
            "audience_units",
            "attendee_count",
            "materials",
            "alert_body",
        ]
        widgets = {
            "held_on": DATE,
            "audience_units": forms.CheckboxSelectMultiple,
            "materials": forms.Textarea(attrs={"rows": 3}),
            "alert_body": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        queryset = units if units is not None else Unit.objects.none()
        self.fields["unit"].queryset = queryset  # type: ignore[attr-defined]  # a ModelChoiceField (fields are typed as Field)
        self.fields["audience_units"].queryset = queryset  # type: ignore[attr-defined]  # a ModelChoiceField (fields are typed as Field)


class TravelForm(forms.Form):
    destination = forms.ChoiceField(label=_("destination"), choices=list(rules.DESTINATION_NAMES.items()))
    places = forms.CharField(label=_("places"), max_length=200)
    purpose = forms.CharField(
        label=pgettext_lazy("travel", "purpose"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    meets_specified_persons = forms.BooleanField(
        label=_("Hong Kong/Macau: I plan to meet specified persons"),
        required=False,
        help_text=_("Then notify at least 1 week before leaving."),
    )
    departs_on = forms.DateField(label=_("departure"), widget=DATE)
    returns_on = forms.DateField(label=_("return"), widget=DATE)
    category = forms.ChoiceField(
        label=_("traveller category"),
        required=False,
        choices=[("", _("As the directory says")), *rules.CATEGORY_NAMES.items()],
        help_text=_(
            "Decides where you apply and how early. The directory decides it (grade, national-secret duties); you "
            "may choose only a stricter category, and say why."
        ),
    )
    category_reason = forms.CharField(
        label=_("why a stricter category"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when you choose a category other than the directory's."),
    )
    traveller = forms.ModelChoiceField(label=_("traveller"), queryset=Person.objects.none(), required=False)

    def __init__(self, *args: Any, travellers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if travellers is None:
            del self.fields["traveller"]
        else:
            self.fields["traveller"].queryset = travellers  # type: ignore[attr-defined]  # a ModelChoiceField (fields are typed as Field)


class ReturnForm(forms.Form):
    probed = forms.TypedChoiceField(
        label=_("Did anyone ask about official matters (probing)?"),
        choices=[("no", _("No")), ("yes", _("Yes"))],
        widget=forms.RadioSelect,
        coerce=lambda v: v == "yes",
    )
    contacted = forms.TypedChoiceField(
        label=_("Did anyone make contact with you (approach, invitation, gift)?"),
        choices=[("no", _("No")), ("yes", _("Yes"))],
        widget=forms.RadioSelect,
        coerce=lambda v: v == "yes",
    )
    details = forms.CharField(
        label=_("What happened"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Who, when, where and what was asked. Required when you answer yes."),
    )


class HolidayForm(forms.Form):
    day = forms.DateField(label=_("date"), widget=DATE)
    name = forms.CharField(label=_("name"), max_length=80)
    is_workday = forms.BooleanField(label=_("make-up working day (補行上班)"), required=False)


class DelegationForm(forms.ModelForm[Delegation]):
    class Meta:
        model = Delegation
        fields = ["title", "unit", "starts_on", "ends_on", "hosts", "itinerary", "visitors"]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "itinerary": forms.Textarea(attrs={"rows": 3}),
            "visitors": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, units: Any = None, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # a ModelChoiceField's queryset (form fields are typed as Field)
        # the ignore below: a ModelChoiceField/ChoiceField, which form.fields types as a plain Field
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()  # type: ignore[attr-defined]
        # the ignore below: a ModelChoiceField/ChoiceField, which form.fields types as a plain Field
        self.fields["hosts"].queryset = people if people is not None else Person.objects.none()  # type: ignore[attr-defined]


class AnomalyForm(forms.Form):
    description = forms.CharField(label=_("What was observed"), widget=forms.Textarea(attrs={"rows": 4}))
