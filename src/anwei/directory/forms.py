from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anwei.core.forms import StrictFieldsMixin

from .models import ExternalContact, Organisation, Person, Unit
from .policies import PROTECTED_PERSON_FIELDS

NOTES_MAX = 2000


class PersonForm(StrictFieldsMixin, forms.ModelForm[Person]):
    class Meta:
        model = Person
        fields = [
            "unit",
            "name",
            "title",
            "grade",
            "email",
            "mobile",
            "office_phone",
            "extension",
            "fax",
            "duty_eligible",
            "national_secret_duty",
            "national_secret_duty_until",
            "active",
        ]
        widgets = {
            "national_secret_duty_until": forms.DateInput(attrs={"type": "date"}),
            "mobile": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            "office_phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "fax": forms.TextInput(attrs={"inputmode": "tel"}),
        }

    def __init__(self, *args: Any, units: Any = None, may_change_protected: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the ignore below: a ModelChoiceField/ChoiceField, which form.fields types as a plain Field
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()  # type: ignore[attr-defined]
        self.fields["unit"].required = True
        if not may_change_protected:  # shown, but kept as they are (policies.PROTECTED_PERSON_FIELDS)
            for name in PROTECTED_PERSON_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Only the ethics office or an administrator changes this.")


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=80)


class OrganisationSearchForm(forms.Form):
    q = forms.CharField(label=_("Search organisations"), required=False, max_length=80)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", "—"), *Organisation.Kind.choices])


class OrganisationForm(StrictFieldsMixin, forms.ModelForm[Organisation]):
    notes = forms.CharField(label=_("notes"), required=False, max_length=NOTES_MAX, widget=forms.Textarea)

    class Meta:
        model = Organisation
        fields = ["name", "kind", "phone", "fax", "email", "address", "notes"]
        widgets = {
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "fax": forms.TextInput(attrs={"inputmode": "tel"}),
        }


class ContactForm(StrictFieldsMixin, forms.ModelForm[ExternalContact]):
    class Meta:
        model = ExternalContact
        fields = ["name", "title", "phone", "mobile", "email"]
        widgets = {
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "mobile": forms.TextInput(attrs={"inputmode": "tel"}),
        }


class UnitForm(StrictFieldsMixin, forms.ModelForm[Unit]):
    """A unit's name and kind, and where it sits: choosing another parent moves it with everything below it."""

    class Meta:
        model = Unit
        fields = ["parent", "name", "name_en", "code", "kind", "sort_order"]

    def __init__(self, *args: Any, parents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        top = self.instance.pk is not None and self.instance.parent_id is None
        if top:
            del self.fields["parent"]  # the agency's top unit stays where it is
        else:
            # the ignore below: a ModelChoiceField/ChoiceField, which form.fields types as a plain Field
            self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
            self.fields["parent"].required = True
            self.fields["parent"].label = _("Under")
