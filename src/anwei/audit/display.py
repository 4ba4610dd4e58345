"""An audit entry as a reader reads it: the record's kind in words ("classified document", not
`classified.classifieditem`), and each change as a field label with its old and new value ("保管處所：A → B"), with
ROC dates, the choices' names and yes/no — never the stored JSON. The entry itself (hashed) is not touched."""

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from anwei.core import rocdate
from anwei.core.wording import readable_source

ISO_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?$")
ISO_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
ISO_DATE_IN_TEXT = re.compile(r"(?<![\w/-])(\d{4})-(\d\d)-(\d\d)(?![\w/-])")


@dataclass(frozen=True)
class Change:
    label: str
    new: str
    old: str | None = None  # None: a value recorded (a new record, a parameter), not a change from one to another


def model_of(object_type: str) -> type[models.Model] | None:
    if "." not in object_type:
        return None
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def record_type(object_type: str) -> str:
    model = model_of(object_type)
    return str(capfirst(model._meta.verbose_name)) if model is not None else object_type


def record_text(text: str) -> str:
    """The record's description with its Western dates written as ROC dates."""

    def roc(match: re.Match[str]) -> str:
        try:
            return rocdate.format_date(date(int(match[1]), int(match[2]), int(match[3])))
        except ValueError:
            return match[0]

    return ISO_DATE_IN_TEXT.sub(roc, text or "")


def _field(model: type[models.Model] | None, name: str) -> Any:
    if model is None:
        return None
    for field in model._meta.get_fields():
        if getattr(field, "name", None) == name or getattr(field, "attname", None) == name:
            return field
    return None


def _label(model: type[models.Model] | None, key: str) -> str:
    field = _field(model, key)
    if field is not None and getattr(field, "verbose_name", None):
        return str(capfirst(field.verbose_name))
    return str(capfirst(str(key).replace("_", " ").replace("-", " ")))


def value_text(value: Any, field: Any = None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    choices = dict(getattr(field, "flatchoices", None) or [])
    if choices and not isinstance(value, (list, dict)) and value in choices:
        return str(choices[value])
    if isinstance(value, str):
        if ISO_DATETIME.match(value):
            try:
                return rocdate.format_datetime(datetime.fromisoformat(value.replace("Z", "+00:00")))
            except ValueError:
                return value
        if ISO_DATE.match(value):
            return record_text(value)
        return readable_source(value) if "DOMAIN" in value else value
    if isinstance(value, list):
        return "、".join(value_text(v) for v in value) or "—"
    if isinstance(value, dict):
        return "；".join(f"{_label(None, k)}：{value_text(v)}" for k, v in value.items()) or "—"
    return str(value)


def changes(object_type: str, recorded: Any) -> list[Change]:
    """{field: [old, new]} (an update), {"new": {field: value}} (a creation) or {key: value} (what an action
    recorded) as readable lines."""
    if not recorded:
        return []
    if not isinstance(recorded, dict):
        return [Change(_("Changes"), value_text(recorded))]
    model = model_of(object_type)
    out = []
    for key, value in recorded.items():
        if key == "new" and isinstance(value, dict):
            out += [Change(_label(model, k), value_text(v, _field(model, k))) for k, v in value.items()]
        elif isinstance(value, list) and len(value) == 2 and _field(model, key) is not None:
            field = _field(model, key)
            out.append(Change(_label(model, key), value_text(value[1], field), value_text(value[0], field)))
        else:
            out.append(Change(_label(model, key), value_text(value, _field(model, key))))
    return out
