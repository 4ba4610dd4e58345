"""The permission matrix: every page and every API operation × every persona (role inside or outside scope,
no role, signed out; the scope personas — a sub-unit auditor, a second agency — where a case names them). Each
app lists its cases in `anwei/<app>/tests/matrix.py` as `CASES` (and may add records to the world with
`setup_world(world)`); tests/test_permission_matrix.py runs them all and fails when a route or an API operation
has no case."""

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.utils.module_loading import module_has_submodule

from .personas import PERSONAS, SCOPE_PERSONAS, World, add_scope_personas

ALL_PERSONAS = [*PERSONAS, "anonymous"]
ROLE_HOLDERS = frozenset(p for p, (role, _) in PERSONAS.items() if role is not None)
AGENCY_WIDE = frozenset({"admin", "ethics", "head", "auditor", "duty"})


@dataclass
class Case:
    """`route` is a URL name ("directory:person") or an API operation ("GET /api/v1/directory/people/{person_id}").
    `expect` maps persona → status; the others get `default`. `secret` is text that no persona outside
    `may_see` may find in any response body."""

    route: str
    url: str | Callable[[World], str]
    expect: dict[str, int]
    default: int = 403
    method: str = "get"
    data: dict[str, Any] | Callable[[World], dict[str, Any]] | None = None
    json: bool = False
    secret: Callable[[World], str] | None = None
    may_see: frozenset[str] = field(default_factory=frozenset)
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.route}{'[' + self.label + ']' if self.label else ''}"

    def status_for(self, persona: str) -> int:
        return self.expect.get(persona, self.default)

    @property
    def personas(self) -> list[str]:
        """Every persona and signed-out, and the scope personas this case names (tests.personas.SCOPE_PERSONAS)."""
        return [*ALL_PERSONAS, *(p for p in SCOPE_PERSONAS if p in self.expect)]


def page(statuses: dict[str, int], *, anonymous: int = 302) -> dict[str, int]:
    """A page's expectations: signed-out users are sent to the login page."""
    return {"anonymous": anonymous, **statuses}


def api(statuses: dict[str, int]) -> dict[str, int]:
    return {"anonymous": 401, **statuses}


def everyone(status: int, personas: frozenset[str] | list[str] = frozenset(PERSONAS)) -> dict[str, int]:
    return dict.fromkeys(personas, status)


def restricted_text(world: World, text: str, may_see: frozenset[str] | set[str] | tuple[str, ...] = ()) -> str:
    """Register restricted text: no response to a persona outside `may_see` — on ANY page or API operation of the
    matrix, not only the case at hand — may contain it. Returns the text."""
    if len(text) < 6:
        raise ValueError(f"restricted text {text!r} is too short to search for reliably")
    world.secrets[text] = frozenset(may_see) | world.secrets.get(text, frozenset())
    return text


def restricted_and_open(
    route: str,
    *,
    restricted_url: str | Callable[[World], str],
    open_url: str | Callable[[World], str],
    restricted_expect: dict[str, int],
    open_expect: dict[str, int],
    secret: Callable[[World], str],
    may_see: frozenset[str],
    **kwargs: Any,
) -> list[Case]:
    """The same route on a restricted record and on an ordinary one (the issue's restricted × unrestricted):
    two cases labelled "restricted" and "unrestricted"; the restricted one carries the secret."""
    label = kwargs.pop("label", "")
    return [
        Case(
            route,
            restricted_url,
            restricted_expect,
            secret=secret,
            may_see=may_see,
            label=f"{label} restricted".strip(),
            **kwargs,
        ),
        Case(route, open_url, open_expect, label=f"{label} unrestricted".strip(), **kwargs),
    ]


def _matrix_modules() -> list[Any]:
    modules = []
    for config in apps.get_app_configs():
        if config.name.startswith("anwei.") and module_has_submodule(config.module, "tests"):
            tests_pkg = importlib.import_module(f"{config.name}.tests")
            if module_has_submodule(tests_pkg, "matrix"):
                modules.append(importlib.import_module(f"{config.name}.tests.matrix"))
    return modules


def all_cases() -> list[Case]:
    return [case for module in _matrix_modules() for case in module.CASES]


def cases_by_app() -> dict[str, list[Case]]:
    """App name ("anwei.directory") → its matrix cases."""
    return {module.__name__.rsplit(".tests.", 1)[0]: list(module.CASES) for module in _matrix_modules()}


def setup_world(world: World) -> None:
    add_scope_personas(world)
    for module in _matrix_modules():
        if hasattr(module, "setup_world"):
            before = dict(world.records)
            module.setup_world(world)
            replaced = [key for key, value in before.items() if world.records.get(key) is not value]
            # one app's record must not silently replace another's: ids that happen to match on one database hide it
            assert not replaced, f"{module.__name__} replaced world.records {replaced}; use names of its own"
