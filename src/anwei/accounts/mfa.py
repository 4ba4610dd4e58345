"""Two-factor sign-in (TOTP through django-otp, with one-time recovery codes): who needs it, whether this session
has passed it, and the enrolment QR code. Writes are in services.py."""

import base64
from typing import Any

import qrcode
import qrcode.image.svg
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import RecoveryCodeDevice, SecurityPolicy
from .roles import MFA_REQUIRED
from .scope import roles_of

_CACHE_ATTR = "_anwei_mfa"


def required_for(user: Any) -> bool:
    """Two-factor is required for the roles in MFA_REQUIRED, for superusers, and for everyone when an admin has
    switched that on."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or roles_of(user) & set(MFA_REQUIRED):
        return True
    return SecurityPolicy.current().mfa_required_for_all


def totp_device(user: Any) -> TOTPDevice | None:
    """The user's confirmed authenticator, if any."""
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("-pk").first()


def enrolled(user: Any) -> bool:
    return bool(TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists())


def recovery_device(user: Any) -> RecoveryCodeDevice | None:
    device: RecoveryCodeDevice | None = RecoveryCodeDevice.objects.filter(user_id=user.pk, confirmed=True).first()
    return device


def verified(user: Any) -> bool:
    """This session passed the second factor (django-otp's middleware sets `is_verified`)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def must_verify(user: Any) -> bool:
    """The user has to pass the second factor in this session before anything else: required, or enrolled by
    choice (an enrolled factor is always asked for)."""
    if not getattr(user, "is_authenticated", False) or verified(user):
        return False
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = required_for(user) or enrolled(user)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def secret_base32(device: TOTPDevice) -> str:
    """The key as the authenticator apps type it in (for manual entry)."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_svg(text: str) -> str:
    """An inline SVG QR code (no script, no external image): safe under the site's CSP."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg: str = image.to_string(encoding="unicode")
    # drop the XML declaration so it can sit inside HTML
    return svg.split("?>", 1)[-1].strip() if svg.startswith("<?xml") else svg
