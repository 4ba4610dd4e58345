"""The confidentiality inspection is due at least every six months (DOMAIN §3): remind the ethics officers whose
role covers a department ahead of the date its next inspection is due, and once more when it is overdue."""

from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.accounts.roles import Role
from anwei.audit import services as audit
from anwei.directory.models import Person, Unit
from anwei.notifications.services import notify

from .rules import rules_on
from .selectors import cadence_rows


def ethics_officers(unit: Unit) -> list[Person]:
    ancestors = [p for p in unit.path.split("/") if p]
    return list(
        Person.objects.filter(
            user__role_assignments__role=Role.ETHICS_OFFICER,
            user__role_assignments__unit_id__in=ancestors,
            active=True,
        ).distinct()
    )


def remind_due(now: datetime | None = None) -> int:
    today = timezone.localdate(now or timezone.now())
    rules = rules_on(today)
    horizon = today + timedelta(days=rules.cadence_remind_days)
    rows = cadence_rows(Unit.objects.filter(active=True, kind=Unit.Kind.DEPARTMENT), today)
    count = 0
    for row in rows:
        if row.next_due is not None and row.next_due > horizon:
            continue
        due = row.next_due.isoformat() if row.next_due else _("now")
        # one reminder ahead of the due date and one more once it has passed (or if never inspected)
        stage = "overdue" if row.overdue else "ahead"
        with transaction.atomic():
            sent = notify(
                people=ethics_officers(row.unit),
                subject=(
                    _("Confidentiality inspection of %(unit)s is overdue (due %(due)s)")
                    if row.overdue
                    else _("Confidentiality inspection of %(unit)s is due %(due)s")
                )
                % {"unit": row.unit.name, "due": due},
                body=_("At least every %(n)d months (DOMAIN §3).") % {"n": rules.confidentiality_every_months},
                source=row.unit,
                key=f"inspections-cadence-{row.unit.pk}-{row.last_done or 'never'}-{stage}",
                url=reverse("inspections:cadence"),
            )
            if sent:
                audit.record(
                    actor=None,
                    action=audit.Action.OTHER,
                    obj=row.unit,
                    actor_label="reminders",
                    changes={"cadence_reminded": [p.person_id for p in sent]},
                )
            count += len(sent)
    return count
