from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anwei.core.forms import StrictFieldsMixin
from anwei.directory.models import Person, Unit

from .roles import Role


class RoleAssignmentForm(StrictFieldsMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    unit = forms.ModelChoiceField(label=_("Unit (and the units under it)"), queryset=Unit.objects.none())

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the ignore below: a ModelChoiceField/ChoiceField, which form.fields types as a plain Field
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class NewUserForm(StrictFieldsMixin, forms.Form):
    username = forms.RegexField(
        label=_("User name"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        help_text=_("Letters, digits and @ . + - _ only."),
    )
    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none())
    password = forms.CharField(label=_("First password"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the ignore below: a ModelChoiceField/ChoiceField, which form.fields types as a plain Field
        self.fields["person"].queryset = people  # type: ignore[attr-defined]

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        validate_password(password)
        return password


class SecondFactorForm(forms.Form):
    token = forms.CharField(
        label=pgettext_lazy("sign-in", "Code"),
        max_length=32,
        help_text=_("The six digits your authenticator app shows, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )


class EnrolmentForm(forms.Form):
    token = forms.CharField(
        label=_("Code from the app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class SecurityPolicyForm(forms.Form):
    mfa_required_for_all = forms.BooleanField(label=_("Require two-factor sign-in for everyone"), required=False)


class TokenForm(StrictFieldsMixin, forms.Form):
    """A new token asks for the password again, and the authenticator's code when the user has one."""

    name = forms.CharField(label=_("Token name"), max_length=80)
    password = forms.CharField(
        label=_("Your password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    code = forms.CharField(
        label=pgettext_lazy("sign-in", "Code"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
