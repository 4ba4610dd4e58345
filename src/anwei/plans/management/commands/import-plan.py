"""`python -m anwei import-plan FILE [--agency CODE] [--dry-run] [--json]`: read the agency's own plan document
(.txt in UTF-8 or Big5, .odt, .docx), show what was recognised, and (without --dry-run) save it as a draft plan
with its tasks. A file that cannot be read or is not a plan is refused with a message naming the line; nothing
is saved then."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anwei.accounts.actor import Actor
from anwei.core import rocdate
from anwei.directory.models import Agency
from anwei.plans.importer import PlanDocumentError, UnreadableDocument
from anwei.plans.importer.load import Reading, read_plan, save
from anwei.plans.importer.readers import MAX_FILE_BYTES


class Command(BaseCommand):
    help = "Import a plan document (.txt, .odt, .docx): print its outline, and save it unless --dry-run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the plan document")
        parser.add_argument("--agency", default="", help="agency code (default: the agency named in the title)")
        parser.add_argument("--dry-run", action="store_true", help="only read and show; save nothing")
        parser.add_argument("--json", action="store_true", help="print the outline as JSON")

    def handle(self, *args: Any, file: str, agency: str, dry_run: bool, json: bool, **options: Any) -> None:
        chosen = None
        if agency:
            chosen = Agency.objects.filter(code=agency).first()
            if chosen is None:
                raise CommandError(f"No agency with the code {agency!r}.")
        data = _read_file(Path(file))
        try:
            reading = read_plan(data, agency=chosen)
        except UnreadableDocument as exc:
            raise CommandError(f"{file}: {exc}") from exc
        except PlanDocumentError as exc:
            raise CommandError(f"{file}: " + "\n".join(exc.problems)) from exc
        if json:
            self.stdout.write(_dumps(reading.as_json()))
        else:
            self._summary(reading)
        if dry_run:
            return
        try:
            plan = save(reading, actor=Actor.system("import-plan"))
        except PlanDocumentError as exc:
            raise CommandError("\n".join(exc.problems) + " (use --agency CODE)") from exc
        self.stderr.write(f"saved: plan {plan.pk} «{plan}» (draft)")

    def _summary(self, reading: Reading) -> None:
        outline = reading.outline
        write = self.stdout.write
        write(outline.title)
        agency = reading.agency
        write(f"agency: {outline.agency}" + (f" → {agency.code}" if agency else " (not in the directory)"))
        write(
            f"period: {rocdate.format_period(outline.start, outline.end)} "
            f"({outline.start.isoformat()} – {outline.end.isoformat()}), {outline.days} days"
        )
        for section in outline.sections:
            write(f"  {section.heading}: {len(section.items)} items")
        for unit in outline.units:
            found = "roster" if unit.kind == "duty" else "directory" if unit.known else "unknown"
            write(f"  unit {unit.name} ({unit.kind}): {found}")
        for org in outline.organisations:
            write(f"  organisation {org.name} ({org.kind}): " + ("directory" if org.organisation_id else "unknown"))
        for contact in outline.contacts:
            phones = ", ".join(p.number + (f" 轉{p.ext}" if p.ext else "") + f" ({p.kind})" for p in contact.phones)
            write(f"  contact {contact.name} {contact.title}: {phones}")
        for warning in reading.warnings:
            write(f"warning: {warning}")


def _read_file(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CommandError(f"{path}: the file is too large (at most {MAX_FILE_BYTES // 1024} KB).")
        return path.read_bytes()
    except IsADirectoryError as exc:
        raise CommandError(f"{path}: is a directory, not a file.") from exc
    except OSError as exc:
        raise CommandError(f"{path}: cannot be read ({exc.strerror}).") from exc


def _dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
