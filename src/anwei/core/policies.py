"""The policy base: one policy object per model with `can(user, action, obj)` and `visible(user, queryset)`.
Pages, the API and exports all ask these; nothing else decides who may do what."""

from typing import Any, ClassVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from anwei.accounts.scope import Scope, scope_for

from .errors import NotAllowed


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
