"""Reads: the exercises a user may see, the live state of one exercise, and its drill report — for each inject and
clock, who was told, when they acknowledged, when each clock was met, what was late or missed."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anwei.accounts.actor import Who
from anwei.core import rocdate
from anwei.core.documents.blocks import ChartBlock, Figures, Heading, Para, Report, SignOff, Table
from anwei.core.documents.charts import bar_chart
from anwei.incidents.models import Deadline
from anwei.incidents.selectors import notifications_of
from anwei.notifications.models import Delivery

from . import policies
from .models import Exercise, Inject


def exercises(user: Who) -> QuerySet[Exercise]:
    return policies.exercises.visible(user).select_related("plan")


def injects(exercise: Exercise) -> list[Inject]:
    return list(exercise.injects.select_related("unit", "filer", "incident"))


def _when(at: datetime | None) -> str:
    return rocdate.format_datetime(at) if at is not None else "—"


def _minutes(delta: timedelta) -> float:
    return round(delta.total_seconds() / 60, 1)


@dataclass(frozen=True)
class ClockResult:
    deadline: Deadline
    state: str  # on_time, late, missed, running, waiting

    @property
    def label(self) -> str:
        return str(CLOCK_STATES[self.state])


CLOCK_STATES = {  # lazy: read at import, shown in the viewer's language
    "on_time": gettext_lazy("met on time"),
    "late": gettext_lazy("met late"),
    "missed": gettext_lazy("missed"),
    "running": gettext_lazy("running"),
    "waiting": gettext_lazy("waiting"),
}


def clock_result(deadline: Deadline, now: datetime) -> ClockResult:
    if deadline.met_at is not None:
        late = deadline.due_at is not None and deadline.met_at > deadline.due_at
        return ClockResult(deadline, "late" if late else "on_time")
    if deadline.due_at is None:
        return ClockResult(deadline, "waiting")
    return ClockResult(deadline, "missed" if deadline.due_at < now else "running")


def clocks(inject: Inject, now: datetime | None = None) -> list[ClockResult]:
    if inject.incident is None:
        return []
    now = now or timezone.now()
    return [clock_result(d, now) for d in inject.incident.deadlines.order_by("due_at", "id")]


def _told(inject: Inject) -> list[list[object]]:
    """One row per person or body told: notified, first sent, acknowledged, minutes to acknowledge."""
    rows: list[list[object]] = []
    if inject.incident is None:
        return rows
    for n in notifications_of(inject.incident):
        sent = [d.sent_at for d in n.deliveries.all() if d.status == Delivery.Status.SENT and d.sent_at]
        ack = n.acknowledged_at
        response = _minutes(ack - n.created_at) if ack else ""
        rows.append(
            [
                str(n.person or n.contact or ""),
                _when(n.created_at),
                _when(min(sent) if sent else None),
                _when(ack),
                response,
            ]
        )
    return rows


def report(exercise: Exercise, *, viewer: Any = None) -> Report:
    """The drill report (演練報告): every inject with whom it reached and how each clock fared, and a chart of the
    response times (minutes from the notification to its acknowledgement, and from filing to each clock met)."""
    now = timezone.now()
    speed = _("real time") if exercise.speed == 1 else _("accelerated ×%(n)d") % {"n": exercise.speed}
    doc = Report(
        title=f"【演練】{_('Drill report')}：{exercise.name}",
        subtitle=f"{exercise.plan.title} · {speed}",
        agency=str(exercise.agency),
        generated=rocdate.format_datetime(now),
        banner=_("drill"),
    )
    all_injects = injects(exercise)
    results = {inject.pk: clocks(inject, now) for inject in all_injects}
    counted = [r for rs in results.values() for r in rs]
    doc.add(
        Para(_("Drill records are not counted in any real report or figure."), emphasis=True),
        Figures(
            _("The exercise in figures"),
            [
                (_("Started"), _when(exercise.started_at)),
                (_("Ended"), _when(exercise.stopped_at)),
                (_("Injects"), len(all_injects)),
                (_("Filed"), sum(1 for i in all_injects if i.incident_id)),
                (_("Clocks met on time"), sum(1 for r in counted if r.state == "on_time")),
                (_("Clocks met late"), sum(1 for r in counted if r.state == "late")),
                (_("Clocks missed"), sum(1 for r in counted if r.state == "missed")),
            ],
        ),
    )
    labels: list[str] = []
    ack_minutes: list[float] = []
    met_minutes: list[float] = []
    for number, inject in enumerate(all_injects, 1):
        incident = inject.incident
        heading = f"{number}. {inject.text}"
        doc.add(Heading(heading, level=3))
        if incident is None:
            state = inject.error or _("not filed yet (due %(at)s)") % {"at": _when(inject.due_at)}
            doc.add(Para(state))
            continue
        doc.add(
            Para(
                _("%(ref)s filed %(at)s by %(who)s (script: %(offset)d minutes after the start)")
                % {
                    "ref": incident.reference,
                    "at": _when(inject.filed_at),
                    "who": inject.filer or _("the system"),
                    "offset": inject.offset_minutes,
                }
            )
        )
        told = _told(inject)
        doc.add(
            Table(
                _("Who was told"),
                [_("Recipient"), _("Notified"), _("Sent"), _("Acknowledged"), _("Minutes to acknowledge")],
                told,
            )
        )
        rows: list[list[object]] = []
        for r in results[inject.pk]:
            d = r.deadline
            rows.append(
                [d.name, _when(d.due_at), _when(d.met_at), d.met_by or "—", d.get_met_how_display() or "—", r.label]
            )
        doc.add(Table(_("Clocks"), [_("Clock"), _("Due"), _("Met at"), _("Met by"), _("Met how"), _("Result")], rows))
        acks = [float(str(row[4])) for row in told if row[4] != ""]
        met = [_minutes(r.deadline.met_at - incident.aware_at) for r in results[inject.pk] if r.deadline.met_at]
        labels.append(str(number))
        ack_minutes.append(round(sum(acks) / len(acks), 1) if acks else 0)
        met_minutes.append(max(met) if met else 0)
    if labels:
        doc.add(
            ChartBlock(
                bar_chart(
                    _("Response times (minutes)"),
                    labels,
                    [(_("Mean time to acknowledge"), ack_minutes), (_("Last clock met after"), met_minutes)],
                )
            )
        )
    doc.add(SignOff([_("Exercise director"), _("Head of the ethics office")]))
    return doc
