"""A report filed or changed (level, recovery, closure) queues its summary upward once the transaction commits, so
the summary carries the clocks the filing set; an agency whose superior is on this same deployment gets its summary
into the local roll-up at once. A drill report (演練) never goes up: drill records never count in real figures.
Mainland-travel records (a return report filed upward, a declaration, a visiting delegation) go the same way when a
travel filing rule sends them."""

from functools import partial
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from anwei.awareness.models import Delegation, ReturnReport, TravelDeclaration
from anwei.incidents.models import Incident

from . import rules


def _incident_saved(sender: Any, instance: Incident, **kwargs: Any) -> None:
    from . import outbox

    if instance.drill:
        return
    if outbox.upstream_agency_code() is not None:
        transaction.on_commit(partial(outbox.queue_incident, instance.pk), robust=True)
    if instance.agency.superior_id is not None:
        transaction.on_commit(partial(outbox.roll_up_locally, instance.pk), robust=True)


def _travel_saved(event: str, sender: Any, instance: Any, **kwargs: Any) -> None:
    from . import outbox, travel

    if outbox.upstream_agency_code() is not None:
        transaction.on_commit(partial(travel.queue, event, instance.pk), robust=True)
    transaction.on_commit(partial(travel.roll_up_locally, event, instance.pk), robust=True)


def connect() -> None:
    post_save.connect(_incident_saved, sender=Incident, dispatch_uid="upward-incident-saved")
    for event, model in (
        (rules.RETURN, ReturnReport),
        (rules.DECLARATION, TravelDeclaration),
        (rules.DELEGATION, Delegation),
    ):
        post_save.connect(partial(_travel_saved, event), sender=model, weak=False, dispatch_uid=f"upward-{event}-saved")
