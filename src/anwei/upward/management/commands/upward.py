"""`python -m anwei upward push` (send the outbox now), `upward sitrep [--date YYYY-MM-DD]` (file the daily
situation report of that day, by default the day whose cut-off came last — upward, and for the subordinate agencies
on this deployment into the local roll-up), `upward checkpoint` (send the audit log's newest signed checkpoint),
`upward results --plan ID` (file the plan period's results report: figures and document), `upward status`."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from anwei.accounts.actor import Actor
from anwei.upward import outbox, rules


class Command(BaseCommand):
    help = "File upward to the superior ethics office (ANWEI_UPSTREAM_URL, ANWEI_UPSTREAM_TOKEN)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("push")
        sitrep = sub.add_parser("sitrep")
        sitrep.add_argument("--date", type=date.fromisoformat)
        sub.add_parser("checkpoint")
        results = sub.add_parser("results")
        results.add_argument("--plan", type=int, required=True, help="The plan whose period's results report goes up.")
        sub.add_parser("status")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "sitrep":
            day = options.get("date") or rules.sitrep_day(timezone.now())
            self.stdout.write(f"rolled up locally {outbox.roll_up_sitreps_locally(day)}")
            if outbox.upstream_agency_code() is None:
                return
            self.stdout.write(f"queued {outbox.queue_sitreps(day)}")
        if outbox.upstream_agency_code() is None:
            raise CommandError("Set ANWEI_UPSTREAM_URL and ANWEI_UPSTREAM_TOKEN first.")
        if action == "results":
            from anwei.core.errors import BusinessRuleError
            from anwei.plans.models import Plan
            from anwei.upward import results as results_filing

            plan = Plan.objects.select_related("agency").filter(pk=options["plan"]).first()
            if plan is None:
                raise CommandError(f"No plan {options['plan']}.")
            try:
                results_filing.file_results(actor=Actor.system("upward results"), plan=plan)
            except BusinessRuleError as exc:
                raise CommandError(str(exc.message)) from exc
            self.stdout.write("queued 1")
        if action == "checkpoint":
            self.stdout.write(f"queued {1 if outbox.queue_checkpoint() is not None else 0}")
        if action in ("push", "sitrep", "checkpoint", "results"):
            self.stdout.write(f"sent {outbox.push()}")
        self.stdout.write(f"pending {outbox.pending()}")
