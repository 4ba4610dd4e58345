"""Register items for tests, built through the services (so audit and rules apply)."""

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from anwei.classified import services
from anwei.classified.models import ClassifiedItem
from anwei.classified.rules import Level

SECRET_TITLE = "花蓮港區反滲透部署計畫"


def item(world: Any, *, level: str = Level.CONFIDENTIAL, title: str = SECRET_TITLE, **extra: Any) -> ClassifiedItem:
    fields: dict[str, Any] = {
        "actor": world.users["staff_a"],
        "unit": world.units["a"],
        "title": title,
        "content": "內容摘要：" + title,
        "level": level,
        "classified_on": date(2026, 1, 5),
        "protection_until": date(2030, 12, 31),
        "classifying_authority": "測試縣長",
        "custodian": world.users["staff_a"],
        "storage_location": "建設處機密櫃 1",
    }
    fields.update(extra)
    return services.register_item(**fields)


def soon(hours: int = 48) -> Any:
    return timezone.now() + timedelta(hours=hours)


def second_agency(world: Any) -> dict[str, Any]:
    """Another county with its own ethics officer and staff member (custodian of its own items)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from tests.personas import PERSONA_DEVICE

    from anwei.accounts import services as accounts
    from anwei.accounts.roles import MFA_REQUIRED, Role
    from anwei.directory import services as directory
    from anwei.directory.models import Person, Unit

    agency = directory.create_agency(actor=None, code="other", name="鄰縣政府", name_en="Other County")
    root = directory.create_unit(actor=None, agency=agency, name="鄰縣政府", kind=Unit.Kind.AGENCY)
    unit = directory.create_unit(actor=None, agency=agency, name="鄰縣建設處", parent=root)
    users = {}
    for name, role, where in (("other_ethics", Role.ETHICS_OFFICER, root), ("other_staff", Role.STAFF, unit)):
        person = Person.objects.create(agency=agency, unit=unit, name=f"{name}-person", title="職稱")
        user = accounts.create_user(actor=None, username=name, password="x-Pass-1234", agency=agency, person=person)
        accounts.assign_role(actor=None, user=user, role=role, unit=where)
        if role in MFA_REQUIRED:  # signed in by tests as the personas are, past the second factor
            TOTPDevice.objects.create(user=user, name=PERSONA_DEVICE, confirmed=True)
        users[name] = user
    return {"agency": agency, "unit": unit, **users}
