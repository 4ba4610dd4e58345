"""CSV for every list: UTF-8 with a BOM (so spreadsheet programs read Chinese), streamed row by row so the server's
memory stays flat however long the list."""

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from operator import attrgetter
from typing import Any
from urllib.parse import quote

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, QuerySet
from django.http import StreamingHttpResponse

from . import rocdate

BOM = "\ufeff"
ROWS_PER_CHUNK = 200  # rows joined into one piece of the streamed response (memory stays flat either way)


class _Lines:
    """What csv.writer writes into: the lines of the chunk being made."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.write = self.lines.append


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
_FORMULA_FIRST = frozenset(FORMULA_STARTS)
_NUMBERS = (int, float, Decimal)


def cell(value: Any, zh: bool | None = None) -> Any:
    """The one escaping step, at the writer, for every cell whatever its source: a field, a linked record (a
    traveller, a unit, its parent unit — whose str() is text someone typed), a translation, a computed value. Text a
    spreadsheet would read as a formula (CSV injection) gets a leading apostrophe. Numbers stay numbers: they
    cannot carry a formula. Dates and times are written the one way every CSV writes them: as 民國 dates
    (`rocdate`), in the language of the download (`zh`: whether it is Chinese, asked once per list).

    Ordered for speed (it runs for every cell of 100,000-row lists): plain text first, by its exact type."""
    kind = value.__class__
    if kind is str:
        return "'" + value if value[:1] in _FORMULA_FIRST else value
    if kind is int or kind is bool or kind is float:
        return value
    if value is None:
        return ""
    if isinstance(value, datetime):
        return rocdate.format_datetime(value, zh=zh)
    if isinstance(value, date):
        return rocdate.format_date(value, zh=zh)
    if isinstance(value, _NUMBERS):
        return value
    if isinstance(value, dict | list):  # a JSON field (an audit entry's changes): as JSON, Chinese as it is
        return json.dumps(value, ensure_ascii=False)
    text = str(value)
    return "'" + text if text[:1] in _FORMULA_FIRST else text


def rows_as_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The CSV text in pieces of ROWS_PER_CHUNK rows, the first starting with the BOM and the header; dates in the
    language active now (when the view runs, not when the server sends the last piece)."""
    return _pieces(header, rows, rocdate.chinese())


def _pieces(header: Sequence[str], rows: Iterable[Sequence[Any]], zh: bool) -> Iterator[str]:
    out = _Lines()
    writer = csv.writer(out)
    writer.writerow([cell(h, zh) for h in header])
    lines = out.lines
    lines[0] = BOM + lines[0]
    for n, row in enumerate(rows, start=1):
        writer.writerow([cell(v, zh) for v in row])
        if n % ROWS_PER_CHUNK == 0:
            yield "".join(lines)
            lines.clear()
    if lines:
        yield "".join(lines)


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> StreamingHttpResponse:
    """`rows` should be lazy (a generator over `queryset.iterator()`), never a list."""
    response = StreamingHttpResponse(rows_as_csv(header, rows), content_type="text/csv; charset=utf-8")
    ascii_name = filename.encode("ascii", "ignore").decode() or "export.csv"
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return response


Column = tuple[Any, str | Callable[[Any], Any]]  # (header, possibly a lazy translation; accessor)


def _walk(obj: Any, parts: Sequence[str]) -> Any:
    for part in parts:
        obj = getattr(obj, part, None) if obj is not None else None
        if callable(obj):
            obj = obj()
    return obj


def _leaf(model: type[Model] | None, name: str) -> Callable[[Any], Any]:
    """Reading one attribute of a row's record, made once per column: a field directly; a choice field's label from
    a table built once (Django's get_FOO_display builds and hashes the whole choice list, translating every label,
    on every call); anything else (a method, a property) the general way."""
    if model is not None:
        field_name = name[4:-8] if name.startswith("get_") and name.endswith("_display") else name
        try:
            field = model._meta.get_field(field_name)
        except FieldDoesNotExist:
            field = None
        if field is not None and field.concrete and not field.is_relation:
            if field_name == name:
                return attrgetter(name)
            if getattr(field, "flatchoices", None):
                labels = {value: str(label) for value, label in field.flatchoices}
                attname = field.attname

                def label(obj: Any) -> Any:
                    value = getattr(obj, attname)
                    return labels.get(value, value)

                return label
    return lambda obj: _walk(obj, (name,))


def _getter(model: type[Model] | None, accessor: str | Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The accessor of a column as a function of the row's record, resolved once for the whole list."""
    if callable(accessor):
        return accessor
    *path, last = accessor.split(".")
    target = model
    for part in path:
        try:
            target = target._meta.get_field(part).related_model if target is not None else None
        except FieldDoesNotExist:
            target = None
    leaf = _leaf(target if isinstance(target, type) else None, last)
    if not path:
        return leaf

    def get(obj: Any) -> Any:
        obj = _walk(obj, path)
        return None if obj is None else leaf(obj)

    return get


def _database_path(model: type[Model], accessor: str | Callable[[Any], Any]) -> tuple[str, dict[Any, str]] | None:
    """The column as a path the database can read with `values_list` ("unit.name" → "unit__name") and the labels of
    its choices ("get_status_display" → "status" and {"open": "辦理中", …}); None when only the record can answer (a
    callable, a method, a property, a related record shown by its name)."""
    if callable(accessor):
        return None
    *path, last = accessor.split(".")
    target: Any = model
    for part in path:
        field = _field(target, part)
        if field is None or not (field.many_to_one or field.one_to_one) or not field.concrete:
            return None
        target = field.related_model
    name = last[4:-8] if last.startswith("get_") and last.endswith("_display") else last
    field = _field(target, name)
    if field is None or not field.concrete or field.is_relation:
        return None
    if name != last:
        if not getattr(field, "flatchoices", None):
            return None
        return "__".join([*path, name]), {value: str(label) for value, label in field.flatchoices}
    return "__".join([*path, name]), {}


def _field(model: Any, name: str) -> Any:
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _database_rows(queryset: QuerySet[Any], paths: list[tuple[str, dict[Any, str]]]) -> Iterator[list[Any]]:
    labelled = [(i, labels) for i, (_p, labels) in enumerate(paths) if labels]
    for values in queryset.values_list(*(p for p, _l in paths)).iterator(chunk_size=2000):
        row = list(values)
        for i, labels in labelled:
            row[i] = labels.get(row[i], row[i])
        yield row


def queryset_csv(filename: str, queryset: QuerySet[Any], columns: Sequence[Column]) -> StreamingHttpResponse:
    """A list as CSV: `columns` are (header, attribute path like "unit.name" or "get_status_display", or a
    callable). The queryset is read in chunks, never held whole. When every column is a field (through foreign
    keys) or a choice field's label, the rows are read as values, without making a record of each (several times
    faster for long lists such as the audit log); the labels of choices are looked up in a table made once."""
    header = [str(h) for h, _a in columns]
    paths = [_database_path(queryset.model, accessor) for _h, accessor in columns]
    query = queryset.query
    # the ignore below: a private QuerySet attribute: prefetching needs the ORM's rows
    if all(paths) and not (query.distinct or query.combinator or queryset._prefetch_related_lookups):  # type: ignore[attr-defined]
        # the ignore below: database rows are lists of cell values, as csv_response writes them
        return csv_response(filename, header, _database_rows(queryset, paths))  # type: ignore[arg-type]
    getters = [_getter(queryset.model, accessor) for _h, accessor in columns]
    rows = ([get(obj) for get in getters] for obj in queryset.iterator(chunk_size=2000))
    return csv_response(filename, header, rows)


def model_columns(model: type[Model], *fields: str) -> list[Column]:
    """Columns headed by the fields' own (translated) names: choices show their label, dates are 民國 dates (as
    every date the writer meets, see `cell`) and a foreign key shows the related record's name."""
    columns: list[Column] = []
    for name in fields:
        field = model._meta.get_field(name)
        accessor = f"get_{name}_display" if getattr(field, "choices", None) else name
        columns.append((getattr(field, "verbose_name", name), accessor))
    return columns
