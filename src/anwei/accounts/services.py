"""Writes for accounts: users, role assignments, need-to-know grants and API tokens — each with its audit entry."""

from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError
from anwei.directory.models import Agency, Person, Unit

from . import scope
from .models import AccessGrant, ApiToken, RoleAssignment, User, hash_token
from .roles import Role


@transaction.atomic
def create_user(
    *,
    actor: Any,
    username: str,
    password: str | None,
    agency: Agency | None = None,
    person: Person | None = None,
    email: str = "",
) -> User:
    if User.objects.filter(username__iexact=username).exists():
        raise BusinessRuleError(_("This user name is taken."), field="username")
    user = User(username=username, agency=agency, person=person, email=email or (person.email if person else ""))
    if person is not None:
        user.first_name = person.name
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit.record(
        actor=actor,
        action=audit.Action.CREATE,
        obj=user,
        changes={"username": username, "person": person and person.pk},
    )
    return user


@transaction.atomic
def assign_role(*, actor: Any, user: User, role: Role | str, unit: Unit) -> RoleAssignment:
    if role not in Role.values:
        raise BusinessRuleError(_("Unknown role."), field="role")
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user,
        role=role,
        unit=unit,
        defaults={"granted_by": actor if getattr(actor, "pk", None) else None},
    )
    if created:
        audit.record(
            actor=actor,
            action=audit.Action.GRANT,
            obj=user,
            object_repr=user.username,
            changes={"role": str(role), "unit": unit.pk, "unit_name": unit.name},
        )
    scope.forget(user)
    return assignment


@transaction.atomic
def remove_role(*, actor: Any, assignment: RoleAssignment) -> None:
    user = assignment.user
    audit.record(
        actor=actor,
        action=audit.Action.REVOKE,
        obj=user,
        object_repr=user.username,
        changes={"role": assignment.role, "unit": assignment.unit_id},
    )
    assignment.delete()
    scope.forget(user)


@transaction.atomic
def grant_access(
    *, actor: Any, user: User, record: models.Model, reason: str, expires_at: datetime | None = None
) -> AccessGrant:
    """A written need-to-know grant on a restricted record. The caller's policy decides who may grant."""
    if not reason.strip():
        raise BusinessRuleError(_("A grant needs a reason."), field="reason")
    grant = AccessGrant.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(record),
        object_id=str(record.pk),
        reason=reason.strip(),
        granted_by=actor,
        expires_at=expires_at,
    )
    audit.record(
        actor=actor,
        action=audit.Action.GRANT,
        object_type=record._meta.label_lower,
        object_id=record.pk,
        object_repr=f"{record._meta.label_lower}#{record.pk}",
        changes={"need_to_know": user.username, "reason": grant.reason},
    )
    return grant


@transaction.atomic
def revoke_access(*, actor: Any, grant: AccessGrant) -> None:
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor,
        action=audit.Action.REVOKE,
        object_type=grant.content_type.app_label + "." + grant.content_type.model,
        object_id=grant.object_id,
        object_repr=f"{grant.content_type.model}#{grant.object_id}",
        changes={"need_to_know": grant.user.username},
    )


@transaction.atomic
def create_token(*, actor: Any, user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token and its raw value, which is shown once and never stored."""
    name = name.strip()[:80] or "API"
    raw = ApiToken.new_raw()
    token = ApiToken.objects.create(user=user, name=name, token_hash=hash_token(raw), hint=raw[:8])
    audit.record(actor=actor, action=audit.Action.CREATE, obj=token, object_repr=str(token))
    return token, raw


@transaction.atomic
def revoke_token(*, actor: Any, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action=audit.Action.REVOKE, obj=token, object_repr=str(token))


def user_for_token(raw: str) -> User | None:
    """The active user behind a raw token, or None."""
    if not raw.startswith(ApiToken.PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
