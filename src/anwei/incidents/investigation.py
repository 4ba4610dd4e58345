"""The investigation, handling and improvement report (調查、處理及改善報告) of a cyber incident, due one month after
recovery (the `investigation_report` clock, started by `services.mark_recovered`): its guided form's writes, its
document under the headings of 資通安全管理法施行細則 第8條, and the notification text the officer pastes into the
national platform's web form (no public API: the platform's reference number is then recorded as a contact with
channel "platform", which meets the notify clock of the national body)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, write_service
from anwei.audit import services as audit
from anwei.core import rocdate
from anwei.core.errors import BusinessRuleError
from anwei.reports.builders import watermark
from anwei.reports.document import Heading, Para, Report, SignOff, Table

from . import rules
from .models import Deadline, Incident
from .services import CLOCK_SKEW, REPORT_FIELDS, handled

TITLE = "資通安全事件調查、處理及改善報告"


@dataclass(frozen=True)
class Section:
    """One heading of 施行細則 §8 (the official wording, not translated) and the report field that answers it."""

    heading: str
    field: str


# 資通安全管理法施行細則 第8條 (2021): the report's contents, in order. The first heading is answered by the times.
TIMES_HEADING = "一、事件發生、知悉及完成損害控制或復原作業之時間"
SECTIONS = [
    Section("二、事件影響之範圍及損害評估", "scope_and_damage"),
    Section("三、損害控制及復原作業之歷程", "containment_steps"),
    Section("四、事件調查及處理作業之歷程", "investigation_steps"),
    Section("五、事件根因分析", "root_cause"),
    Section("六、為防範類似事件再次發生所採取之管理、技術、人力或資源等層面之措施", "preventive_measures"),
    Section("七、前款措施之預定完成時程及成效追蹤機制", "follow_up"),
]
assert [s.field for s in SECTIONS] == REPORT_FIELDS


@write_service
@transaction.atomic
def save_report(*, actor: Actor, incident_id: int, occurred_at: datetime | None = None, **fields: str) -> Incident:
    """Save the report's fields as written so far (a draft: closing the report needs them all, services.close)."""
    incident = handled(actor, incident_id)
    if incident.category != "cyber":
        raise BusinessRuleError(_("Only a cyber-security incident has an investigation report."))
    if not incident.is_open:
        raise BusinessRuleError(_("The report is already closed."))
    unknown = set(fields) - set(REPORT_FIELDS)
    if unknown:
        raise BusinessRuleError(_("Unknown field."), field=sorted(unknown)[0])
    if occurred_at is not None and occurred_at > incident.aware_at + CLOCK_SKEW:
        raise BusinessRuleError(_("The incident cannot have occurred after the office became aware of it."),
                                field="occurred_at")  # fmt: skip
    before = audit.snapshot(incident, ["occurred_at", *REPORT_FIELDS])
    if occurred_at is not None:
        incident.occurred_at = occurred_at
    for name, value in fields.items():
        setattr(incident, name, (value or "").strip())
    incident.save(update_fields=["occurred_at", *REPORT_FIELDS])
    audit.record_update(actor=actor, obj=incident, before=before, object_repr=incident.reference)
    return incident


def clock(incident: Incident) -> Deadline | None:
    """The report's clock: due one month after recovery (no due time before recovery)."""
    return incident.deadlines.filter(code="investigation_report").first()


def _when(value: datetime | None) -> str:
    return rocdate.format_datetime(value) if value else _("not recorded")


def document(incident: Incident, viewer: Any = None) -> Report:
    """The report as a document (PDF, ODT) with the official headings, filled from the form."""
    report = Report(
        title=TITLE,
        subtitle=f"{incident.reference} {incident.title}",
        agency=incident.agency.name,
        generated=rocdate.format_datetime(timezone.now()),
        watermark=watermark(viewer) if viewer is not None else "",
    )
    level = rules.CYBER_LEVELS.get(incident.cyber_level or 0)
    report.add(
        Heading(TIMES_HEADING),
        Table(
            _("Times"),
            [_("Event"), _("Time")],
            [
                [_("Occurred"), _when(incident.occurred_at)],
                [_("Became aware (知悉)"), _when(incident.aware_at)],
                [_("Damage controlled or recovered"), _when(incident.recovered_at)],
            ],
        ),
        Para(_("Level: %(level)s") % {"level": f"{level.level} {level.summary_zh}" if level else "—"}),
    )
    for section in SECTIONS:
        report.add(Heading(section.heading))
        text = getattr(incident, section.field) or ""
        lines = [line for line in text.splitlines() if line.strip()] or [_("(not yet written)")]
        report.add(*(Para(line) for line in lines))
    report.add(SignOff(["承辦人", "單位主管", "資通安全長"]))
    return report


def platform_text(incident: Incident) -> str:
    """The notification fields in the order of the national platform's web form (DOMAIN §2 [practice]), ready to
    paste: agency, times, description, level, measures, support needed, other. In Chinese with 民國 dates whatever
    the officer's language: the platform is in Chinese."""
    level = rules.CYBER_LEVELS.get(incident.cyber_level or 0)
    with translation.override("zh-hant"):
        rows = [
            ("機關名稱", incident.agency.name),
            ("事件發生時間", _when(incident.occurred_at)),
            ("知悉時間", _when(incident.aware_at)),
            ("事件說明", f"{incident.title}\n{incident.description}".strip()),
            ("評估事件等級", f"{level.level}級：{level.summary_zh}" if level else "未評估"),
            ("已採取之應變措施", incident.measures_taken or "無"),
            ("需外部支援事項", incident.support_needed or "無"),
            ("其他", f"本機關通報編號 {incident.reference}"),
        ]
    return "\n".join(f"{label}：{value}" for label, value in rows)
