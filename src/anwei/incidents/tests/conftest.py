from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from anwei.directory.models import DutyKind, DutyShift, ExternalContact, Organisation


@pytest.fixture
def roster(world: Any) -> Any:
    """The ethics-office duty roster (duty-person on duty now, ethics-person as substitute) and the outside
    contacts: 調查處站, police and the national cyber-incident contact."""
    kind = DutyKind.objects.create(agency=world.agency, code="ethics", name="政風值勤")
    now = timezone.now()
    DutyShift.objects.create(
        kind=kind,
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=2),
        person=world.people["duty"],
        substitute=world.people["ethics"],
    )
    for kind_code, name, email in [
        (Organisation.Kind.INVESTIGATION, "測試調查站", "mjib@outside.example"),
        (Organisation.Kind.POLICE, "測試分局", "police@outside.example"),
        (Organisation.Kind.CYBER, "國家資安通報窗口", "cert@outside.example"),
    ]:
        org = Organisation.objects.create(agency=world.agency, name=name, kind=kind_code)
        ExternalContact.objects.create(organisation=org, name=f"{name}值日", email=email)
    return world


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
