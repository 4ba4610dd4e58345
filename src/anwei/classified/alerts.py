"""Periodic checks of the register (tasks.py): overdue returns, unconfirmed transfers, undecided proposals and
ended protection raise alerts, once each (notification keys)."""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.accounts.models import RoleAssignment, User
from anwei.core.rocdate import format_datetime
from anwei.notifications.services import notify

from . import policies, rules
from .models import ClassifiedItem, CustodyRequest, Transfer
from .services import GONE, ethics_officers, protection_ends

Status = ClassifiedItem.Status


def alert_overdue_returns(now: datetime | None = None) -> int:
    """Copies and take-outs past their return time: alert the custodian and the ethics office (once each)."""
    now = now or timezone.now()
    sent = 0
    copies = ClassifiedItem.objects.filter(
        original__isnull=False, returned_at__isnull=True, due_back__lt=now, status=Status.ON_LOAN
    ).select_related("original__custodian", "original__unit", "custodian")
    for copy in copies:
        original = copy.original
        assert original is not None
        sent += _overdue(copy, original, copy.custodian, copy.due_back, f"classified-overdue-copy-{copy.pk}")
    outs = CustodyRequest.objects.filter(
        kind=CustodyRequest.Kind.TAKE_OUT, status=CustodyRequest.Status.APPROVED, due_back__lt=now
    ).select_related("item__custodian", "item__unit", "requester")
    for req in outs:
        sent += _overdue(req.item, req.item, req.requester, req.due_back, f"classified-overdue-out-{req.pk}")
    return sent


def _overdue(thing: ClassifiedItem, original: ClassifiedItem, holder: User, due: Any, key: str) -> int:
    with transaction.atomic():
        created = notify(
            people=[original.custodian, *ethics_officers(original)],
            subject=_("Overdue return: %(ref)s") % {"ref": thing.reference_no},
            body=_("%(ref)s (%(mark)s) held by %(holder)s was due back %(due)s.")
            % {
                "ref": thing.reference_no,
                "mark": thing.mark,
                "holder": holder.display_name,
                "due": format_datetime(due),
            },
            source=original,
            key=key,
            url=f"/classified/items/{original.pk}/",
        )
    return len(created)


def alert_unconfirmed_transfers(now: datetime | None = None) -> int:
    now = now or timezone.now()
    sent = 0
    late = Transfer.objects.filter(
        received_at__isnull=True, cancelled_at__isnull=True, expected_by__lt=now
    ).select_related("item__unit", "from_user", "to_user")
    for transfer in late:
        with transaction.atomic():
            sent += len(
                notify(
                    people=[p for p in (transfer.from_user, transfer.to_user) if p] + ethics_officers(transfer.item),
                    subject=_("Transfer not confirmed: %(ref)s") % {"ref": transfer.item.reference_no},
                    body=_("Expected by %(when)s; sent: %(sent)s; received: no.")
                    % {
                        "when": format_datetime(transfer.expected_by),
                        "sent": format_datetime(transfer.sent_at) if transfer.sent_at else _("no"),
                    },
                    source=transfer,
                    key=f"classified-transfer-late-{transfer.pk}",
                    url="/classified/queue/",
                )
            )
    return sent


def remind_undecided(now: datetime | None = None) -> int:
    """Proposed classifications: remind the deciders before the deadline of the rule set in force on the
    classification date (`decision_days`), and again once it has passed."""
    today = timezone.localdate(now or timezone.now())
    sent = 0
    for item in ClassifiedItem.objects.filter(proposed=True, original__isnull=True).select_related("unit", "custodian"):
        ruleset = rules.rules_on(item.classified_on)
        due = item.decision_due
        assert due is not None
        if today < due - timedelta(days=ruleset.decision_reminder_days):
            continue
        stage = "late" if today > due else "soon"
        deciders = [
            a.user
            for a in RoleAssignment.objects.filter(unit__agency_id=item.agency_id).select_related("user", "unit")
            if a.user.is_active and policies.items.can(a.user, "classified.decide", item)
        ]
        with transaction.atomic():
            sent += len(
                notify(
                    people=[*deciders, item.custodian],
                    subject=_("Decide the proposed classification of %(ref)s by %(due)s (%(law)s)")
                    % {"ref": item.reference_no, "due": due.isoformat(), "law": ruleset.citations["decision"]},
                    source=item,
                    key=f"classified-decide-{stage}-{item.pk}",
                    url=f"/classified/items/{item.pk}/",
                )
            )
    return sent


def remind_protection_ended(now: datetime | None = None) -> int:
    """Items whose protection period has ended (or whose condition is deemed met at the legal maximum, 第11條第4項)
    are still marked classified: tell the custodian and the ethics office to have them declassified."""
    today = timezone.localdate(now or timezone.now())
    sent = 0
    live = ClassifiedItem.objects.filter(original__isnull=True, proposed=False).exclude(
        status__in=[*GONE, Status.DECLASSIFIED]
    )
    for item in live.select_related("unit", "custodian"):
        ends = protection_ends(item)
        if ends is None or ends >= today:
            continue
        with transaction.atomic():
            sent += len(
                notify(
                    people=[item.custodian, *ethics_officers(item)],
                    subject=_("Protection of %(ref)s ended on %(day)s: declassify it")
                    % {"ref": item.reference_no, "day": ends.isoformat()},
                    source=item,
                    key=f"classified-protection-ended-{item.pk}",
                    url=f"/classified/items/{item.pk}/",
                )
            )
    return sent
