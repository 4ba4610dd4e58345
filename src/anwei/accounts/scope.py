"""Where a user's roles reach: the units (with their subtrees) on which the user holds a role that allows an
action. The only place that turns role assignments into unit scopes (core.policies.Scope); the policy base asks
it through the hook this app sets at start-up (AccountsConfig.ready)."""

from typing import Any

from anwei.core.policies import Scope as Scope  # re-exported: accounts' callers name it here

from .models import AccessGrant, RoleAssignment
from .roles import roles_for

_CACHE_ATTR = "_anwei_assignments"


def _user(who: Any) -> Any:
    """The user behind an Actor (anwei.accounts.actor), or `who` itself."""
    from .actor import Actor

    return who.user if isinstance(who, Actor) else who


def assignments(user: Any) -> list[tuple[str, str]]:
    """(role, unit path) pairs of the user, loaded once per user object (i.e. once per request)."""
    user = _user(user)
    if user is None or not user.is_authenticated:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(
            RoleAssignment.objects.filter(user_id=user.pk, unit__active=True).values_list("role", "unit__path")
        )
        if user.is_superuser:
            cached.append(("admin", "/"))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget(user: Any) -> None:
    user = _user(user)
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def roles_of(user: Any) -> set[str]:
    return {role for role, _ in assignments(user)}


def has_role(user: Any, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def scope_for(user: Any, action: str) -> Scope:
    allowed = roles_for(action)
    paths = sorted({path for role, path in assignments(user) if role in allowed})
    # drop paths covered by a shorter one
    kept: list[str] = []
    for path in paths:
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return Scope(tuple(kept))


def can_anywhere(user: Any, action: str) -> bool:
    return not scope_for(user, action).empty


def has_need_to_know(user: Any, obj: Any) -> bool:
    """An active written grant for this user on this record."""
    user = _user(user)
    if user is None or not user.is_authenticated:
        return False
    return AccessGrant.objects.active().for_object(obj).filter(user_id=user.pk).exists()


def need_to_know_ids(user: Any, model: Any) -> Any:
    """Subquery of the primary keys of `model` records the user holds an active grant for."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import BigIntegerField
    from django.db.models.functions import Cast

    user = _user(user)
    if user is None:
        return AccessGrant.objects.none().values("object_id")
    pk = model._meta.pk
    # object_id is text (any model's key); compare as the model's own key type, which PostgreSQL insists on.
    as_key = Cast("object_id", BigIntegerField() if pk.get_internal_type().endswith("AutoField") else pk)
    return (
        AccessGrant.objects.active()
        .filter(user_id=user.pk, content_type=ContentType.objects.get_for_model(model))
        .annotate(key=as_key)
        .values("key")
    )
