"""Secret calendar-subscription links: a calendar program fetches a feed without anyone signing in, so the link
itself is the key. Each user has at most one link per feed (FEEDS); the link carries a value signed with the site's
secret key naming the user and a random nonce kept in FeedKey. Resetting the link draws a new nonce, so every older
link stops working at once. The database alone cannot forge a link (it lacks the signing key), and the key alone
cannot either (it lacks the nonce).

For any app's feed (the reports app's deadlines calendar uses FEEDS["reports.calendar"]):
- `link_token(user, feed)` — the current token, or None before the user has made a link (shown on their page);
- `reset(actor=user, feed=...)` — a new link (audited), what the plans:feed_reset page does;
- `user_for(token, feed)` — the user a token stands for, or None (a link that was reset, forged, or whose user is
  no longer active): the feed view is `login_not_required`, answers 404 for None and builds the feed for that
  user only."""

import secrets
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

from anwei.accounts.actor import Actor, write_service
from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError

from .models import FeedKey

if TYPE_CHECKING:
    from anwei.accounts.models import User

DUTY = "plans.duty"
REPORTS_CALENDAR = "reports.calendar"
FEEDS = {
    DUTY: _("my duty shifts"),
    REPORTS_CALENDAR: _("my deadlines, inspections and shifts"),
}


def _signer(feed: str) -> signing.Signer:
    return signing.Signer(salt=f"anwei.feeds.{feed}")


def _token(key: FeedKey) -> str:
    return _signer(key.purpose).sign(f"{key.user_id}.{key.nonce}")


def link_token(user: Any, feed: str) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    key = FeedKey.objects.filter(user=user, purpose=feed).first()
    return _token(key) if key else None


@write_service
@transaction.atomic
def reset(*, actor: Actor, feed: str) -> str:
    """A new secret link to `feed` for the signed-in `actor` (the first one, or one replacing the old)."""
    if feed not in FEEDS:
        raise BusinessRuleError(_("There is no such calendar."), field="feed")
    if actor.user is None:
        raise BusinessRuleError(_("Sign in to make a calendar link."))
    nonce = secrets.token_urlsafe(24)
    key, created = FeedKey.objects.select_for_update().get_or_create(
        user=actor.user, purpose=feed, defaults={"nonce": nonce}
    )
    if not created:
        key.nonce = nonce
        key.save(update_fields=["nonce"])
    audit.record(
        actor=actor,
        action="create" if created else "update",
        obj=key,
        object_repr=feed,
        changes={"feed": feed, "link": "made" if created else "reset"},  # never the nonce
    )
    return _token(key)


def user_for(token: str, feed: str) -> Any:
    try:
        value = _signer(feed).unsign(token)
    except signing.BadSignature:
        return None
    user_id, _sep, nonce = value.partition(".")
    if not user_id.isdigit() or not nonce:
        return None
    key = FeedKey.objects.filter(user_id=int(user_id), purpose=feed).first()
    if key is None or not constant_time_compare(key.nonce, nonce):
        return None
    user = get_user_model().objects.filter(pk=key.user_id, is_active=True).first()
    return user


@write_service
@transaction.atomic
def revoke_all(*, actor: Actor, user: "User", reason: str) -> int:
    """Every calendar link of `user` stops working (a password change, "sign out everywhere"); the user makes a new
    one on their page. Returns how many there were."""
    keys = list(FeedKey.objects.select_for_update().filter(user=user))
    for key in keys:
        audit.record(
            actor=actor,
            action="delete",
            obj=key,
            object_repr=key.purpose,
            changes={"feed": key.purpose, "link": "revoked", "reason": reason},
        )
    FeedKey.objects.filter(pk__in=[key.pk for key in keys]).delete()
    return len(keys)


def on_credentials_revoked(sender: Any, *, user: Any, actor: Any, reason: str, **kwargs: Any) -> None:
    revoke_all(actor=actor, user=user, reason=reason)
