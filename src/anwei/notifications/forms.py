import re
from typing import Any

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from anwei.directory.models import ExternalContact, Person

from .models import ContactChannel


class ContactChannelForm(forms.Form):
    person = forms.ModelChoiceField(queryset=Person.objects.none(), required=False, label=_("Person"))
    contact = forms.ModelChoiceField(
        queryset=ExternalContact.objects.none(), required=False, label=_("Outside contact")
    )
    channel = forms.ChoiceField(choices=ContactChannel.Channel.choices, label=_("Channel"))
    address = forms.CharField(
        max_length=300, label=_("Address"), help_text=_("Webhook URL (https://…), mobile number or e-mail address.")
    )
    secret = forms.CharField(
        max_length=200,
        required=False,
        label=_("Signing secret"),
        help_text=_("Webhooks only: the receiver checks the HMAC-SHA256 signature with it."),
        widget=forms.PasswordInput(render_value=False),
    )

    def __init__(self, *args: Any, agencies: set[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the ignore below: a ModelChoiceField/ChoiceField, which form.fields types as a plain Field
        self.fields["person"].queryset = Person.objects.filter(agency__in=agencies, active=True)  # type: ignore[attr-defined]
        # the ignore below: a ModelChoiceField/ChoiceField, which form.fields types as a plain Field
        self.fields["contact"].queryset = ExternalContact.objects.filter(  # type: ignore[attr-defined]
            organisation__agency__in=agencies
        ).select_related("organisation")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("person")) == bool(data.get("contact")):
            self.add_error("person", _("Choose either a person or an outside contact."))
        channel, address = data.get("channel"), (data.get("address") or "").strip()
        if channel == ContactChannel.Channel.WEBHOOK:
            try:
                URLValidator(schemes=["http", "https"])(address)
            except forms.ValidationError:
                self.add_error("address", _("Enter an http:// or https:// address."))
            if not data.get("secret"):
                self.add_error("secret", _("A webhook needs a signing secret."))
        elif channel == ContactChannel.Channel.SMS:
            address = re.sub(r"[\s-]", "", address)
            if not re.fullmatch(r"\+?\d{8,15}", address):
                self.add_error("address", _("Enter a mobile number, e.g. 0912345678."))
        elif channel == ContactChannel.Channel.EMAIL:
            try:
                forms.EmailField().clean(address)
            except forms.ValidationError:
                self.add_error("address", _("Enter a valid e-mail address."))
        data["address"] = address
        return data
