"""The guided form of a cyber incident's investigation report: one field per heading of 施行細則 §8."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import LOCAL_DT
from .investigation import SECTIONS, TIMES_HEADING

LABELS = {
    "scope_and_damage": _("Scope and damage"),
    "containment_steps": _("Containment and recovery steps"),
    "investigation_steps": _("Investigation steps"),
    "root_cause": _("Root cause"),
    "preventive_measures": _("Preventive measures (management, technical, staffing, resources)"),
    "follow_up": _("Schedule and follow-up of the measures"),
}


class InvestigationReportForm(forms.Form):
    occurred_at = forms.DateTimeField(
        label=_("Occurred at"), required=False, widget=forms.DateTimeInput(attrs=LOCAL_DT, format="%Y-%m-%dT%H:%M")
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        # the ignore below: the form's own (*args, **kwargs) are passed through unchanged to Django's Form
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["occurred_at"].help_text = TIMES_HEADING
        for section in SECTIONS:
            self.fields[section.field] = forms.CharField(
                label=LABELS[section.field],
                help_text=section.heading,  # the official heading, as the document prints it
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
