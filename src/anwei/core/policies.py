"""The policy base: one policy object per model with `can(actor, action, obj)` and `visible(actor, queryset)`.
Pages, the API and exports all ask these; nothing else decides who may do what.

Policies take an `Actor` (anwei.accounts.actor); a request's user handed in is wrapped at once (`Actor.of`), so
templates and older callers keep working while everything moves to actors."""

from typing import Any, ClassVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, Who
from anwei.accounts.scope import Scope

from .errors import NotAllowed


class Policy:
    model: ClassVar[type[Model]]
    unit_field: ClassVar[str] = "unit"
    view_action: ClassVar[str]

    def scope(self, who: Who, action: str) -> Scope:
        return Actor.of(who).scope(action)

    def unit_of(self, obj: Any) -> Any:
        return getattr(obj, self.unit_field, None)

    def visible(self, who: Who, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else self.model._default_manager.all()
        actor = Actor.of(who)
        if not actor.is_authenticated:
            return qs.none()
        return qs.filter(self.scope(actor, self.view_action).q(self.unit_field))

    def can(self, who: Who, action: str, obj: Any = None) -> bool:
        actor = Actor.of(who)
        if not actor.is_authenticated:
            return False
        scope = self.scope(actor, action)
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
