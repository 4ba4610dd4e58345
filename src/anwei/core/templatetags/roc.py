"""Template filters for 民國 dates: {{ value|roc_date }}, {{ value|roc_datetime }}, {{ end|roc_end }}."""

from datetime import date, datetime

from django import template

from anwei.core import rocdate

register = template.Library()


@register.filter
def roc_date(value: date | datetime | None, arg: str = "") -> str:
    if value is None:
        return ""
    return rocdate.format_date(value, weekday="weekday" in arg)


@register.filter
def roc_datetime(value: datetime | None, arg: str = "") -> str:
    if value is None:
        return ""
    return rocdate.format_datetime(value, weekday="weekday" in arg, seconds="seconds" in arg)


@register.filter
def roc_end(value: datetime | None) -> str:
    """The end of a period: midnight is written 24時 of the day before."""
    if value is None:
        return ""
    return rocdate.format_datetime(value, weekday=True, end=True)


@register.simple_tag
def roc_period(start: datetime, end: datetime) -> str:
    return rocdate.format_period(start, end)


@register.simple_tag
def roc_today() -> str:
    return rocdate.format_date(rocdate.today(), weekday=True)
