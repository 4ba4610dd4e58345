"""The cover letter (函稿) and the memo (簽稿) a report goes upward with, as ODT in the layout of the official
templates (文書處理手冊): 檔號/保存年限, the agency's name and 函 (or 簽 於 the unit), 受文者, 發文日期 (民國),
發文字號, 速別, 密等及解密條件或保密期限, 附件, 主旨, 說明 (擬辦 in a memo), 正本/副本 (敬陳 in a memo).

The fields are filled from the plan, its agency and the superior office; the officer edits them in the browser
(forms.LetterForm) before the download. The 密等 line is not an input: it follows the markings of the report
it covers."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from odfdo import Document, Paragraph, Style

from anwei.core import rocdate
from anwei.core.documents import render
from anwei.core.documents.blocks import RESTRICTED
from anwei.plans.models import Plan
from anwei.plans.report_window import Window

from . import builders

LETTER = "letter"  # 函
MEMO = "memo"  # 簽
PAPERS = (LETTER, MEMO)
SPEEDS = ("普通件", "速件", "最速件")


@dataclass
class Letter:
    paper: str
    sender: str  # 發文機關 (in a memo: the unit that writes it, 簽 於 …)
    recipient: str  # 受文者 (in a memo: whom it is presented to, 敬陳 …)
    issued_on: date
    number: str  # 發文字號
    speed: str  # 速別
    marking: str  # 密等及解密條件或保密期限 — from the report, never typed
    attachment: str  # 附件
    subject: str  # 主旨
    explanation: str  # 說明, one point per line
    proposal: str = ""  # 擬辦 (a memo)
    copies_to: str = ""  # 正本
    cc: str = ""  # 副本


def marking_line(markings: set[str]) -> str:
    """普通 for a report that holds nothing classified; 密 with the attachment's condition otherwise (the letter
    itself declassifies once its classified attachment is taken out), 限閱 added when the report is restricted."""
    if not markings:
        return pgettext("classification", "Ordinary (普通)")
    line = _("Confidential, declassified when the attachment is removed (密（附件抽存後解密）)")
    if RESTRICTED in markings:
        line += _("; restricted (限閱)")
    return line


def superior_name(plan: Plan) -> str:
    """The office the report goes up to: the agency's superior when the directory knows it, otherwise its outside
    organisation of the kind "superior", otherwise the setting ANWEI_SUPERIOR_OFFICE."""
    superior = getattr(plan.agency, "superior", None)
    if superior is not None:
        return str(superior)
    from anwei.directory.models import Organisation

    office = Organisation.objects.filter(agency=plan.agency, kind=Organisation.Kind.SUPERIOR).order_by("pk").first()
    return office.name if office else str(settings.ANWEI_SUPERIOR_OFFICE)


def window_for(plan: Plan, kind: str, day: date | None) -> Window:
    if kind == "daily" and day is not None:
        return builders.daily_window(plan, day)
    return Window(plan, plan.period_start, plan.period_end)


def _points(*points: str) -> str:
    return "\n".join(p for p in points if p)


def defaults(plan: Plan, kind: str, paper: str, day: date | None, today: date) -> dict[str, Any]:
    """The fields as the office would fill them in, for the officer to correct."""
    agency, superior, unit = plan.agency.name, superior_name(plan), plan.owning_unit.name
    if kind == "daily" and day is not None:
        what = _("the daily situation report of %(day)s (每日狀況表)") % {"day": rocdate.format_date(day)}
        window = builders.daily_window(plan, day)
        period = _("The report covers %(start)s to %(end)s.") % {
            "start": rocdate.format_datetime(window.start),
            "end": rocdate.format_datetime(window.end, end=True),
        }
    else:
        what = _("the results report (執行成果報告)")
        period = _("The plan ran %(period)s, %(days)s days.") % {
            "period": rocdate.format_period(plan.period_start, plan.period_end),
            "days": rocdate.period_days(plan.period_start, plan.period_end),
        }
    basis = next((str(b) for b in plan.basis if b), "") if isinstance(plan.basis, list) else ""
    according = _("Under %(basis)s.") % {"basis": basis} if basis else ""
    numbered = [f"{n}、{p}" for n, p in zip("一二三四五", [p for p in (according, period) if p], strict=False)]
    values: dict[str, Any] = {
        "sender": agency if paper == LETTER else unit,
        "recipient": superior if paper == LETTER else _("the agency head (機關首長)"),
        "issued_on": today,
        "number": _("Ethics No. %(year)s (政字第%(year)s號)") % {"year": rocdate.roc_year(today)},
        "speed": SPEEDS[0],
        "attachment": _("%(what)s of %(plan)s, 1 copy") % {"what": what, "plan": plan.title},
        "explanation": _points(*numbered),
        "copies_to": superior if paper == LETTER else "",
        "cc": unit if paper == LETTER else "",
    }
    if paper == LETTER:
        values["subject"] = _("Enclosed is %(what)s of %(plan)s of %(agency)s, for your review.") % {
            "what": what,
            "plan": plan.title,
            "agency": agency,
        }
    else:
        values["subject"] = _("Presented is %(what)s of %(plan)s, for approval.") % {"what": what, "plan": plan.title}
        values["proposal"] = _("Once approved, to be sent to %(superior)s by letter.") % {"superior": superior}
    return values


# ODT -----------------------------------------------------------------------------------------------------------


def _style(name: str, size: str, *, bold: bool = False, align: str = "start", indent: str = "") -> Style:
    style = render.text_style(name, size=size, bold=bold, align=align)
    if indent:  # a hanging indent, as 主旨 and 說明 are set
        style.set_properties({"fo:margin-left": indent, "fo:text-indent": f"-{indent}"}, area="paragraph")
    return style


def odt(letter: Letter) -> bytes:
    doc = Document("text")
    for style in (
        _style("LetterTitle", "20pt", bold=True, align="center"),
        _style("LetterField", "12pt"),
        _style("LetterMarking", "12pt", bold=True),
        _style("LetterMain", "16pt", indent="3em"),
        _style("LetterPoint", "16pt", indent="2em"),
        _style("LetterSmall", "12pt"),
    ):
        doc.insert_style(style, automatic=False)
    body = doc.body
    body.clear()

    def field(label: str, value: str, style: str = "LetterField") -> None:
        body.append(Paragraph(f"{label}：{value}", style=style))

    field(_("File number (檔號)"), "")
    field(_("Retention period (保存年限)"), "")
    if letter.paper == LETTER:
        body.append(Paragraph(f"{letter.sender}　{pgettext('official letter', 'Letter (函)')}", style="LetterTitle"))
        field(_("Recipient (受文者)"), letter.recipient)
    else:
        body.append(Paragraph(pgettext("official letter", "Memo (簽)"), style="LetterTitle"))
        field(_("Written at (簽於)"), letter.sender)
    field(_("Date of issue (發文日期)"), _roc_date(letter.issued_on))
    if letter.paper == LETTER:
        field(_("Issue number (發文字號)"), letter.number)
    field(_("Speed (速別)"), letter.speed)
    field(_("Classification and declassification (密等及解密條件或保密期限)"), letter.marking, "LetterMarking")
    field(_("Attachment (附件)"), letter.attachment)
    field(_("Subject (主旨)"), letter.subject, "LetterMain")
    body.append(Paragraph(f"{_('Explanation (說明)')}：", style="LetterMain"))
    for line in letter.explanation.splitlines():
        if line.strip():
            body.append(Paragraph(line.strip(), style="LetterPoint"))
    if letter.paper == MEMO:
        field(_("Proposal (擬辦)"), letter.proposal, "LetterMain")
        body.append(
            Paragraph(_("Respectfully presented to %(whom)s (敬陳)") % {"whom": letter.recipient}, style="LetterMain")
        )
    else:
        field(_("Original to (正本)"), letter.copies_to, "LetterSmall")
        field(_("Copy to (副本)"), letter.cc, "LetterSmall")
    return render.saved(doc)


def _roc_date(day: date) -> str:
    """中華民國115年12月7日, as letters date themselves (an English page shows the Western date)."""
    return f"中華民國{rocdate.format_date(day)}" if rocdate.chinese() else rocdate.format_date(day)
