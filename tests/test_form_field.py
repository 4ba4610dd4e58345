"""One form-field partial (templates/_field.html) for every form: the widget says it is invalid and points to its
help text and error by id, those ids exist, help text is escaped, and a group of choices is a described fieldset."""

import re
from pathlib import Path

from django import forms
from django.template.loader import render_to_string
from django.utils.html import format_html

SRC = Path(__file__).resolve().parents[1] / "src" / "anwei"


class Sample(forms.Form):
    name = forms.CharField(help_text="<b>not markup</b> & more")
    level = forms.ChoiceField(choices=[("1", "one"), ("2", "two")], widget=forms.RadioSelect, help_text="Pick one")
    note = forms.CharField(required=False, help_text=format_html("<em>{}</em>", "meant"))


def _ids(html: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', html))


def test_an_invalid_field_points_to_its_help_and_error_which_exist() -> None:
    form = Sample(data={"name": "", "level": ""})
    html = render_to_string("_fields.html", {"form": form})
    text_input = re.search(r'<input[^>]*name="name"[^>]*>', html)
    assert text_input is not None
    assert 'aria-invalid="true"' in text_input.group(0)
    described = re.search(r'aria-describedby="([^"]+)"', text_input.group(0))
    assert described is not None and described.group(1).split() == ["id_name_helptext", "id_name_error"]
    assert {"id_name_helptext", "id_name_error"} <= _ids(html)
    assert "&lt;b&gt;not markup&lt;/b&gt; &amp; more" in html and "<b>not markup</b>" not in html
    assert "<em>meant</em>" in html  # markup the form itself marked safe stays markup


def test_a_group_of_choices_is_a_fieldset_described_by_its_help_and_error() -> None:
    html = render_to_string("_fields.html", {"form": Sample(data={"name": "x", "level": ""})})
    fieldset = re.search(r"<fieldset[^>]*>", html)
    assert fieldset is not None
    assert 'aria-describedby="id_level_helptext id_level_error"' in fieldset.group(0)
    assert {"id_level_helptext", "id_level_error", "id_level_0", "id_level_1"} <= _ids(html)
    assert html.count('aria-invalid="true"') == 2  # each radio of the invalid group; the valid text field has none


def test_a_valid_field_is_not_marked_invalid() -> None:
    html = render_to_string("_fields.html", {"form": Sample(data={"name": "x", "level": "1"})})
    assert "aria-invalid" not in html and 'role="alert"' not in html


def test_no_template_draws_a_form_field_by_itself() -> None:
    """A field's label, help and errors are drawn by _field.html only; the one exception is a search filter bar,
    whose bare inputs carry neither help nor errors."""
    filter_bars = {"classified/templates/classified/index.html"}
    drawn_elsewhere = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.html")
        if path.name != "_field.html" and re.search(r"\.label_tag\b", path.read_text())
    ]
    assert sorted(set(drawn_elsewhere) - filter_bars) == []
