"""Values known only inside a transaction, for rows prepared before it (issue 20). `Later` stands for such a value
in a row while its statement is made (`fastinsert.prepare`); a statement the caller runs anyway — a filing's
reference number — also returns the automatic keys of the rows it will write (`KeysAhead`, which gives them Later
keys) and anything else that implements `Ahead` (the audit chain's head), so the rows are written together."""

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from django.db import connections
from django.db.models import Model


class Later:
    """A column's value known only inside the transaction — a key taken ahead (`KeysAhead`), the reference number,
    a text made from them — held by a row while its statement is made before the transaction
    (`fastinsert.prepare`): set with
    `set`, or made by `make` from other Later values when first read. `Together.write` puts the values in the
    statement and the rows (`fastinsert`); a row written by `insert` has them put in as it is written."""

    __slots__ = ("_make", "_value")

    def __init__(self, make: Callable[[], Any] | None = None) -> None:
        self._make, self._value = make, _NOT_YET

    def set(self, value: Any) -> None:
        self._value = value

    @property
    def value(self) -> Any:
        if self._value is _NOT_YET:
            if self._make is None:
                raise LookupError("a Later value read before it was set")
            self._value = self._make()
        return self._value


def set_later(row: Model, **values: Any) -> None:
    """Give the row's columns values that may be `Later` (a model's attribute is typed for its plain value)."""
    row.__dict__.update(values)


def later_of(row: Model, attname: str) -> Later:
    """The `Later` value the row holds for a column (its key taken ahead, say)."""
    value = row.__dict__[attname]
    if type(value) is not Later:
        raise TypeError(f"{attname} of {type(row).__name__} is not a Later value")
    return value


def put_in(row: Model, *attnames: str) -> None:
    """The row's `Later` values of these columns replaced by their values, now known."""
    data = row.__dict__
    for attname in attnames:
        if type(value := data[attname]) is Later:
            data[attname] = value.value


_NOT_YET = object()


class KeysAhead:
    """The automatic keys of new rows, taken in a statement the caller runs anyway inside its transaction
    (`columns()` added to what it returns, `take()` reading them back), so that rows pointing at rows not yet
    written can be built, prepared and written together (issue 20: a report, its notifications and their deliveries
    in one round trip instead of one each). Each row gets a `Later` key at once (rows pointing at it take it
    along), its value when taken. The keys are those the database would give, in order: PostgreSQL's sequence
    (`nextval`: never given twice, as for any insert); on SQLite, past the highest key the table has had (its
    AUTOINCREMENT counter) — sound because the transaction holds the write lock from its BEGIN IMMEDIATE until it
    commits, so nobody else can write a row meanwhile."""

    def __init__(self, rows: Sequence[Sequence[Model]], using: str = "default") -> None:
        self.rows, self.connection = [list(r) for r in rows if r], connections[using]
        if self.connection.vendor not in ("postgresql", "sqlite"):
            raise NotImplementedError(f"keys ahead on {self.connection.vendor}")
        self.width = len(self.rows)  # the columns it adds: one for each model's rows
        for row in (row for some in self.rows for row in some):
            row.pk = Later()

    def columns(self) -> tuple[str, list[Any]]:
        """`, <expression>, …` (one for each list of rows) for a RETURNING or SELECT list, and its parameters."""
        sql, params, quote = "", [], self.connection.ops.quote_name
        for rows in self.rows:
            model = type(rows[0])
            table, key = model._meta.db_table, str(model._meta.pk.column)
            if self.connection.vendor == "postgresql":
                sql += ", ARRAY(SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s) ORDER BY 1)"
                params += [table, key, len(rows)]
            else:  # the highest key it has had: its AUTOINCREMENT counter, or the highest key there (none: 0)
                counter = "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0)"
                highest = f"COALESCE((SELECT MAX({quote(key)}) FROM {quote(table)}), 0)"  # noqa: S608 - the model's names
                sql += f", MAX({counter}, {highest})"
                params.append(table)
        return sql, params

    def take(self, values: Sequence[Any]) -> None:
        """Each row its key, in order, from the values that `columns()` returned."""
        for rows, value in zip(self.rows, values, strict=True):
            keys = value if self.connection.vendor == "postgresql" else range(value + 1, value + len(rows) + 1)
            for row, key in zip(rows, keys, strict=True):
                row.pk.set(key)


class Ahead(Protocol):
    """What a caller's statement also returns (`KeysAhead`; the audit chain's head): `width` more columns, made by
    `columns()` (SQL, parameters) and read back by `take()`."""

    width: int

    def columns(self) -> tuple[str, list[Any]]: ...

    def take(self, values: Sequence[Any]) -> object: ...


def returning(ahead: Sequence[Ahead]) -> tuple[str, list[Any]]:
    """The columns of every `ahead`, one after the other, and their parameters."""
    made = [a.columns() for a in ahead]
    return "".join(sql for sql, _params in made), [p for _sql, params in made for p in params]


def take_ahead(ahead: Sequence[Ahead], values: Sequence[Any]) -> None:
    """Each `ahead` its columns of `values` (the ones `returning` added), in order."""
    for a in ahead:
        a.take(values[: a.width])
        values = values[a.width :]
