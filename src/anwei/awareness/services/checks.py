"""Random checks (抽查) of junior staff: a reproducible draw of about 2 %, the seed and the list kept with the draw
and on the audit log, and the staff left out for a reason of record."""

import random
import secrets
from datetime import date
from typing import Any

from django.db import transaction

from anwei.accounts.actor import Actor, write_service
from anwei.audit import services as audit
from anwei.core.errors import NotAllowed
from anwei.directory.models import Agency, Person

from .. import policies, rules
from ..models import RandomCheckDraw
from . import common
from .travel import category_for, grade_of


def check_population(agency: Agency | int, on: date) -> tuple[list[Person], list[dict[str, Any]]]:
    """Junior staff (第10職等 and below, not handling national secrets), ordered by id so a seed reproduces; and
    those left out for a reason of record: staff with no grade in the directory cannot be judged junior."""
    eligible, excluded = [], []
    for person in Person.objects.filter(agency=agency, active=True).order_by("pk"):
        if category_for(person, on) != rules.JUNIOR:
            continue
        if grade_of(person) is None:
            excluded.append({"id": person.pk, "name": person.name, "reason": RandomCheckDraw.NO_GRADE})
        else:
            eligible.append(person)
    return eligible, excluded


def eligible_for_check(agency: Agency | int, on: date) -> list[Person]:
    return check_population(agency, on)[0]


def draw_selection(eligible_ids: list[int], seed: str, rate: float) -> list[int]:
    if not eligible_ids:
        return []
    size = max(1, round(len(eligible_ids) * rate))
    return sorted(random.Random(seed).sample(sorted(eligible_ids), size))  # noqa: S311 - reproducible, not secret


@write_service
@transaction.atomic
def draw_random_check(*, actor: Actor, seed: str = "") -> RandomCheckDraw:
    """Select about 2 % of eligible junior staff of the actor's agency; the seed and the list go on the draw and
    the audit log."""
    agency = actor.agency
    if agency is None or not policies.checks.can(actor, "awareness.random_check"):
        raise NotAllowed()
    today = common.today()
    seed = (seed or secrets.token_hex(8))[:64]
    people, excluded = check_population(agency, today)
    rate = rules.random_check_rate(today)
    chosen = draw_selection([p.pk for p in people], seed, rate)
    names = {p.pk: p.name for p in people}
    draw = RandomCheckDraw.objects.create(
        agency=agency,
        drawn_by=actor.user,
        seed=seed,
        rate=rate,
        rule_source=rules.RANDOM_CHECK_RATE[-1][2],
        eligible=[p.pk for p in people],
        selected=chosen,
        selected_names=[names[pk] for pk in chosen],
        excluded=excluded,
    )
    audit.record(
        actor=actor,
        action=audit.Action.CREATE,
        obj=draw,
        changes={
            "seed": seed,
            "rate": rate,
            "eligible": len(people),
            "selected": chosen,
            "names": draw.selected_names,
            "excluded": [[row["id"], row["reason"]] for row in excluded],
        },
    )
    return draw
