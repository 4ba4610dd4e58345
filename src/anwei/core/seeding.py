"""The demo data and the generated volumes, gathered from the apps through core.registry — core imports none of them.

Demo data (`python -m anwei demo`): each app's `demo.py`. The app that lays the ground (directory: the agency, its
units, people and one user per role) has `start() -> ctx`, `present() -> bool` (the database already has data) and
`logins() -> (password, [(username, role)])`; every app's `load(ctx)` then adds its own data to that context, in
INSTALLED_APPS order, all in one transaction.

Generated volumes (`python -m anwei gen-data`): each app's `gendata.py` with
    add_arguments(parser)        its own command-line options (optional)
    prepare(run)                 checks and look-ups before anything is written (optional; raise CommandError)
    generate(run) -> str         writes its rows in bulk and says what it made ("120 reports")
called in INSTALLED_APPS order. Each app draws from a random generator of its own (`run.random(label)`), seeded from
`--seed` and the app, so the same seed and database give the same rows whichever apps take part."""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from types import ModuleType
from typing import Any

from django.db import transaction

from .registry import modules


def demo_modules() -> list[ModuleType]:
    return modules("demo")


def has_data() -> bool:
    return any(module.present() for module in demo_modules() if hasattr(module, "present"))


def load_demo() -> None:
    found = demo_modules()
    with transaction.atomic():
        ctx = None
        for module in found:
            if hasattr(module, "start"):
                ctx = module.start()
        for module in found:
            if hasattr(module, "load"):
                module.load(ctx)


def demo_logins() -> tuple[str, list[tuple[str, str]]]:
    """The demo password and (username, role) of each demo user ("", [] when no app made logins)."""
    for module in demo_modules():
        if hasattr(module, "logins"):
            logins: Callable[[], tuple[str, list[tuple[str, str]]]] = module.logins
            return logins()
    return "", []


@dataclass
class GenerationRun:
    """One `gen-data` run: its options, its seed, the time that counts as now, and what the apps looked up."""

    options: dict[str, Any]
    seed: int
    now: datetime
    found: dict[str, Any] = field(default_factory=dict)

    def random(self, label: str) -> random.Random:
        return random.Random(f"{self.seed}/{label}")  # noqa: S311 - reproducible test data, not secrets


def gendata_modules() -> list[ModuleType]:
    return modules("gendata")
