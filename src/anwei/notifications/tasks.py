"""Thin tasks: send a delivery; every minute, pick up deliveries whose retry is due (or whose enqueue was lost)."""

from crontask import cron
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from . import services
from .models import Delivery


@task
def deliver(delivery_id: int) -> bool:
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True)
            .select_related("notification__person", "notification__contact")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.next_attempt_at > timezone.now():
            return False
        return services.attempt(delivery)


@cron("* * * * *")
@task
def retry_due() -> int:
    due = Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=timezone.now())
    ids = list(due.values_list("pk", flat=True)[:500])
    for pk in ids:
        deliver.enqueue(pk)
    return len(ids)
