"""What the classified API modules share: the copy schema and the loader that keeps to what the caller may see
(people and units of the caller's agency are resolved in commands.py, for the pages as for the API)."""

from typing import Any

from django.http import HttpRequest
from ninja import Schema

from anwei.core.schema import IsoDateTime

from . import policies
from .models import ClassifiedItem


class CopyOut(Schema):
    id: int
    reference_no: str
    copy_number: int | None
    holder: str
    storage_location: str | None
    status: str
    due_back: IsoDateTime | None
    returned_at: IsoDateTime | None


def copy_out(c: ClassifiedItem, readable: bool) -> dict[str, Any]:
    return {
        "id": c.pk,
        "reference_no": c.reference_no,
        "copy_number": c.copy_number,
        "holder": c.custodian.display_name,
        "storage_location": c.storage_location if readable else None,
        "status": c.status,
        "due_back": c.due_back,
        "returned_at": c.returned_at,
    }


def readable_item(request: HttpRequest, item_id: int) -> tuple[ClassifiedItem, bool]:
    """An item the caller may see (404 otherwise), and whether they have need-to-know for it."""
    item = policies.items.get_visible(request.user, item_id)
    return item, policies.items.can_read(request.user, item)
