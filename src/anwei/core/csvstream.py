"""CSV for every list: UTF-8 with a BOM (so spreadsheet programs read Chinese), streamed row by row so the server's
memory stays flat however long the list."""

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.db.models import DateField, DateTimeField, Model, QuerySet
from django.http import StreamingHttpResponse

BOM = "\ufeff"


class _Echo:
    def write(self, value: str) -> str:
        return value


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def cell(value: Any) -> Any:
    """The one escaping step, at the writer, for every cell whatever its source: a field, a linked record (a
    traveller, a unit, its parent unit — whose str() is text someone typed), a translation, a computed value. Text a
    spreadsheet would read as a formula (CSV injection) gets a leading apostrophe. Numbers stay numbers: they
    cannot carry a formula."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def rows_as_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([cell(h) for h in header])
    for row in rows:
        yield writer.writerow([cell(v) for v in row])


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> StreamingHttpResponse:
    """`rows` should be lazy (a generator over `queryset.iterator()`), never a list."""
    response = StreamingHttpResponse(rows_as_csv(header, rows), content_type="text/csv; charset=utf-8")
    ascii_name = filename.encode("ascii", "ignore").decode() or "export.csv"
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return response


Column = tuple[Any, str | Callable[[Any], Any]]  # (header, possibly a lazy translation; accessor)


def _value(obj: Any, accessor: str | Callable[[Any], Any]) -> Any:
    if callable(accessor):
        return accessor(obj)
    for part in accessor.split("."):
        obj = getattr(obj, part, None) if obj is not None else None
        if callable(obj):
            obj = obj()
    return obj


def queryset_csv(filename: str, queryset: QuerySet[Any], columns: Sequence[Column]) -> StreamingHttpResponse:
    """A list as CSV: `columns` are (header, attribute path like "unit.name" or "get_status_display", or a
    callable). The queryset is read in chunks, never held whole."""
    rows = ([_value(obj, acc) for _h, acc in columns] for obj in queryset.iterator(chunk_size=2000))
    return csv_response(filename, [str(h) for h, _a in columns], rows)


def _roc(name: str, formatter: Callable[[Any], str]) -> Callable[[Any], str]:
    return lambda obj: formatter(value) if (value := getattr(obj, name)) else ""


def model_columns(model: type[Model], *fields: str) -> list[Column]:
    """Columns headed by the fields' own (translated) names: choices show their label, dates are 民國 dates and a
    foreign key shows the related record's name."""
    from . import rocdate

    columns: list[Column] = []
    for name in fields:
        field = model._meta.get_field(name)
        accessor: str | Callable[[Any], Any] = name
        if getattr(field, "choices", None):
            accessor = f"get_{name}_display"
        elif isinstance(field, DateTimeField):
            accessor = _roc(name, rocdate.format_datetime)
        elif isinstance(field, DateField):
            accessor = _roc(name, rocdate.format_date)
        columns.append((getattr(field, "verbose_name", name), accessor))
    return columns
