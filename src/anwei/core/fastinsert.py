"""Many rows of one model in one INSERT, without the ORM's SQL compiler (issue 20: on the filing path, building the
statements cost more CPU than the database spent running them).

`insert(rows)` writes what `Model.objects.bulk_create(rows)` writes — the same columns, each value prepared by its
field (`pre_save`, then `get_db_prep_save`: time stamps, JSON, dates as the database wants them), automatic ids read
back with RETURNING and set on the rows (other keys written as given) — but the statement's text is made once per
model and row count and kept, a plain value (text, a whole number, an aware UTC time) is written as the field would
have prepared it without its steps, and only relation fields are checked for related rows saved since. Like
bulk_create it sends no signals and calls no `save()` (`core.newrow.new` builds such rows cheaply). `together()`
sends independent statements at once (on PostgreSQL as one statement: one round trip). `prepare(rows)` makes a
statement before the transaction, its values known only inside it left as `ahead.Later` values that `Together.write`
puts in; with keys taken ahead (`ahead.KeysAhead`), rows that point at each other go together (rows whose keys are
all given are written with them, without RETURNING). Where the shortcut does not fit (a model with a parent table or
a generated column, some rows with a key and some without, a value that is an SQL expression, more parameters than
one statement may carry) it hands the rows to bulk_create, so the result is the same either way."""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from typing import Any, NamedTuple
from uuid import UUID

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model
from django.db.models.fields import AutoFieldMixin, DateField, DateTimeField
from django.db.models.signals import post_save, pre_save

from .ahead import Later

MAX_PARAMS = 999  # the lowest limit of the databases we run on (SQLite before 3.32)


_TEXT = {"CharField", "TextField", "SlugField", "EmailField", "URLField"}
_WHOLE = {"IntegerField", "BigIntegerField", "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField"}
_WHOLE |= {"PositiveSmallIntegerField", "AutoField", "BigAutoField", "SmallAutoField"}


def _plain(field: Field[Any, Any]) -> frozenset[type]:
    """The types of value that the field would hand to the database unchanged (a str for a text column, an int for
    a whole number or a key to one, None — NULL — for any but JSON): those skip the field's preparation."""
    kind = field.get_internal_type()
    if kind == "ForeignKey":
        kind = field.target_field.get_internal_type()  # type: ignore[attr-defined]  # a relation: its target's
    types = {str} if kind in _TEXT else {int} if kind in _WHOLE else {bool} if kind == "BooleanField" else set()
    return frozenset(types if kind == "JSONField" else {*types, type(None)})


class Column(NamedTuple):
    field: Field[Any, Any]
    plain: frozenset[type]  # values written as they are (see _plain)
    attname: str | None  # read the value straight from the instance: its pre_save would only read it
    moment: bool  # a DateTimeField: an aware UTC time is written as `_utc_writer` says


_READ_ONLY = {Field.pre_save, DateField.pre_save, DateTimeField.pre_save}  # a date's: unless auto_now(_add)


def _read_straight(field: Field[Any, Any]) -> str | None:
    """The attribute the value is read from, where the field's pre_save only reads it (Field's own; a date or a
    time without auto_now or auto_now_add); None where pre_save does more (sets the time of the save, …)."""
    if type(field).pre_save not in _READ_ONLY or getattr(field, "auto_now", False):
        return None
    return None if getattr(field, "auto_now_add", False) else field.attname


def _utc_writer(connection: BaseDatabaseWrapper) -> Callable[[datetime], Any] | None:
    """How the database's Django backend writes an aware UTC time to a DateTimeField column (what its
    `adapt_datetimefield_value` returns for one): SQLite's naive UTC text when the connection's time zone is UTC,
    PostgreSQL's time as it is; None elsewhere (the field prepares it)."""
    if connection.vendor == "postgresql":
        return _as_it_is
    if connection.vendor == "sqlite" and connection.timezone is UTC:
        return _utc_text
    return None


def _as_it_is(value: datetime) -> datetime:
    return value


def _utc_text(value: datetime) -> str:
    return str(value.replace(tzinfo=None))


class Shape(NamedTuple):
    columns: tuple[Column, ...]  # written, in order
    automatic: bool  # the model's key is an automatic one (the database gives it unless given)
    returns_key: bool  # the key is left out and read back (RETURNING): an automatic key not given


@cache
def _shape(model: type[Model], keys_given: bool) -> Shape | None:
    """The columns written, in order: every concrete one, but an automatic key the rows do not give (read back);
    None for a model with a parent table or a generated column (bulk_create's work)."""
    opts = model._meta
    if opts.parents or any(getattr(f, "generated", False) for f in opts.concrete_fields):
        return None  # a parent table, or a column the database computes: bulk_create knows them
    automatic = isinstance(opts.pk, AutoFieldMixin)
    returns_key = automatic and not keys_given
    columns = tuple(
        Column(f, _plain(f), _read_straight(f), isinstance(f, DateTimeField))
        for f in opts.concrete_fields
        if not (returns_key and f is opts.pk)
    )
    return Shape(columns, automatic, returns_key)


class Relation(NamedTuple):
    field: Field[Any, Any]
    cache_name: str  # the row's cache of the related instance
    attname: str  # the key's column attribute (`unit_id`)
    name: str  # the relation's attribute (`unit`)
    model: type[Model]  # the related model
    pk_attname: str  # its key's attribute
    target_attname: str  # the attribute of the related row the key points at (mostly its key)
    many_to_one: bool  # a ForeignKey of one column: assigning the row sets the key and caches it, nothing more


@cache
def _relations(model: type[Model]) -> tuple[Relation, ...] | None:
    """The concrete relation fields (the only ones `Model._prepare_related_fields_for_save` acts on), with what
    `_relate` reads of each worked out once; None for a model with a generic relation (Django's own step then)."""
    opts = model._meta
    if any(f.is_relation for f in opts.private_fields):
        return None
    return tuple(
        Relation(
            f,
            f.cache_name,  # type: ignore[attr-defined]  # a relation field's cache key
            f.attname,
            f.name,
            f.remote_field.model,  # type: ignore[union-attr]  # a concrete relation: never None
            f.remote_field.model._meta.pk.attname,  # type: ignore[union-attr]
            f.target_field.attname,  # type: ignore[attr-defined]
            f.many_to_one is True and len(f.related_fields) == 1,  # type: ignore[attr-defined]
        )
        for f in opts.concrete_fields
        if f.is_relation
    )


def _relate(row: Model, relations: tuple[Relation, ...]) -> None:
    """`row._prepare_related_fields_for_save("bulk_create")` over the relation fields only (the ORM walks every
    field): an assigned instance saved since gives its key; an unsaved one is refused, as bulk_create refuses it.
    An instance of the related model itself is read from its dictionary; any other (a subclass) as Django reads it."""
    cached, data = row._state.fields_cache, row.__dict__
    for field, cache_name, attname, name, model, pk_attname, target_attname, many_to_one in relations:
        obj = cached.get(cache_name)
        if not obj:
            continue
        if type(obj) is not model or type(obj.__dict__.get(pk_attname)) not in _SET_KEYS:
            _relate_as_django(row, field, obj)
            continue
        if data.get(attname) in field.empty_values:
            if many_to_one:  # what the descriptor does: the key put in (the row is cached already)
                data[attname] = getattr(obj, target_attname)
            else:
                setattr(row, name, obj)
        if obj.__dict__.get(target_attname) != data.get(attname):
            field.delete_cached_value(row)  # type: ignore[attr-defined]  # Django's own step


def _relate_as_django(row: Model, field: Field[Any, Any], obj: Model) -> None:
    """One relation of `_relate` as Django's `_prepare_related_fields_for_save` does it."""
    if not obj._is_pk_set():  # type: ignore[attr-defined]  # Django's own check, not in the type stubs
        remote: Any = field.remote_field  # a relation field's: never None here
        if not remote.multiple:
            remote.delete_cached_value(obj)  # Django's own step
        raise ValueError(f"bulk_create() prohibited to prevent data loss due to unsaved related object '{field.name}'.")
    if getattr(row, field.attname) in field.empty_values:
        setattr(row, field.name, obj)
    if getattr(obj, field.target_field.attname) != getattr(row, field.attname):  # type: ignore[attr-defined]
        field.delete_cached_value(row)  # type: ignore[attr-defined]  # Django's own step


_statements: dict[tuple[type[Model], int, str, bool], str] = {}


def let_psycopg_keep_the_shapes() -> None:
    """psycopg keeps its conversion of a statement (`%s` → `$1`, split at each placeholder) for statements of at
    most 50 parameters, so that the many row counts an ORM's bulk inserts come in do not fill its cache; ours come
    in a few shapes (a filing's notifications and deliveries: some 60 to 100 parameters), and converting them anew
    was a seventh of a filing's time on PostgreSQL. Raised to MAX_PARAMS (the cache keeps its 128 entries)."""
    try:
        from psycopg import _queries
    except ImportError:  # PostgreSQL's driver is not installed: nothing to do
        return
    _queries.MAX_CACHED_STATEMENT_PARAMS = max(_queries.MAX_CACHED_STATEMENT_PARAMS, MAX_PARAMS)


def _statement(model: type[Model], shape: Shape, rows: int, connection: BaseDatabaseWrapper) -> str:
    """`INSERT INTO t (a, b) VALUES (%s, %s), … [RETURNING id]`, made once per model, shape, row count and database."""
    key = (model, rows, connection.vendor, shape.returns_key)
    if (known := _statements.get(key)) is not None:
        return known
    opts, quote = model._meta, connection.ops.quote_name
    names = ", ".join(quote(str(c.field.column)) for c in shape.columns)
    one = "(" + ", ".join(["%s"] * len(shape.columns)) + ")"
    sql = f"INSERT INTO {quote(opts.db_table)} ({names}) VALUES {', '.join([one] * rows)}"  # noqa: S608 - the model's names
    if shape.returns_key:
        sql += f" RETURNING {quote(str(opts.pk.column))}"
    _statements[key] = sql
    return sql


_SET_KEYS = frozenset({int, str, UUID, Later})  # a related row's key of these types is set (None, an expression: not)
_EXPRESSION = object()  # `_db_value`'s answer for an SQL expression (the compiler's work)

LaterAt = tuple[int, Model, Column]  # a Later value's place: its parameter, its row, its column


def _db_value(value: Any, column: Column, connection: BaseDatabaseWrapper) -> Any:
    """A value that is not `plain` as its field prepares it for the database (an aware UTC time written as
    `_utc_writer` says); `_EXPRESSION` for an SQL expression."""
    if column.moment and type(value) is datetime and value.tzinfo is UTC and (utc := _utc_writer(connection)):
        return utc(value)
    if hasattr(value, "resolve_expression"):
        return _EXPRESSION
    return column.field.get_db_prep_save(value, connection)


def _params(
    rows: Sequence[Model], connection: BaseDatabaseWrapper, later: list[LaterAt] | None = None
) -> tuple[Shape, list[Any]] | None:
    """The rows' shape and the statement's parameters, row after row, each value as its field prepares it; None
    where the shortcut does not fit (see the module's text: bulk_create's work). A `Later` value: its place noted
    in `later` (its parameter left to `Together.write`), or without `later` its value put in the row and written."""
    model, keys_given = type(rows[0]), rows[0].pk is not None
    shape = _shape(model, keys_given)
    if (
        shape is None
        or (shape.returns_key and not connection.features.can_return_rows_from_bulk_insert)
        or not (keys_given or shape.automatic)  # a key the database does not give, missing
        or len(rows) * len(shape.columns) > MAX_PARAMS
        or any((row.pk is not None) != keys_given for row in rows)  # some rows with a key, some without
    ):
        return None
    columns, relations = shape.columns, _relations(model)
    params: list[Any] = []
    for row in rows:
        if relations is None:
            # the ignore below: Django's own step of bulk_create (ids of related rows saved after assignment)
            row._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
        else:
            _relate(row, relations)
        data = row.__dict__
        for column in columns:
            field, plain, attname, _moment = column
            if attname is None:
                value = field.pre_save(row, True)
            else:
                value = data[attname] if attname in data else getattr(row, attname)
            if type(value) in plain:
                params.append(value)
                continue
            if type(value) is Later:
                if later is not None:
                    later.append((len(params), row, column))
                    params.append(value)
                    continue
                value = data[field.attname] = value.value
                if type(value) in plain:
                    params.append(value)
                    continue
            if (prepared := _db_value(value, column, connection)) is _EXPRESSION:
                return None
            params.append(prepared)
    return shape, params


class Prepared(NamedTuple):
    """The INSERT of `rows`, made before the transaction (`prepare`), written inside it by `Together.write`."""

    rows: Sequence[Model]
    sql: str | None  # None: bulk_create's work (the Later values put in the rows first)
    params: list[Any]
    later: list[LaterAt]
    key: str | None  # the quoted key column read back (an automatic key not given), else None
    saved: bool  # save()'s signals: pre_save sent when prepared, post_save once written


def prepare(rows: Sequence[Model], *, save: bool = False, using: str = "default") -> Prepared:
    """The statement that writes `rows` (new instances of one model), made now — before the transaction, where no
    other writer waits for it (issue 20) — with their `Later` values left to `Together.write`. `save`: a single
    row of a model without a `save()` of its own, with save()'s signals (pre_save now, post_save once written)."""
    if save:
        for row in rows:
            pre_save.send(sender=type(row), instance=row, raw=False, using=using, update_fields=None)
    later: list[LaterAt] = []
    connection = connections[using]
    if not rows or (made := _params(rows, connection, later)) is None:
        return Prepared(rows, None, [], [], None, save)
    shape, params = made
    model = type(rows[0])
    key = connection.ops.quote_name(str(model._meta.pk.column)) if shape.returns_key else None
    return Prepared(rows, _statement(model, shape, len(rows), connection), params, later, key, save)


class _Part(NamedTuple):
    sql: str
    params: Sequence[Any]
    rows: Sequence[Model] | None  # the rows an INSERT writes; None for another statement
    key: str | None  # the quoted key column an INSERT returns (an automatic key), else None


class Together:
    """The statements of a `together` block (see there)."""

    def __init__(self, using: str) -> None:
        self.using, self.connection = using, connections[using]
        self.one_statement = self.connection.vendor == "postgresql"
        self._parts: list[_Part] = []
        self._sent: list[tuple[Any, _Part]] = []  # (its cursor, the statement) once executed
        self._saved: list[Model] = []  # rows of save_new: post_save once the block has written them

    def insert(self, rows: Sequence[Model]) -> None:
        """Write `rows` (new instances of one model) in one statement; each gets its id when the block ends."""
        if not rows:
            return
        model = type(rows[0])
        if (prepared := _params(rows, self.connection)) is None:
            model._default_manager.using(self.using).bulk_create(rows)  # its own statement: ids at once
            return
        shape, params = prepared
        key = self.connection.ops.quote_name(str(model._meta.pk.column)) if shape.returns_key else None
        self._add(_Part(_statement(model, shape, len(rows), self.connection), params, rows, key))

    def write(self, prepared: Prepared) -> None:
        """Write rows prepared before the transaction (`prepare`), their `Later` values put in the statement and in
        the rows now; each row gets its id when the block ends."""
        rows = prepared.rows
        if prepared.sql is None:  # bulk_create's work: the rows as they are now
            for row in rows:
                data = row.__dict__
                data.update({name: value.value for name, value in data.items() if type(value) is Later})
            self.insert(rows)
        elif rows:
            params = prepared.params
            for i, row, column in prepared.later:
                value = row.__dict__[column.field.attname] = params[i].value
                params[i] = value if type(value) in column.plain else _db_value(value, column, self.connection)
            self._add(_Part(prepared.sql, params, rows, prepared.key))
        if prepared.saved:
            self._saved.extend(rows)

    def save_new(self, row: Model) -> None:
        """`row.save(force_insert=True)` in the block, for a model without a `save()` of its own: pre_save now,
        post_save (created=True) when the block ends and the row has its id."""
        self.write(prepare([row], save=True, using=self.using))

    def execute(self, sql: str, params: Sequence[Any]) -> None:
        """A statement whose result is not read (an UPDATE of a known row, say)."""
        self._add(_Part(sql, params, None, None))

    def _add(self, part: _Part) -> None:
        if self.one_statement:
            self._parts.append(part)
        else:
            self._run(part)

    def _run(self, part: _Part) -> None:
        cursor = self.connection.cursor()
        self._sent.append((cursor, part))
        cursor.execute(part.sql, part.params)

    def finish(self) -> None:
        """Send what is still to send, then give each INSERT's rows their ids."""
        if len(self._parts) > 1:
            self._run_as_one(self._parts)
        elif self._parts:
            self._run(self._parts[0])
        self._parts = []
        for cursor, part in self._sent:
            if part.rows is not None:
                self._set_ids(part, cursor.fetchall() if part.key else None)
        for row in self._saved:
            model, using = type(row), self.using
            post_save.send(sender=model, instance=row, created=True, raw=False, using=using, update_fields=None)
        self._saved = []

    def _run_as_one(self, parts: list[_Part]) -> None:
        """PostgreSQL: the statements as the data-modifying WITH queries of one statement; the keys the INSERTs
        return, numbered by statement and in key order (a multi-row INSERT takes its keys in the rows' order)."""
        ctes = ", ".join(f"s{i} AS ({part.sql})" for i, part in enumerate(parts))
        keys = [
            f"SELECT {i} AS part, {part.key} AS pk FROM s{i}"  # noqa: S608 - the model's own key column
            for i, part in enumerate(parts)
            if part.key
        ]
        answer = " UNION ALL ".join(keys) + " ORDER BY 1, 2" if keys else "SELECT NULL, NULL WHERE FALSE"
        params = [value for part in parts for value in part.params]
        with self.connection.cursor() as cursor:
            cursor.execute(f"WITH {ctes} {answer}", params)
            returned = cursor.fetchall()
        for i, part in enumerate(parts):
            if part.rows is not None:
                self._set_ids(part, [(pk,) for n, pk in returned if n == i] if part.key else None)

    def _set_ids(self, part: _Part, ids: list[tuple[Any]] | None) -> None:
        """The rows are written: each its key from `ids` (the database gave them) or its own (None)."""
        assert part.rows is not None
        if ids is not None:
            for row, (pk,) in zip(part.rows, ids, strict=True):
                row.pk = pk
        for row in part.rows:
            row._state.adding, row._state.db = False, self.using

    def close(self) -> None:
        for cursor, _part in self._sent:
            cursor.close()
        self._sent = []


@contextmanager
def together(using: str = "default") -> Iterator[Together]:
    """Independent statements sent together: on PostgreSQL as ONE statement when the block ends (each a WITH query
    of it: one round trip, one plan), elsewhere one after another as they are made. Inside a transaction that holds
    a lock every other writer waits for, each round trip saved is time the lock is held less. An INSERT's rows get
    their ids when the block ends, so nothing in the block may need them, and no statement may depend on another's
    effect (PostgreSQL runs WITH queries on one snapshot): INSERTs of new rows, an UPDATE of a row none touches."""
    batch = Together(using)
    try:
        yield batch
        batch.finish()
    finally:
        batch.close()


def insert(rows: Sequence[Model], using: str = "default") -> None:
    """Write `rows` (new instances of one model) in one statement; each gets its id."""
    with together(using) as batch:
        batch.insert(rows)


def save_new(row: Model, using: str = "default") -> None:
    """`row.save(force_insert=True)` for a model without a `save()` of its own: the same signals (pre_save,
    post_save with created=True), the row written by `insert`."""
    with together(using) as batch:
        batch.save_new(row)
