from django import forms
from django.utils.translation import gettext_lazy as _

from .models import COUNTIES

DATE = forms.DateInput(attrs={"type": "date"})


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Calendar file (CSV)"),
        help_text=_("行政院人事行政總處 政府行政機關辦公日曆表, from data.gov.tw (UTF-8 or Big5)."),
    )
    file_date = forms.DateField(
        label=_("Date of the file"), required=False, widget=DATE, help_text=_("As published (e.g. a reissue's date).")
    )


class ClosureForm(forms.Form):
    day = forms.DateField(label=_("date"), widget=DATE)
    county = forms.ChoiceField(label=_("county or city"), choices=[("", "")] + [(c, c) for c in COUNTIES])
    reference = forms.CharField(
        label=_("announcement"), max_length=200, help_text=_("e.g. the 行政院人事行政總處 announcement and its time.")
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)
