"""Exports: start a job (audited), build it in the worker with progress, keep the file for download."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, write_service
from anwei.accounts.models import User
from anwei.audit import services as audit
from anwei.core import rocdate
from anwei.core.errors import BusinessRuleError
from anwei.plans.models import Plan

from . import builders, render
from .builders import BUILDERS
from .document import Report
from .models import ExportJob

RENDERERS = {"pdf": render.pdf, "odt": render.odt, "ods": render.ods}


@write_service
@transaction.atomic
def start_export(
    *,
    actor: Actor,
    kind: str,
    plan: Plan,
    format: str,
    day: date | None = None,
    readers: Sequence[Any] = (),
    enqueue: bool = True,
) -> ExportJob:
    """`readers`: whom a report without a requester (the worker's morning report) is made for; the watermark names
    them."""
    if kind not in BUILDERS:
        raise BusinessRuleError(_("Unknown report."), field="kind")
    if format not in RENDERERS:
        raise BusinessRuleError(_("Choose PDF, ODT or ODS."), field="format")
    # The report is written in the language of whoever asks for it (titles, legends, dates), not the worker's.
    params: dict[str, Any] = {"plan": plan.pk, "language": translation.get_language() or settings.LANGUAGE_CODE}
    if kind == "daily":
        if day is None:
            raise BusinessRuleError(_("Choose the day."), field="day")
        params["day"] = day.isoformat()
    if readers:
        params["readers"] = [reader.pk for reader in readers]
    job = ExportJob.objects.create(kind=kind, format=format, params=params, agency=plan.agency, requested_by=actor.user)
    audit.record(actor=actor, action="export", obj=job, object_repr=f"{kind}.{format}", changes={"params": params})
    if enqueue:
        transaction.on_commit(lambda: _enqueue(job.pk), robust=True)
    return job


def _enqueue(job_id: Any) -> None:
    from .tasks import run_export

    run_export.enqueue(str(job_id))


def build(job: ExportJob) -> Report:
    plan = Plan.objects.select_related("agency").get(pk=job.params["plan"])

    def progress(percent: int, step: str) -> None:
        ExportJob.objects.filter(pk=job.pk).update(progress=min(percent, 99), step=step[:200])

    viewer: Any = job.requested_by
    if viewer is None and job.params.get("readers"):
        readers = User.objects.filter(pk__in=job.params["readers"]).select_related("person").order_by("pk")
        viewer = "、".join(builders.viewer_name(reader) for reader in readers)
    if job.kind == "daily":
        return BUILDERS["daily"](plan, date.fromisoformat(job.params["day"]), progress=progress, viewer=viewer)
    return BUILDERS[job.kind](plan, progress=progress, viewer=viewer)


def file_name(job: ExportJob, plan: Plan) -> str:
    if job.kind == "daily":
        label = _("daily report %(day)s") % {"day": rocdate.format_date(date.fromisoformat(job.params["day"]))}
    else:
        label = _("results report")
    return f"{plan.title} {label}.{job.format}".replace("/", "-")


def run(job: ExportJob) -> ExportJob:
    """Build the file, in the language it was asked for. Any failure is kept on the job with a message the user can
    read; nothing half-written."""
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
        return _run(job)


def _run(job: ExportJob) -> ExportJob:
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, progress=1, step=_("Starting"))
    try:
        report = build(job)
        ExportJob.objects.filter(pk=job.pk).update(progress=85, step=_("Writing the file"))
        content = RENDERERS[job.format](report)
        plan = Plan.objects.get(pk=job.params["plan"])
        job.filename = file_name(job, plan)
        job.file.save(f"{job.pk}.{job.format}", ContentFile(content), save=False)
        job.status, job.progress, job.step = ExportJob.Status.DONE, 100, ""
    except Exception as exc:  # the job records the failure instead of vanishing
        job.status, job.error, job.step = ExportJob.Status.FAILED, f"{type(exc).__name__}: {exc}"[:2000], ""
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "progress", "step", "file", "filename", "error", "finished_at"])
    return job


@write_service
@transaction.atomic
def record_list_download(*, actor: Actor, count: int) -> None:
    """The exports list as CSV: who downloaded it and how many rows it held."""
    audit.record(actor=actor, action="export", object_type="reports.exportjob", changes={"csv": True, "rows": count})


@write_service
def record_download(*, actor: Actor, job: ExportJob) -> None:
    audit.record(actor=actor, action="export", obj=job, object_repr=job.filename, changes={"downloaded": True})


@write_service
def letter_file(*, actor: Actor, plan: Plan, kind: str, paper: str, day: date | None, fields: dict[str, Any]) -> bytes:
    """The cover letter or memo of a report as ODT, its 密等 line from the report's markings; on the audit log as
    an export (who made which paper for which report)."""
    from . import letters

    window = letters.window_for(plan, kind, day)
    fields = {"number": "", "proposal": "", "copies_to": "", "cc": "", **fields}
    letter = letters.Letter(paper=paper, marking=letters.marking_line(builders.markings(kind, window)), **fields)
    audit.record(
        actor=actor,
        action="export",
        obj=plan,
        changes={"paper": paper, "report": kind, "day": day.isoformat() if day else None},
    )
    return letters.odt(letter)
