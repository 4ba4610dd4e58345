from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anwei.core.forms import SingleLineField, StrictFieldsMixin
from anwei.incidents.models import CATEGORY_CHOICES, LEVEL_CHOICES
from anwei.plans.models import Plan

from .script import FIELDS


class ExerciseForm(StrictFieldsMixin, forms.Form):
    plan = forms.ModelChoiceField(queryset=Plan.objects.none(), label=_("plan"))
    name = SingleLineField(label=_("exercise name"), max_length=200)
    speed = forms.IntegerField(
        label=_("acceleration"),
        min_value=1,
        max_value=3600,
        initial=1,
        help_text=_("1 runs in real time; 60 plays one scripted minute each second."),
    )
    tells_outside = forms.BooleanField(
        label=_("tell outside bodies"),
        required=False,
        help_text=_("Send the drill's messages to outside bodies (investigation bureau, police…) too."),
    )
    script_file = forms.FileField(label=_("script file (YAML or CSV)"), required=False)
    script = forms.CharField(
        label=_("script (CSV)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        initial=",".join(FIELDS) + "\n",
        help_text=_("One inject per line: minutes after the start, category, level, unit, text, filer, details."),
    )

    def __init__(self, *args: Any, plans: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the ignore below: a ModelChoiceField/ChoiceField, which form.fields types as a plain Field
        self.fields["plan"].queryset = plans if plans is not None else Plan.objects.none()  # type: ignore[attr-defined]


class StartForm(StrictFieldsMixin, forms.Form):
    speed = forms.IntegerField(label=_("acceleration"), min_value=1, max_value=3600, required=False)


class InjectForm(StrictFieldsMixin, forms.Form):
    offset = forms.IntegerField(label=_("minutes after the start"), min_value=0, initial=0)
    category = forms.ChoiceField(label=_("category"), choices=CATEGORY_CHOICES)
    level = forms.TypedChoiceField(
        label=_("cyber level"), choices=[("", "—"), *LEVEL_CHOICES], coerce=int, empty_value=None, required=False
    )
    unit = SingleLineField(label=_("unit"), max_length=120, required=False, help_text=_("The unit's code or name."))
    text = SingleLineField(label=_("what is reported"), max_length=200)
    filer = SingleLineField(
        label=_("filed by"), max_length=120, required=False, help_text=_("A person's e-mail or name.")
    )
    details = forms.CharField(label=_("details"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
