"""Writes for accounts: users, role assignments, need-to-know grants and API tokens — each with its audit entry."""

import secrets
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.directory.models import Agency, Person, Unit

from . import mfa, scope
from .actor import Actor, write_service
from .models import (
    AccessGrant,
    ApiToken,
    RecoveryCode,
    RecoveryCodeDevice,
    RoleAssignment,
    SecurityPolicy,
    User,
    hash_recovery_code,
    hash_token,
)
from .roles import Role


@write_service
@transaction.atomic
def create_user(
    *,
    actor: Actor,
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


@write_service
@transaction.atomic
def assign_role(*, actor: Actor, user: User, role: Role | str, unit: Unit) -> RoleAssignment:
    if role not in Role.values:
        raise BusinessRuleError(_("Unknown role."), field="role")
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user,
        role=role,
        unit=unit,
        defaults={"granted_by": actor.user},
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


@write_service
@transaction.atomic
def remove_role(*, actor: Actor, assignment: RoleAssignment) -> None:
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


def _granter(actor: Actor) -> User:
    """A grant names who granted it: a person, never the system."""
    if actor.user is None:
        raise NotAllowed()
    return actor.user


@write_service
@transaction.atomic
def grant_access(
    *, actor: Actor, user: User, record: models.Model, reason: str, expires_at: datetime | None = None
) -> AccessGrant:
    """A written need-to-know grant on a restricted record, until `expires_at` (exclusive) or until revoked. The
    caller's policy decides who may grant."""
    if not reason.strip():
        raise BusinessRuleError(_("A grant needs a reason."), field="reason")
    if expires_at is not None and expires_at <= timezone.now():
        raise BusinessRuleError(_("A grant must end in the future."), field="expires_at")
    grant = AccessGrant.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(record),
        object_id=str(record.pk),
        reason=reason.strip(),
        granted_by=_granter(actor),
        expires_at=expires_at,
    )
    audit.record(
        actor=actor,
        action=audit.Action.GRANT,
        object_type=record._meta.label_lower,
        object_id=record.pk,
        object_repr=f"{record._meta.label_lower}#{record.pk}",
        changes={"need_to_know": user.username, "reason": grant.reason, "expires_at": expires_at},
    )
    return grant


@write_service
@transaction.atomic
def revoke_access(*, actor: Actor, grant: AccessGrant) -> AccessGrant:
    """End a need-to-know grant now. Revoking one already revoked changes nothing and records nothing."""
    grant = AccessGrant.objects.select_for_update().select_related("content_type", "user").get(pk=grant.pk)
    if grant.revoked_at is not None:
        return grant
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
    return grant


@write_service
@transaction.atomic
def create_token(*, actor: Actor, user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token and its raw value, which is shown once and never stored."""
    name = name.strip()[:80] or "API"
    raw = ApiToken.new_raw()
    token = ApiToken.objects.create(user=user, name=name, token_hash=hash_token(raw), hint=raw[:8])
    audit.record(actor=actor, action=audit.Action.CREATE, obj=token, object_repr=str(token))
    return token, raw


@transaction.atomic
def create_own_token(*, user: User, name: str, password: str, code: str = "") -> tuple[ApiToken, str]:
    """A signed-in user's own new token — only after the password again, and the code from the authenticator when
    the user has one: a token outlives the session, so a borrowed or stolen session must not mint one. A wrong
    password or code raises (the view counts it as a failed sign-in)."""
    if not user.check_password(password):
        raise BusinessRuleError(_("The password is not right."), field="password")
    if mfa.enrolled(user) and _device_accepting(user, code) is None:
        raise BusinessRuleError(_("The code is not right. Try again with the code your app shows now."), field="code")
    return create_token(actor=Actor.of(user), user=user, name=name)


@write_service
@transaction.atomic
def revoke_token(*, actor: Actor, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action=audit.Action.REVOKE, obj=token, object_repr=str(token))


def user_for_token(raw: str) -> User | None:
    """The active user behind a raw token, or None (looked up by its hash in the per-process cache)."""
    from .tokencache import user_for_token as cached

    return cached(raw)


# --- Sign-in security: two-factor, sessions, passwords, lockout (each on the audit log) ---------------------------

RECOVERY_CODE_COUNT = 10


def _new_recovery_code() -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes (0/o, 1/l/i)
    raw = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


@transaction.atomic
def start_enrolment(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for the user (earlier unconfirmed ones are discarded)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@write_service
@transaction.atomic
def confirm_enrolment(*, actor: Actor, device: TOTPDevice, token: str) -> list[str]:
    """The first code from the app confirms the authenticator; it replaces any earlier one. Returns new recovery
    codes, to be shown once."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if device.confirmed or not device.verify_token(token.strip()):
        raise BusinessRuleError(_("The code is not right. Check the time on your phone and try again."), field="token")
    TOTPDevice.objects.filter(user_id=device.user_id, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(
        actor=actor,
        action=audit.Action.CREATE,
        obj=device.user,
        object_repr=device.user.username,
        changes={"two_factor": "enrolled"},
    )
    return new_recovery_codes(actor=actor, user=device.user)


@write_service
@transaction.atomic
def new_recovery_codes(*, actor: Actor, user: User) -> list[str]:
    """Ten new one-time recovery codes (the earlier ones stop working). Only their hashes are stored."""
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(RecoveryCode(device=device, code_hash=hash_recovery_code(c)) for c in codes)
    audit.record(
        actor=actor,
        action=audit.Action.UPDATE,
        obj=user,
        object_repr=user.username,
        changes={"two_factor": "new recovery codes"},
    )
    return codes


@write_service
@transaction.atomic
def remove_second_factor(*, actor: Actor, user: User) -> None:
    """Remove the authenticator and the recovery codes (the user by choice, or an admin for a lost phone)."""
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCodeDevice.objects.filter(user=user).delete()
    audit.record(
        actor=actor,
        action=audit.Action.DELETE,
        obj=user,
        object_repr=user.username,
        changes={"two_factor": "removed"},
    )


def _device_accepting(user: User, token: str) -> Device | None:
    """The device that accepts `token` (authenticator first, then a recovery code, which it uses up), or None."""
    token = token.strip()[:32]
    with transaction.atomic():
        for candidate in (*TOTPDevice.objects.filter(user=user, confirmed=True), mfa.recovery_device(user)):
            if candidate is None:
                continue
            locked = type(candidate).objects.select_for_update().get(pk=candidate.pk)
            if locked.verify_token(token):
                return locked
    return None


def check_second_factor(*, user: User, token: str) -> Device | None:
    """The device that accepts `token` (authenticator first, then a recovery code), or None. A success goes on the
    audit log here; the view reports a failure as a failed sign-in (audit log and lockout count)."""
    with transaction.atomic():
        device = _device_accepting(user, token)
        if device is not None:
            kind = "recovery code" if isinstance(device, RecoveryCodeDevice) else "authenticator"
            audit.record(
                actor=user,
                action=audit.Action.LOGIN,
                obj=user,
                object_repr=user.username,
                changes={"second_factor": kind},
            )
    return device


@write_service
@transaction.atomic
def set_mfa_required_for_all(*, actor: Actor, required: bool) -> SecurityPolicy:
    policy = SecurityPolicy.objects.select_for_update().get_or_create(pk=1)[0]
    before = audit.snapshot(policy, ["mfa_required_for_all"])
    policy.mfa_required_for_all = required
    policy.updated_at = timezone.now()
    policy.save()
    audit.record_update(actor=actor, obj=policy, before=before)
    return policy


def _revoke_standing_credentials(*, actor: Actor, user: User, reason: str) -> None:
    """Whatever lets someone act as `user` without a session ends with the sessions: the API tokens here, and the
    other apps' credentials (calendar links) through the `credentials_revoked` signal."""
    from .signals import credentials_revoked

    for token in ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True):
        revoke_token(actor=actor, token=token)
    credentials_revoked.send(sender=User, user=user, actor=actor.user, reason=reason)


@write_service
@transaction.atomic
def change_password(*, actor: Actor, user: User, password: str) -> None:
    """Set a new password (already validated). Every other session of the user ends with it, and so do the user's
    API tokens and calendar links (they may have been taken with the old password)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(
        actor=actor, action=audit.Action.UPDATE, obj=user, object_repr=user.username, changes={"password": "changed"}
    )
    _revoke_standing_credentials(actor=actor, user=user, reason="password changed")


@write_service
@transaction.atomic
def sign_out_everywhere(*, actor: Actor, user: User) -> None:
    """End every session of the user, on every device (the session epoch is part of each session's hash), and every
    API token and calendar link."""
    user.session_epoch = secrets.token_hex(16)
    user.save(update_fields=["session_epoch"])
    audit.record(
        actor=actor, action=audit.Action.LOGOUT, obj=user, object_repr=user.username, changes={"everywhere": True}
    )
    _revoke_standing_credentials(actor=actor, user=user, reason="signed out everywhere")


@write_service
@transaction.atomic
def unlock(*, actor: Actor, username: str = "", address: str = "") -> int:
    """Lift the lock on a user name or a client address (accounts.lockout) before its cool-off ends; audited."""
    from .models import SignInThrottle

    kind, label = (
        (SignInThrottle.Kind.USER, username.strip().lower()[:150])
        if username
        else (SignInThrottle.Kind.ADDRESS, address.strip()[:45])
    )
    row = SignInThrottle.objects.select_for_update().filter(kind=kind, label=label).first()
    if row is None:
        return 0
    cleared = row.failures
    locked_until = row.locked_until
    row.failures, row.locked_until = 0, None
    row.save(update_fields=["failures", "locked_until"])
    audit.record(
        actor=actor,
        action=audit.Action.OTHER,
        object_type="accounts.user" if kind == SignInThrottle.Kind.USER else "accounts.address",
        object_id=User.objects.filter(username__iexact=label).values_list("pk", flat=True).first() or ""
        if kind == SignInThrottle.Kind.USER
        else "",
        object_repr=label,
        changes={"unlocked": label, "locked_until": locked_until, "lockouts_in_a_row": row.lockouts},
    )
    return cleared
