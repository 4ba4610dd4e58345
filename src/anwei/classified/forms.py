from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anwei.accounts.models import User
from anwei.directory.models import Unit

from .models import ClassifiedItem, CustodyRequest
from .rules import Level, TransferMethod, rules_on

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class UserChoice(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Reference number or title"), required=False, max_length=80)
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", _("All levels")), *Level.choices])
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *ClassifiedItem.Status.choices]
    )


class ItemForm(forms.Form):
    reference_no = forms.CharField(
        label=_("Reference number"),
        max_length=60,
        required=False,
        help_text=_("Leave empty to number it automatically."),
    )
    unit = forms.ModelChoiceField(label=_("Originating unit"), queryset=Unit.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=ClassifiedItem.Kind.choices)
    title = forms.CharField(label=_("Document title"), max_length=200)
    content = forms.CharField(label=_("Content summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    proposed = forms.BooleanField(required=False)  # labelled from the rule set in force (__init__)
    classified_on = forms.DateField(label=_("Classification date"), widget=DATE)
    protection_until = forms.DateField(label=_("Protected until"), required=False, widget=DATE)
    declassification_condition = forms.CharField(
        label=_("Or: declassification condition"), max_length=300, required=False
    )
    classifying_authority = forms.CharField(label=_("Classifying authority"), max_length=120)
    custodian = UserChoice(label=_("Custodian"), queryset=User.objects.none())
    storage_location = forms.CharField(label=_("Storage location"), max_length=120)

    def __init__(self, *args: Any, units: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]  # a ModelChoiceField
        self.fields["custodian"].queryset = users  # type: ignore[attr-defined]  # a ModelChoiceField
        days = rules_on(timezone.localdate()).decision_days
        self.fields["proposed"].label = gettext(
            "Proposed classification (擬訂), to be decided within %(days)s days"
        ) % {"days": days}


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("What"), choices=CustodyRequest.Kind.choices)
    purpose = forms.CharField(label=_("Purpose"), max_length=300)
    copies = forms.IntegerField(label=_("Number of copies"), min_value=1, max_value=50, initial=1)
    due_back = forms.DateTimeField(label=_("Due back"), required=False, widget=DATETIME)


class DecisionForm(forms.Form):
    approve = forms.BooleanField(required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class TransferForm(forms.Form):
    to_user = UserChoice(label=_("Recipient in the agency"), queryset=User.objects.none(), required=False)
    outside_recipient = forms.CharField(label=_("Or: recipient outside the agency"), max_length=200, required=False)
    method = forms.ChoiceField(label=_("Method"), choices=TransferMethod.choices)
    expected_by = forms.DateTimeField(label=_("Expected to arrive by"), widget=DATETIME)

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = users  # type: ignore[attr-defined]  # a ModelChoiceField


class LevelChangeForm(forms.Form):
    declassify = forms.BooleanField(label=_("Declassify (解除機密)"), required=False)
    to_level = forms.ChoiceField(label=_("New level"), choices=[("", "—"), *Level.choices], required=False)
    protection_until = forms.DateField(label=_("New protection end (optional)"), required=False, widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=300)
    authority = forms.CharField(label=_("Decided by (authority)"), max_length=120)


class DestroyForm(forms.Form):
    method = forms.CharField(label=_("Method of destruction"), max_length=120)
    reason = forms.CharField(label=_("Reason"), max_length=300)
    witness = forms.CharField(label=_("Witness"), max_length=80, required=False)


class GrantForm(forms.Form):
    user = UserChoice(label=_("Person"), queryset=User.objects.none())
    reason = forms.CharField(label=_("Reason (written authorisation)"), max_length=300)
    expires_at = forms.DateTimeField(label=_("Ends (optional)"), required=False, widget=DATETIME)

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users  # type: ignore[attr-defined]  # a ModelChoiceField


class ReasonForm(forms.Form):
    """Revoking a grant, cancelling a transfer: the reason is recorded."""

    reason = forms.CharField(label=_("Reason"), max_length=300)


class ReceiptForm(forms.Form):
    """The returned receipt (回執) of a transfer outside the agency."""

    receipt_no = forms.CharField(label=_("Receipt number (回執編號)"), max_length=60)
    receipt_date = forms.DateField(label=_("Receipt signed on"), widget=DATE)
    receipt_signed_by = forms.CharField(label=_("Receipt signed by"), max_length=80)


class CombineForm(forms.Form):
    parts = forms.ModelMultipleChoiceField(
        label=_("Items to combine"),
        queryset=ClassifiedItem.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    unit = forms.ModelChoiceField(label=_("Originating unit"), queryset=Unit.objects.none())
    title = forms.CharField(label=_("Document title"), max_length=200)
    classified_on = forms.DateField(label=_("Classification date"), widget=DATE)
    protection_until = forms.DateField(label=_("Protected until"), required=False, widget=DATE)
    declassification_condition = forms.CharField(
        label=_("Or: declassification condition"), max_length=300, required=False
    )
    classifying_authority = forms.CharField(label=_("Classifying authority"), max_length=120)
    storage_location = forms.CharField(label=_("Storage location"), max_length=120)

    def __init__(self, *args: Any, items: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parts"].queryset = items  # type: ignore[attr-defined]  # a ModelChoiceField
        self.fields["parts"].label_from_instance = lambda i: f"{i.reference_no} · {i.mark} · {i.title}"  # type: ignore[attr-defined]  # a ModelChoiceField
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]  # a ModelChoiceField


class InventoryForm(forms.Form):
    location = forms.CharField(max_length=120, widget=forms.HiddenInput)
    missing = forms.ModelMultipleChoiceField(
        label=_("Missing at the check"),
        queryset=ClassifiedItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["missing"].queryset = items  # type: ignore[attr-defined]  # a ModelChoiceField
        self.fields["missing"].label_from_instance = lambda i: f"{i.reference_no} · {i.mark}"  # type: ignore[attr-defined]  # a ModelChoiceField


def agency_users(agency_id: int, *, besides: Any = None) -> Any:
    """Active users of the agency, without `besides` (the person filling the form, where choosing oneself is
    refused: a need-to-know grant, a transfer)."""
    users = User.objects.filter(agency_id=agency_id, is_active=True).select_related("person").order_by("username")
    return users.exclude(pk=besides.pk) if besides is not None else users
