"""The register's entries on the audit log. An entry never names a title: items by reference number. Free text
that could describe an item to someone without need-to-know (its declassification condition, who classified it,
where it is kept, why a grant was given or withdrawn, what was searched for) is sealed: the entry holds a keyed
digest (HMAC-SHA-256 with the site's secret key), so a change still shows and a value can be checked against it by
the server, but the audit viewer never shows the text."""

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, UserLike
from anwei.audit import services as audit

from . import policies
from .models import ClassifiedItem

SEALED_FIELDS = frozenset({"declassification_condition", "classifying_authority", "storage_location"})


def seal(value: Any) -> str:
    if value in (None, ""):
        return ""
    digest = hmac.new(settings.SECRET_KEY.encode(), str(value).encode(), hashlib.sha256).hexdigest()
    return f"hmac-sha256:{digest[:24]}"


def snapshot(item: ClassifiedItem, fields: list[str]) -> dict[str, Any]:
    """Field values for a before/after comparison, the describing ones sealed."""
    return {k: seal(v) if k in SEALED_FIELDS else v for k, v in audit.snapshot(item, fields).items()}


def record_update(*, actor: Actor | UserLike, item: ClassifiedItem, before: dict[str, Any]) -> None:
    """An update of an item with field-level old/new values (sealed where they describe it); nothing when nothing
    changed."""
    diff = audit.changes_between(before, snapshot(item, list(before)))
    if diff:
        audit.record(actor=actor, action=audit.Action.UPDATE, obj=item, object_repr=item.reference_no, changes=diff)


def record_view(*, actor: Actor | UserLike, item: ClassifiedItem, how: str = "page") -> None:
    """Every view of an item goes on the audit log (with what was shown)."""
    audit.record(
        actor=actor,
        action=audit.Action.VIEW,
        obj=item,
        object_repr=item.reference_no,
        changes={"via": how, "content_shown": policies.items.can_read(actor, item)},
    )


def record_listing(*, actor: Actor | UserLike, shown: list[ClassifiedItem], titled: set[int], how: str) -> None:
    """A listing of the register (a page of it, the combine form, an inventory, the API): which items were listed
    and whose titles were shown."""
    if shown:
        audit.record(
            actor=actor,
            action=audit.Action.VIEW,
            object_type=ClassifiedItem._meta.label_lower,
            object_repr=_("register listing"),
            changes={"via": how, "listed": [i.reference_no for i in shown], "titles_shown": sorted(titled)},
        )


def record_export(
    *,
    actor: Actor | UserLike,
    listing: str,
    filters: dict[str, Any],
    count: int,
    titled: list[str],
    model: type[models.Model] = ClassifiedItem,
) -> None:
    """A CSV export, recorded before the first row leaves: what was asked for (the filters; a search text sealed),
    how many rows, and the reference numbers of the rows whose titles it carries. The rows are streamed, never
    held, so the entry names them by the query rather than one by one."""
    shown = {k: seal(v) if k in ("q", "location") else v for k, v in filters.items()}
    audit.record(
        actor=actor,
        action=audit.Action.EXPORT,
        object_type=model._meta.label_lower,
        object_repr=listing,
        changes={"via": "csv", "filters": shown, "rows": count, "titles_shown": titled},
    )
