from typing import Any

from django import forms

from .models import ExternalContact, Organisation, Person, Unit


class PersonForm(forms.ModelForm):
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

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()  # type: ignore[attr-defined]
        self.fields["unit"].required = True


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=80)


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "kind", "phone", "fax", "email", "address", "notes"]
        widgets = {
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "fax": forms.TextInput(attrs={"inputmode": "tel"}),
        }


class ContactForm(forms.ModelForm):
    class Meta:
        model = ExternalContact
        fields = ["name", "title", "phone", "mobile", "email"]
        widgets = {
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "mobile": forms.TextInput(attrs={"inputmode": "tel"}),
        }
