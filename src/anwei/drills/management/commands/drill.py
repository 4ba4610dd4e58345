"""`python -m anwei drill load FILE --plan ID [--name N] [--speed K] [--start]` makes an exercise of the plan from
a YAML or CSV script (the format is in `anwei.drills.script`); `drill start ID [--speed K]` starts one; `drill list`
prints them. The command acts as the system (audited as such)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anwei.accounts.actor import Actor
from anwei.core.errors import BusinessRuleError
from anwei.drills import services
from anwei.drills.models import Exercise
from anwei.plans.models import Plan


class Command(BaseCommand):
    help = "Load an exercise (演練) script for a plan, start an exercise, list the exercises."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["load", "start", "list"])
        parser.add_argument("target", nargs="?", help="the script file (load) or the exercise number (start)")
        parser.add_argument("--plan", type=int, help="the plan's number (load)")
        parser.add_argument("--name", default="")
        parser.add_argument(
            "--speed", type=int, default=None, help="acceleration: 1 = real time, 60 = a minute a second"
        )
        parser.add_argument("--start", action="store_true", help="start the exercise at once (load)")

    def handle(self, *args: Any, what: str, target: str | None, **options: Any) -> None:
        try:
            if what == "list":
                for e in Exercise.objects.select_related("plan"):
                    self.stdout.write(f"{e.pk}\t{e.status}\t×{e.speed}\t{e.plan_id}\t{e.name}")
                return
            if not target:
                raise CommandError(f"drill {what}: give the script file or the exercise number")
            if what == "load":
                plan = Plan.objects.filter(pk=options["plan"]).first() if options["plan"] else None
                if plan is None:
                    raise CommandError("drill load: give an existing plan with --plan ID")
                path = Path(target)
                if not path.is_file():
                    raise CommandError(f"drill load: no file {target}")
                exercise = services.load(
                    actor=Actor.system(), plan=plan, content=path.read_bytes(), filename=path.name, name=options["name"]
                )
                self.stdout.write(f"exercise {exercise.pk}: {exercise.injects.count()} injects")
                if not options["start"]:
                    return
            else:
                found = Exercise.objects.filter(pk=int(target)).first()
                if found is None:
                    raise CommandError(f"drill start: no exercise {target}")
                exercise = found
            exercise = services.start(actor=Actor.system(), exercise=exercise, speed=options["speed"])
            self.stdout.write(f"exercise {exercise.pk} started ×{exercise.speed}")
        except BusinessRuleError as error:
            raise CommandError(str(error)) from None
