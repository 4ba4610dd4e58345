from django import forms
from django.utils.translation import gettext_lazy as _


class LinkForm(forms.Form):
    agency_code = forms.SlugField(
        label=_("Agency code"), max_length=40, help_text=_("As the subordinate's instance knows its agency.")
    )
    name = forms.CharField(label=_("Link name"), max_length=120, help_text=_("For example: 某鄉公所政風室"))
