"""Reads: a user's inbox and unread count, a record's notifications (for its timeline), the unacknowledged ones
(for escalation), delivery status for ethics officers."""

from datetime import timedelta

from django.db import models
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from anwei.accounts.actor import Who

from . import policies
from .models import ContactChannel, Delivery, LocalMail, Notification


def inbox(user: Who, *, unread_only: bool = False) -> QuerySet[Notification]:
    qs = policies.inbox.visible(user)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_count(user: Who) -> int:
    return inbox(user, unread_only=True).count()


def _source_filter(source: models.Model) -> Q:
    return Q(source_type=source._meta.label_lower, source_id=str(source.pk))


def for_source(source: models.Model) -> QuerySet[Notification]:
    """Every notification about one record with its deliveries, oldest first (for the record's timeline; the
    caller has already decided the user may see the record)."""
    return (
        Notification.objects.filter(_source_filter(source))
        .select_related("person", "contact", "acknowledged_by")
        .prefetch_related(Prefetch("deliveries", queryset=Delivery.objects.order_by("id")))
        .order_by("created_at", "id")
    )


def unacknowledged(source: models.Model | None = None, older_than: timedelta | None = None) -> QuerySet[Notification]:
    """Notifications that require acknowledgement and have none — for a record, and/or older than a time."""
    qs = Notification.objects.filter(require_ack=True, acknowledged_at__isnull=True)
    if source is not None:
        qs = qs.filter(_source_filter(source))
    if older_than is not None:
        qs = qs.filter(created_at__lte=timezone.now() - older_than)
    return qs.select_related("person", "contact").order_by("created_at", "id")


def delivery_status(user: Who, *, status: str = "") -> QuerySet[Notification]:
    qs = policies.deliveries.visible(user).filter(deliveries__isnull=False)
    if status in Delivery.Status.values:
        qs = qs.filter(deliveries__status=status)
    return (
        qs.distinct()
        .select_related("person", "contact")
        .prefetch_related(Prefetch("deliveries", queryset=Delivery.objects.order_by("id")))
    )


def deliveries_for_export(user: Who, *, status: str = "") -> QuerySet[Delivery]:
    """The deliveries of the notifications the user may see delivery status of, one row each (for CSV)."""
    qs = Delivery.objects.filter(notification__in=policies.deliveries.visible(user))
    if status in Delivery.Status.values:
        qs = qs.filter(status=status)
    return qs.select_related("notification__person", "notification__contact").order_by("-notification_id", "id")


def delivery_counts(user: Who) -> dict[str, int]:
    rows = (
        Delivery.objects.filter(notification__in=policies.deliveries.visible(user))
        .values("status")
        .annotate(n=Count("id"))
    )
    return {row["status"]: row["n"] for row in rows}


def contact_channels(user: Who) -> QuerySet[ContactChannel]:
    return policies.contact_channels.visible(user).select_related("person", "contact__organisation")


def local_mailbox(user: Who) -> QuerySet[LocalMail]:
    """The e-mail kept in the local mailbox for the notifications of the agencies the user works in."""
    if not policies.deliveries.can(user, "notifications.read_local_mailbox"):
        return LocalMail.objects.none()
    notifications = policies.deliveries.visible(user)
    return LocalMail.objects.filter(delivery__notification__in=notifications).select_related("delivery")
