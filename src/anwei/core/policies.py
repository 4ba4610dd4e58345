"""The policy base: one policy object per model with `can(user, action, obj)` and `visible(user, queryset)`.
Pages, the API and exports all ask these; nothing else decides who may do what. They take whoever acts: an
`Actor` (anwei.accounts.actor, what services hand in) or a request's user (templates, older callers) — anything
that says whether it is signed in (`Principal`); accounts turns either into its scope.

A policy decides over a `Scope`: the units (with their subtrees) where a user's roles allow an action. Turning role
assignments into a scope is the accounts app's (accounts.scope.scope_for), which sits above core: it hands its
function to `use_scopes` when the apps are ready, so core never imports it."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

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


class Principal(Protocol):
    """Who acts, as core sees it (an accounts Actor or user): core asks only whether it is signed in."""

    @property
    def is_authenticated(self) -> bool: ...


type Who = Principal | None


def signed_in(who: Who) -> bool:
    return who is not None and bool(who.is_authenticated)


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
    model: ClassVar[type[Model]]
    unit_field: ClassVar[str] = "unit"
    view_action: ClassVar[str]

    def scope(self, who: Who, action: str) -> Scope:
        return scope_for(who, action)

    def unit_of(self, obj: Any) -> Any:
        return getattr(obj, self.unit_field, None)

    def visible(self, who: Who, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else self.model._default_manager.all()
        if not signed_in(who):
            return qs.none()
        return qs.filter(self.scope(who, self.view_action).q(self.unit_field))

    def can(self, who: Who, action: str, obj: Any = None) -> bool:
        if not signed_in(who):
            return False
        scope = self.scope(who, action)
        if obj is None:
            return not scope.empty
        return scope.covers(self.unit_of(obj))

    def require(self, who: Who, action: str, obj: Any = None) -> None:
        if not self.can(who, action, obj):
            raise NotAllowed()

    def get_visible(self, who: Who, pk: Any, queryset: QuerySet[Any] | None = None) -> Any:
        """The only way a service or view loads a protected object: 404 alike for 'does not exist' and 'not yours'."""
        try:
            return self.visible(who, queryset).get(pk=pk)
        except (ObjectDoesNotExist, ValueError, TypeError) as exc:
            raise Http404(_("Not found.")) from exc
