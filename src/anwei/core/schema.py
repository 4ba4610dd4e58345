"""API field types. Pydantic would read a number as a Unix time for a date; the API documents ISO 8601 text, so
anything else is a 422."""

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Schema
from ninja.schema import DjangoGetter
from pydantic import BeforeValidator, ModelWrapValidatorHandler, ValidationInfo, model_validator

from .text import single_line


def _iso_text(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value[:4].isdigit() or "-" not in value:
        raise ValueError("use ISO 8601, e.g. 2026-11-25 or 2026-11-25T08:00:00+08:00")
    return value


def _single_line(value: Any) -> Any:
    return single_line(value) if isinstance(value, str) else value


IsoDate = Annotated[date, BeforeValidator(_iso_text)]
# A one-line text field (a title, a name, a place): control characters and line breaks become a space.
SingleLine = Annotated[str, BeforeValidator(_single_line)]
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_text)]


class PlainSchema(Schema):
    """ninja's Schema, but a dict is validated as it is (pydantic's own dict validation, in Rust) instead of through
    ninja's attribute getter (DjangoGetter: a Python call per field, resolvers included). For a hot path's input
    (a JSON body is a dict) and an answer built as a complete dict (issue 20: the filing's answer). Objects (model
    instances) are read through the getter and its `resolve_*` methods, as ninja reads them."""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo) -> Any:
        if type(values) is dict:
            return handler(values)
        if cls.model_config.get("extra") == "forbid" or cls.model_config.get("validate_assignment", False):
            handler(values)  # ninja's own step: the object's __dict__ checked as it is
        return handler(DjangoGetter(values, cls, info.context))
