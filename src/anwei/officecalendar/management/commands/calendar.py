"""`python -m anwei calendar import FILE` reads a DGPA office-calendar CSV (data.gov.tw dataset 14718, UTF-8 with a
BOM or Big5), prints the differences from the calendar in force and, after confirmation (or with --yes), saves them
with the file's SHA-256 and date. `calendar closure DATE COUNTY --reference …` enters a typhoon closure."""

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anwei.accounts.actor import Actor
from anwei.core.errors import BusinessRuleError
from anwei.officecalendar import dgpa, selectors, services


def describe(entry: dgpa.Entry | None) -> str:
    if entry is None:
        return "-"
    return f"{entry.name} ({'working day' if entry.is_workday else 'day off'})"


class Command(BaseCommand):
    help = "Import the DGPA office calendar (CSV), or enter a typhoon closure."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        imp = sub.add_parser("import", help="read a DGPA calendar CSV")
        imp.add_argument("file")
        imp.add_argument("--file-date", help="the date of the file (YYYY-MM-DD), e.g. as published")
        imp.add_argument("--yes", action="store_true", help="save without asking")
        imp.add_argument("--dry-run", action="store_true", help="show the differences only")
        imp.add_argument("--by", default="", help="who imports it (for the record)")
        closure = sub.add_parser("closure", help="enter a typhoon closure (停止上班) of a county")
        closure.add_argument("day")
        closure.add_argument("county")
        closure.add_argument("--reference", required=True, help="the announcement")
        closure.add_argument("--note", default="")

    def handle(self, *args: Any, what: str, **options: Any) -> None:
        try:
            if what == "import":
                self.import_file(options)
            else:
                closure = services.enter_closure(
                    actor=Actor.system(),
                    day=date.fromisoformat(options["day"]),
                    county=options["county"],
                    reference=options["reference"],
                    note=options["note"],
                )
                self.stdout.write(f"closure entered: {closure.day.isoformat()} {closure.county}")
        except (dgpa.CalendarFileError, BusinessRuleError, ValueError, OSError) as error:
            raise CommandError(str(error)) from None

    def import_file(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        data = path.read_bytes()
        calendar_file = dgpa.read(data)
        changes = selectors.differences(calendar_file)
        years = ", ".join(str(y) for y in calendar_file.years)
        self.stdout.write(
            f"{path.name}: {calendar_file.encoding}, sha256 {calendar_file.sha256}, years {years}, "
            f"{calendar_file.days_listed} days listed, {len(calendar_file.entries)} kept"
        )
        for change in changes:
            self.stdout.write(
                f"  {change.kind:8} {change.day.isoformat()}  {describe(change.before)} -> {describe(change.after)}"
            )
        if not changes:
            self.stdout.write("no differences from the calendar in force")
        if options["dry_run"]:
            return
        if not options["yes"] and input(f"save {len(changes)} differences? [y/N] ").strip().lower() not in ("y", "yes"):
            self.stdout.write("not saved")
            return
        record = services.import_calendar(
            actor=Actor.system(),
            data=data,
            file_name=path.name,
            file_date=date.fromisoformat(options["file_date"]) if options["file_date"] else None,
            expected_sha256=calendar_file.sha256,
            actor_label=options["by"] or "command line",
        )
        self.stdout.write(f"saved: import #{record.pk}, {len(changes)} days changed")
