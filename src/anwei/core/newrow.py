"""A new row as `Model(**values)` builds it, from defaults worked out once per model (issue 20: a filing builds some
twenty rows, and Django's `Model.__init__` walks every field through the keyword arguments for each). The rows are
written by `core.fastinsert`."""

from collections.abc import Callable
from functools import cache
from typing import Any, NamedTuple

from django.db.models import ForeignKey, Model
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

_CONSTANT = (str, int, float, bool, type(None))  # a default of these types is the same value for every row


class _Blank(NamedTuple):
    constants: dict[str, Any]  # attname → the default every new row starts with
    computed: tuple[tuple[str, Callable[[], Any]], ...]  # attname → its default's maker (a time, a dict, …)
    plain: frozenset[str]  # attnames whose value is only kept in the instance's dictionary
    relations: dict[str, ForeignKey[Any, Any]]  # name → a many-to-one field (given the related row)


@cache
def _blank(model: type[Model]) -> _Blank | None:
    """What `Model.__init__` works out for every row of `model`, worked out once; None where `new` does not fit (a
    field that is not a plain column or a many-to-one relation, a column kept by a descriptor of its own)."""
    constants: dict[str, Any] = {}
    computed: list[tuple[str, Callable[[], Any]]] = []
    plain: set[str] = set()
    relations: dict[str, ForeignKey[Any, Any]] = {}
    for field in model._meta.fields:
        if field.column is None or field.generated or (field.is_relation and type(field) is not ForeignKey):
            return None
        if type(model.__dict__.get(field.attname)) not in (DeferredAttribute, ForeignKeyDeferredAttribute):
            return None  # a descriptor that does more than keep the value (a file, a custom field)
        value = field.get_default()
        if (not field.has_default() or not callable(field.default)) and type(value) in _CONSTANT:
            constants[field.attname] = value  # None, "" or the field's own plain value: the same for every row
        else:
            computed.append((field.attname, field.get_default))
        plain.add(field.attname)
        if type(field) is ForeignKey:
            relations[field.name] = field
    return _Blank(constants, tuple(computed), frozenset(plain), relations)


def new[M: Model](model: type[M], **values: Any) -> M:
    """`model(**values)` — a new row, its defaults filled in, a related row given by name cached as its field
    caches it — without Django's per-field walk through the keyword arguments (issue 20: a filing builds some twenty
    rows). Hands over to `model(**values)` when anything listens to the model's init signals, when `_blank` finds a
    field it does not know, or when a value is not a column or a related row of the right model."""
    blank = _blank(model)
    if blank is None or pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model(**values)
    row = model.__new__(model)
    row._state = ModelState()
    data = row.__dict__
    data.update(blank.constants)
    for attname, maker in blank.computed:
        data[attname] = maker()
    for name, value in values.items():
        if name in blank.plain:
            data[name] = value
        elif (field := blank.relations.get(name)) is not None and (
            value is None or isinstance(value, field.remote_field.model)
        ):
            setattr(row, name, value)  # the descriptor: the key from the related row, and the row cached
        else:
            return model(**values)
    return row
