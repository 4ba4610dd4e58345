from django import forms
from django.utils.translation import gettext_lazy as _

from .readers import MAX_FILE_BYTES


class UploadForm(forms.Form):
    document = forms.FileField(
        label=_("Plan document"),
        help_text=_("The agency's own plan as .odt, .docx or .txt (UTF-8 or Big5), at most %(size)d MB.")
        % {"size": MAX_FILE_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": ".odt,.docx,.txt,text/plain"}),
    )

    def clean_document(self) -> bytes:
        upload = self.cleaned_data["document"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is too large (at most %(size)d MB)."), params={"size": MAX_FILE_BYTES // (1024 * 1024)}
            )
        return bytes(upload.read())


class SaveForm(forms.Form):
    """The preview's "save" button: the outline travels signed (it cannot be altered between preview and save)."""

    token = forms.CharField(widget=forms.HiddenInput)
