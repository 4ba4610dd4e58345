from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import ExportJob


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=ExportJob.Format.choices)
    day = forms.DateField(label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class DayForm(forms.Form):
    day = forms.DateField(label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class LetterForm(forms.Form):
    """The cover letter (函稿) or memo (簽稿) as the officer corrects it before the download; the 密等 line is not
    here: it follows the report's markings."""

    sender = forms.CharField(label=_("Issuing agency or unit"), max_length=200)
    recipient = forms.CharField(label=pgettext_lazy("official letter", "Recipient"), max_length=200)
    issued_on = forms.DateField(
        label=_("Date of issue"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    number = forms.CharField(label=_("Issue number"), max_length=100, required=False)
    speed = forms.ChoiceField(
        label=pgettext_lazy("official letter", "Speed"), choices=[(s, s) for s in ("普通件", "速件", "最速件")]
    )
    attachment = forms.CharField(label=pgettext_lazy("official letter", "Attachment"), max_length=300, required=False)
    subject = forms.CharField(
        label=pgettext_lazy("official letter", "Subject"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    explanation = forms.CharField(
        label=_("Explanation, one point a line"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    proposal = forms.CharField(
        label=pgettext_lazy("official letter", "Proposal"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    copies_to = forms.CharField(label=_("Original to"), max_length=300, required=False)
    cc = forms.CharField(label=_("Copy to"), max_length=300, required=False)

    def __init__(self, *args: Any, paper: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if paper == "memo":
            for name in ("number", "copies_to", "cc"):
                del self.fields[name]
        else:
            del self.fields["proposal"]
