"""`python -m anwei gen-data [--incidents N] [--audit N] [--seed S] …`: bulk volumes for benchmarks, reproducibly.
`--national` builds the national world instead (anwei.upward.gendata).

Loads the demo data first when the database is empty, then lets each app that has a `gendata.py` add its volumes
(core.seeding): e.g. incidents adds N reports to the demo agency, audit appends N entries to the chain from its
current head. Each app's options are its own (`--help` lists them). The same seed and the same starting database
give the same rows (apart from the time they were generated, which sets "now")."""

from io import StringIO
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from anwei.core import seeding


class Command(BaseCommand):
    help = "Generate bulk volumes for benchmarks (seeded, reproducible): each app's gendata.py."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=103)
        for module in seeding.gendata_modules():
            if hasattr(module, "add_arguments"):
                module.add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        if not seeding.has_data():
            call_command("demo", stdout=StringIO())
        run = seeding.GenerationRun(options=options, seed=options["seed"], now=timezone.now())
        found = seeding.gendata_modules()
        # an app's option that builds its world *instead* of the others' volumes (upward: --national)
        alone = [m for m in found if options.get(getattr(m, "EXCLUSIVE_OPTION", ""))]
        found = alone or [m for m in found if not hasattr(m, "EXCLUSIVE_OPTION")]
        for module in found:
            if hasattr(module, "prepare"):
                module.prepare(run)
        made = [module.generate(run) for module in found]
        self.stdout.write(self.style.SUCCESS(f"Generated {', '.join(made)}."))
