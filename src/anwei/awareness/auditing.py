"""Reads of mainland-travel declarations on the audit log: they are personal data (where someone travels, when,
why), so every page, listing and API read of them is recorded, as classified.auditing does for the register."""

from collections.abc import Iterable
from typing import Any

from anwei.accounts.actor import Actor
from anwei.audit import services as audit

from .models import TravelDeclaration


def record_view(*, actor: Actor, declaration: TravelDeclaration, via: str = "page") -> None:
    audit.record(
        actor=actor, action=audit.Action.VIEW, obj=declaration, object_repr=f"#{declaration.pk}", changes={"via": via}
    )


def record_listing(*, actor: Actor, shown: Iterable[TravelDeclaration] | None = None, via: str = "page") -> None:
    """A list of declarations: which were listed when the caller knows (a page of it), else that the list was read."""
    changes: dict[str, Any] = {"via": via, "list": True}
    if shown is not None:
        changes["listed"] = [d.pk for d in shown]
    audit.record(actor=actor, action=audit.Action.VIEW, object_type="awareness.traveldeclaration", changes=changes)
