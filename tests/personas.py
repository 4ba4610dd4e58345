"""Shared test personas (healthchecks/CISO-Assistant style): one agency with two units A and B (A has a
sub-unit A1), and one user per role — inside unit A, inside unit B, agency-wide, or with no role at all.

`world` is a fixture: `world.users["staff_a"]`, `world.units["a"]`, `world.records[...]` (apps add records for
the permission matrix through `setup_world(world)` in their `tests/matrix.py`)."""

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from anwei.accounts import services as accounts
from anwei.accounts.models import User
from anwei.accounts.roles import MFA_REQUIRED, Role
from anwei.directory import services as directory
from anwei.directory.models import Agency, Person, Unit

PASSWORD = "correct-horse-battery"
PERSONA_DEVICE = "persona authenticator"  # the test world's authenticator app (see pass_second_factor)

# persona: (role or None, unit key or None)
PERSONAS: dict[str, tuple[Role | None, str | None]] = {
    "admin": (Role.ADMIN, "root"),
    "ethics": (Role.ETHICS_OFFICER, "root"),
    "head": (Role.AGENCY_HEAD, "root"),
    "auditor": (Role.AUDITOR, "root"),
    "duty": (Role.DUTY_OFFICER, "root"),
    "supervisor_a": (Role.UNIT_SUPERVISOR, "a"),
    "staff_a": (Role.STAFF, "a"),
    "staff_b": (Role.STAFF, "b"),
    "outsider": (None, None),
}


# Personas for scope edges, added to the world by tests.matrix.setup_world (add_scope_personas): the permission
# matrix tries them only on the cases that name them in `expect`, so an app opts in case by case.
SCOPE_PERSONAS: dict[str, tuple[Role, str]] = {
    "auditor_a1": (Role.AUDITOR, "a1"),  # an auditor assigned to a sub-unit (A1 under A)
    "ethics_other": (Role.ETHICS_OFFICER, "other_root"),  # the ethics officer of a second agency
}


@dataclass
class World:
    agency: Agency
    other_agency: Agency | None = None  # see add_scope_personas
    units: dict[str, Unit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    records: dict[str, Any] = field(default_factory=dict)
    # restricted text → the personas who may see it; the permission matrix checks every response for all of them
    secrets: dict[str, frozenset[str]] = field(default_factory=dict)


def build_world() -> World:
    agency = directory.create_agency(actor=None, code="test", name="測試縣政府", name_en="Test County")
    world = World(agency=agency)
    root = directory.create_unit(actor=None, agency=agency, name="測試縣政府", kind=Unit.Kind.AGENCY)
    world.units["root"] = root
    world.units["ethics"] = directory.create_unit(actor=None, agency=agency, name="政風處", parent=root)
    world.units["a"] = directory.create_unit(actor=None, agency=agency, name="建設處", parent=root)
    world.units["a1"] = directory.create_unit(
        actor=None, agency=agency, name="工務科", parent=world.units["a"], kind=Unit.Kind.SECTION
    )
    world.units["b"] = directory.create_unit(actor=None, agency=agency, name="財政處", parent=root)
    for name, (role, unit_key) in PERSONAS.items():
        unit = world.units[unit_key] if unit_key else None
        person = Person.objects.create(
            agency=agency,
            unit=unit if unit_key != "root" else world.units["ethics"],
            name=f"{name}-person",
            title="職稱",
            email=f"{name}@test.example",
            duty_eligible=True,
        )
        world.people[name] = person
        user = accounts.create_user(actor=None, username=name, password=PASSWORD, agency=agency, person=person)
        if role is not None and unit is not None:
            accounts.assign_role(actor=None, user=user, role=role, unit=unit)
        if role in MFA_REQUIRED:
            TOTPDevice.objects.create(user=user, name=PERSONA_DEVICE, confirmed=True)
        world.users[name] = user
    world.people["in_a1"] = Person.objects.create(agency=agency, unit=world.units["a1"], name="甲一承辦", title="技士")
    world.people["in_b"] = Person.objects.create(agency=agency, unit=world.units["b"], name="乙承辦", title="科員")
    return world


def add_scope_personas(world: World) -> None:
    """A second agency (its root unit and an ethics office) and the SCOPE_PERSONAS: an auditor on sub-unit A1
    and the second agency's ethics officer. Their people are not on duty, so rosters and routing are unchanged."""
    if world.other_agency is not None:
        return
    other = directory.create_agency(actor=None, code="other", name="他縣政府", name_en="Other County")
    world.other_agency = other
    world.units["other_root"] = directory.create_unit(actor=None, agency=other, name="他縣政府", kind=Unit.Kind.AGENCY)
    world.units["other_ethics"] = directory.create_unit(
        actor=None, agency=other, name="政風處", parent=world.units["other_root"]
    )
    homes = {"a1": (world.agency, world.units["a1"]), "other_root": (other, world.units["other_ethics"])}
    for name, (role, unit_key) in SCOPE_PERSONAS.items():
        agency, home = homes[unit_key]
        person = Person.objects.create(
            agency=agency, unit=home, name=f"{name}-person", title="職稱", email=f"{name}@test.example"
        )
        world.people[name] = person
        user = accounts.create_user(actor=None, username=name, password=PASSWORD, agency=agency, person=person)
        accounts.assign_role(actor=None, user=user, role=role, unit=world.units[unit_key])
        if role in MFA_REQUIRED:
            TOTPDevice.objects.create(user=user, name=PERSONA_DEVICE, confirmed=True)
        world.users[name] = user
    world.people["in_other"] = Person.objects.create(
        agency=other, unit=world.units["other_ethics"], name="他機關承辦", title="科員"
    )


def current_code(user: User) -> str:
    """The code the persona's authenticator app shows now. Replay protection and the throttle after wrong codes
    are reset, so a test may sign in again at once."""
    device = TOTPDevice.objects.get(user=user, name=PERSONA_DEVICE)
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):0{device.digits}d}"


def pass_second_factor(client: Client, user: User) -> None:
    """Mark a test client's session as having passed the second factor with the persona's authenticator (what
    a correct code at /accounts/two-factor/ does); users without one are left as they are."""
    device = TOTPDevice.objects.filter(user=user, name=PERSONA_DEVICE, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


@pytest.fixture(autouse=True)
def _personas_pass_second_factor(monkeypatch: Any) -> None:
    """`client.force_login(persona)` stands for a full sign-in: password and, for a persona with an authenticator,
    the second factor. Tests of the sign-in itself use the login form and /accounts/two-factor/ instead."""
    original = Client.force_login

    def force_login(self: Client, user: Any, backend: str | None = None) -> None:
        original(self, user, backend)
        pass_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


@pytest.fixture
def client_for(client: Any, world: World) -> Any:
    """client_for("staff_a") → a test client signed in as that persona."""

    def sign_in(persona: str) -> Any:
        from django.test import Client

        c = Client()
        if persona != "anonymous":
            c.force_login(world.users[persona])
        return c

    return sign_in


def pytest_runtest_setup(item: Any) -> None:
    """Tests marked `postgres` run in the PostgreSQL pass of `make test` (the suite runs on both databases)."""
    if item.get_closest_marker("postgres"):
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip("PostgreSQL only: runs in the PostgreSQL pass")
