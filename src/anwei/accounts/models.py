"""Users, their role assignments over the unit tree, need-to-know grants and personal API tokens."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device

from anwei.directory.models import Agency, Person, Unit

from .roles import Role


# the ignore below: django-stubs wants a typed manager; the default UserManager serves
class User(AbstractUser):  # type: ignore[django-manager-missing]
    person = models.OneToOneField(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
        verbose_name=_("person"),
    )
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("agency"),
    )

    # Changed by "sign out everywhere": every session signed with the old value ends (see _get_session_auth_hash).
    session_epoch = models.CharField(max_length=32, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Sessions are bound to the password and to the session epoch: changing either ends them all."""
        key_salt = "anwei.accounts.User.get_session_auth_hash"
        value = f"{self.password}:{self.session_epoch}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()

    @property
    def display_name(self) -> str:
        if self.person_id:
            # the ignore below: person_id is set (checked on the line above)
            return self.person.name  # type: ignore[union-attr]
        return self.get_full_name() or self.username


class RoleAssignment(models.Model):
    """A role on a unit; it covers the unit and everything under it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("unit"))
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [models.UniqueConstraint(fields=["user", "role", "unit"], name="role_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} @ {self.unit}"


class AccessGrantQuerySet(models.QuerySet["AccessGrant"]):
    def active(self) -> "AccessGrantQuerySet":
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))

    def for_object(self, obj: models.Model) -> "AccessGrantQuerySet":
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))


class AccessGrant(models.Model):
    """A written need-to-know grant: `user` may see the restricted record, for `reason`, granted by someone
    authorised."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_grants")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    record = GenericForeignKey("content_type", "object_id")
    reason = models.CharField(_("reason"), max_length=300)
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = AccessGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("need-to-know grant")
        verbose_name_plural = _("need-to-know grants")
        indexes = [models.Index(fields=["content_type", "object_id", "user"])]

    def __str__(self) -> str:
        return f"{self.user} → {self.content_type.model}#{self.object_id}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; it acts with its owner's permissions, never more."""

    PREFIX = "anw_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def new_raw(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class SecurityPolicy(models.Model):
    """Site-wide sign-in rules that an admin may tighten (one row)."""

    mfa_required_for_all = models.BooleanField(_("require two-factor sign-in for everyone"), default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("security policy")
        verbose_name_plural = _("security policy")

    def __str__(self) -> str:
        return str(_("security policy"))

    @classmethod
    def current(cls) -> "SecurityPolicy":
        return cls.objects.get_or_create(pk=1)[0]


def hash_recovery_code(raw: str) -> str:
    return hashlib.sha256(normalise_recovery_code(raw).encode()).hexdigest()


def normalise_recovery_code(raw: str) -> str:
    return "".join(ch for ch in raw.lower() if ch.isalnum())


class RecoveryCodeDevice(Device):  # type: ignore[misc]  # django_otp has no type hints
    """One-time recovery codes, for a lost phone. Only SHA-256 hashes of the codes are stored (each code carries
    50 random bits, so a plain hash is enough); each code works once."""

    class Meta(Device.Meta):  # type: ignore[misc]  # the same
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def verify_token(self, token: str) -> bool:
        if not isinstance(token, str) or not 8 <= len(normalise_recovery_code(token)) <= 20:
            return False
        used = self.codes.filter(code_hash=hash_recovery_code(token), used_at__isnull=True).update(
            used_at=timezone.now()
        )
        return bool(used == 1)

    def remaining(self) -> int:
        return int(self.codes.filter(used_at__isnull=True).count())


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64, db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"recovery code #{self.pk}"


class SignInThrottle(models.Model):
    """Failed sign-ins (wrong passwords and wrong second-factor codes) counted per user name and per client address
    (accounts.lockout). Reaching the limit locks the name or the address for a cool-off that doubles with each
    lockout in a row; nothing is locked for good."""

    class Kind(models.TextChoices):
        USER = "user", _("User name")
        ADDRESS = "address", _("Client address")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    label = models.CharField(_("user name or address"), max_length=150)
    failures = models.PositiveIntegerField(_("failed attempts"), default=0)
    lockouts = models.PositiveIntegerField(_("lockouts in a row"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in throttle")
        verbose_name_plural = _("sign-in throttles")
        constraints = [models.UniqueConstraint(fields=["kind", "label"], name="accounts_throttle_once")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.label}"
