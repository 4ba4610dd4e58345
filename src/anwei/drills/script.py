"""The script of an exercise as a file: YAML or CSV, one inject per row/item, with the fields

    offset    minutes after the start (a number, or hh:mm)
    category  a report category code (cyber, fraud, petition…)
    level     the cyber level 1–4 (cyber reports only; may be empty)
    unit      the unit's code or name
    text      what is reported (the report's title)
    filer     who files it: a person's e-mail or name
    details   optional, the report's description

CSV: a header row with these names, UTF-8 (with or without BOM). YAML: a list of mappings, or a mapping with
`injects:` (and optionally `name:`, `speed:`, `tells_outside:`)."""

import csv
import io
from dataclasses import dataclass
from typing import Any

import yaml
from django.utils.translation import gettext as _

from anwei.core.errors import BusinessRuleError

FIELDS = ("offset", "category", "level", "unit", "text", "filer", "details")


@dataclass
class Script:
    rows: list[dict[str, str]]
    name: str = ""
    speed: int | None = None
    tells_outside: bool | None = None


def _offset(value: Any, line: int) -> int:
    text = str(value if value is not None else "").strip()
    try:
        if ":" in text:
            hours, minutes = text.split(":", 1)
            return int(hours) * 60 + int(minutes)
        return int(text)
    except ValueError:
        raise BusinessRuleError(
            _("Inject %(n)d: the offset must be minutes (e.g. 15) or hours:minutes (e.g. 1:30).") % {"n": line},
            field="script",
        ) from None


def clean(raw: dict[str, Any], line: int) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise BusinessRuleError(_("Inject %(n)d is not a set of fields.") % {"n": line}, field="script")
    row = {k: str(raw.get(k) if raw.get(k) is not None else "").strip() for k in FIELDS}
    row["offset"] = str(_offset(raw.get("offset"), line))
    if not row["text"]:
        raise BusinessRuleError(_("Inject %(n)d has no text.") % {"n": line}, field="script")
    return row


def parse(content: bytes | str, filename: str = "") -> Script:
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content.lstrip("\ufeff")
    if filename.lower().endswith((".yaml", ".yml")):
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            raise BusinessRuleError(_("The file is not valid YAML."), field="script") from None
        meta: dict[str, Any] = {}
        if isinstance(data, dict):
            meta, data = data, data.get("injects")
        if not isinstance(data, list):
            raise BusinessRuleError(_("The file lists no injects."), field="script")
        speed = meta.get("speed")
        return Script(
            [clean(item, n) for n, item in enumerate(data, 1)],
            name=str(meta.get("name") or ""),
            speed=int(speed) if speed else None,
            tells_outside=bool(meta["tells_outside"]) if "tells_outside" in meta else None,
        )
    reader = csv.DictReader(io.StringIO(text))
    rows = [clean(dict(r), n) for n, r in enumerate(reader, 1)]
    if not rows:
        raise BusinessRuleError(_("The file lists no injects."), field="script")
    return Script(rows)
