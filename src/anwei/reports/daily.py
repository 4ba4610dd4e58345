"""The worker's morning round: the daily situation report of every active plan, as PDF, to the agency head and the
ethics office (in-app and e-mail, with the download link)."""

from datetime import date

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor
from anwei.accounts.models import User
from anwei.accounts.roles import Role
from anwei.core import rocdate
from anwei.directory.models import Agency
from anwei.notifications.services import notify
from anwei.plans.selectors import active_plan

from .models import ExportJob
from .services import run, start_export

RECIPIENT_ROLES = (Role.AGENCY_HEAD, Role.ETHICS_OFFICER)


def recipients(agency: Agency) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, role_assignments__role__in=RECIPIENT_ROLES, role_assignments__unit__agency=agency
        ).distinct()
    )


def send(agency: Agency, day: date) -> ExportJob | None:
    plan = active_plan(agency, timezone.now())
    if plan is None:
        return None
    readers = recipients(agency)
    job = run(
        start_export(
            actor=Actor.system(), kind="daily", plan=plan, format="pdf", day=day, readers=readers, enqueue=False
        )
    )
    if job.status == ExportJob.Status.DONE:
        notify(
            people=readers,
            subject=_("Daily situation report %(day)s") % {"day": rocdate.format_date(day)},
            body=_("The daily situation report of %(plan)s is ready.") % {"plan": plan.title},
            source=job,
            key=f"daily-report:{plan.pk}:{day.isoformat()}",
            url=reverse("reports:job", args=[job.pk]),
        )
    return job


def send_all(day: date | None = None) -> int:
    day = day or rocdate.today()
    return sum(1 for agency in Agency.objects.all() if send(agency, day) is not None)
