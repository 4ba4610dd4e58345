"""The policy base: one policy object per model with `can(user, action, obj)` and `visible(user, queryset)`.
Pages, the API and exports all ask these; nothing else decides who may do what.

A policy decides over a `Scope`: the units (with their subtrees) where a user's roles allow an action. Turning role
assignments into a scope is the accounts app's (accounts.scope.scope_for), which sits above core: it hands its
function to `use_scopes` when the apps are ready, so core never imports it."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from .errors import NotAllowed


@dataclass(frozen=True)
class Scope:
    """Unit-tree paths ("/12/34/") whose subtrees an action reaches; "/" is everywhere, none is nowhere."""

    paths: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.paths

    @property
    def everywhere(self) -> bool:
        return "/" in self.paths

    def covers(self, unit: Any) -> bool:
        if unit is None:
            return self.everywhere
        return any(unit.path.startswith(p) for p in self.paths)

    def q(self, unit_field: str = "unit") -> Q:
        """A filter for rows whose `unit_field` lies in the scope (nothing when the scope is empty); "" for units."""
        if self.everywhere:
            return Q()
        key = f"{unit_field}__path__startswith" if unit_field else "path__startswith"
        query = Q(pk__in=[])
        for path in self.paths:
            query |= Q(**{key: path})
        return query


ScopeFor = Callable[[Any, str], Scope]
_scope_for: ScopeFor | None = None


def use_scopes(scope_for: ScopeFor) -> None:
    """Set the function that gives a user's scope for an action (accounts.scope.scope_for, at start-up)."""
    global _scope_for
    _scope_for = scope_for


def scope_for(user: Any, action: str) -> Scope:
    if _scope_for is None:
        raise RuntimeError("No scopes: accounts.scope.scope_for is set when the apps are ready (AccountsConfig)")
    return _scope_for(user, action)


class Policy:
    model: ClassVar[type[Model]]  # type: ignore[misc]
    unit_field: ClassVar[str] = "unit"
    view_action: ClassVar[str]

    def scope(self, user: Any, action: str) -> Scope:
        return scope_for(user, action)

    def unit_of(self, obj: Any) -> Any:
        return getattr(obj, self.unit_field, None)

    def visible(self, user: Any, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else self.model._default_manager.all()
        if not getattr(user, "is_authenticated", False):
            return qs.none()
        return qs.filter(self.scope(user, self.view_action).q(self.unit_field))

    def can(self, user: Any, action: str, obj: Any = None) -> bool:
        if not getattr(user, "is_authenticated", False):
            return False
        scope = self.scope(user, action)
        if obj is None:
            return not scope.empty
        return scope.covers(self.unit_of(obj))

    def require(self, user: Any, action: str, obj: Any = None) -> None:
        if not self.can(user, action, obj):
            raise NotAllowed()

    def get_visible(self, user: Any, pk: Any, queryset: QuerySet[Any] | None = None) -> Any:
        """The only way a view loads a protected object: 404 alike for 'does not exist' and 'not yours'."""
        try:
            return self.visible(user, queryset).get(pk=pk)
        except (ObjectDoesNotExist, ValueError, TypeError) as exc:
            raise Http404(_("Not found.")) from exc
