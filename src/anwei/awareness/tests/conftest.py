from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from anwei.directory.models import DutyKind, DutyShift, ExternalContact, Organisation


@pytest.fixture
def roster(world: Any) -> Any:
    """The ethics-office duty roster (duty-person on duty now) and the investigation station's contact."""
    kind = DutyKind.objects.create(agency=world.agency, code="ethics", name="政風值勤")
    now = timezone.now()
    DutyShift.objects.create(
        kind=kind, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=2), person=world.people["duty"]
    )
    org = Organisation.objects.create(agency=world.agency, name="測試調查站", kind=Organisation.Kind.INVESTIGATION)
    ExternalContact.objects.create(organisation=org, name="調查站值日", email="mjib@outside.example")
    return world
