"""Form helpers shared by the apps."""

from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from .text import single_line

ALWAYS_ALLOWED = frozenset({"csrfmiddlewaretoken"})


class StrictFieldsMixin:
    """Refuse data with fields the form does not have (a mistyped name from a script, an attempt to set what the
    form does not offer), naming them, instead of dropping them silently. `extra_fields` lists names the page
    itself sends besides the form's fields."""

    extra_fields: ClassVar[frozenset[str]] = frozenset()
    unknown_message = _("This form has no field named: %(names)s.")

    def clean(self) -> Any:
        # the ignore below: a mixin for Form classes: super() is the Form's clean
        cleaned = super().clean()  # type: ignore[misc]
        # the ignore below: a mixin for Form classes: is_bound, fields, data are the Form's
        if self.is_bound:  # type: ignore[attr-defined]
            # the ignore below: a mixin for Form classes: is_bound, fields, data are the Form's
            known = {self.add_prefix(name) for name in self.fields} | ALWAYS_ALLOWED | self.extra_fields  # type: ignore[attr-defined]
            # the ignore below: a mixin for Form classes: is_bound, fields, data are the Form's
            unknown = sorted(set(self.data) - known)  # type: ignore[attr-defined]
            if unknown:
                names = "、".join(name[:40] for name in unknown[:10])
                raise forms.ValidationError(self.unknown_message, code="unknown_field", params={"names": names})
        return cleaned


class SingleLineField(forms.CharField):
    """A one-line text field (a title, a name, a place): control characters and line breaks become a space, so
    the text is safe in an e-mail subject or a CSV row wherever it goes later."""

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return single_line(value) if isinstance(value, str) else value
