"""Who is acting: one typed `Actor` handed to every service and policy, built once per request.

- a signed-in user of a page: `ActorMiddleware` sets `request.actor` (read it with `actor_of(request)`);
- a token or session caller of the API: `accounts.auth` sets `request.actor` when it accepts the caller;
- the system (background tasks, management commands, the escalation worker): `Actor.system()`.

The actor answers the questions services and policies used to ask by probing a user object (`getattr(user,
"person", None)`, `is_authenticated`, `pk`, `agency_id`): `actor.person`, `actor.is_authenticated`, `actor.user_id`,
`actor.agency_id`, and its roles and scope through `accounts.scope` (loaded once per user object, i.e. per request).

A write service is declared with `@write_service`: it is listed in `WRITE_SERVICES` (the test of entrances reads
it) and its `actor` argument is taken as an `Actor`; a bare user handed in (older callers, tests) is wrapped once
at the door, so the body only ever sees an `Actor`.
"""

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from anwei.core.policies import Who as CoreWho

from . import scope as scopes

if TYPE_CHECKING:
    from anwei.directory.models import Agency, Person, Unit

    from .models import User

type UserLike = AbstractBaseUser | AnonymousUser
# What policies accept while callers move over: an Actor, or a request's user (wrapped at once) — whatever says
# whether it is signed in (core.policies.Principal), so the policy base in core and the apps' policies agree.
Who = CoreWho

_REQUEST_ATTR = "actor"


@dataclass(frozen=True, eq=False)
class Actor:
    """A signed-in user (`user` set), someone signed out (`user` None), or the system (`is_system`)."""

    user: "User | None"
    is_system: bool = False
    label: str = ""

    # --- building -----------------------------------------------------------------------------------------------

    @classmethod
    def of(cls, who: Who) -> "Actor":
        """The actor for a request's user (signed out → an actor that may do nothing), or `who` if already one."""
        if isinstance(who, Actor):
            return who
        if who is None:
            return cls.system()  # the callers that passed None meant the system
        from .models import User

        if isinstance(who, User) and who.is_authenticated:
            return cls(user=who)
        return cls(user=None)

    @classmethod
    def system(cls, label: str = "") -> "Actor":
        """The system acting on its own (a task, a command): no user, no role; audit entries name no one."""
        return cls(user=None, is_system=True, label=label)

    # --- who ----------------------------------------------------------------------------------------------------

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

    @property
    def pk(self) -> int | None:
        """The user's key, as code written for a user object reads it (prefer `user_id`)."""
        return self.user_id

    @property
    def username(self) -> str:
        return self.user.username if self.user is not None else ""

    @property
    def is_superuser(self) -> bool:
        return self.user is not None and self.user.is_superuser

    @property
    def person_id(self) -> int | None:
        return self.user.person_id if self.user is not None else None

    @property
    def person(self) -> "Person | None":
        return self.user.person if self.user is not None and self.user.person_id else None

    @property
    def agency_id(self) -> int | None:
        return self.user.agency_id if self.user is not None else None

    @property
    def agency(self) -> "Agency | None":
        return self.user.agency if self.user is not None and self.user.agency_id else None

    @property
    def unit(self) -> "Unit | None":
        """The unit of the person the user is linked to, if any."""
        person = self.person
        return person.unit if person is not None and person.unit_id else None

    # --- what they may do ---------------------------------------------------------------------------------------

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(scopes.roles_of(self.user)) if self.user is not None else frozenset()

    def has_role(self, *roles: str) -> bool:
        return self.user is not None and scopes.has_role(self.user, *roles)

    def scope(self, action: str) -> scopes.Scope:
        """The units (with their subtrees) on which the actor may perform `action`; empty when signed out/system."""
        return scopes.scope_for(self.user, action) if self.user is not None else scopes.Scope(())

    def can_anywhere(self, action: str) -> bool:
        return not self.scope(action).empty

    # --- what the audit log records (anwei.audit.services.Recordable) -------------------------------------------

    @property
    def audit_id(self) -> int | None:
        return self.user_id

    @property
    def audit_label(self) -> str:
        return self.username[:150]

    def __repr__(self) -> str:
        if self.is_system:
            return f"Actor.system({self.label!r})"
        return f"Actor({self.username or 'signed out'})"


def actor_of(request: HttpRequest) -> Actor:
    """The request's actor: set once by ActorMiddleware (pages) or the API's authentication (tokens, sessions)."""
    found = request.__dict__.get(_REQUEST_ATTR)
    if isinstance(found, Actor):
        return found
    actor = Actor.of(getattr(request, "user", None))  # before ActorMiddleware ran (e.g. an error page)
    set_actor(request, actor)
    return actor


def set_actor(request: HttpRequest, actor: Actor) -> None:
    request.__dict__[_REQUEST_ATTR] = actor


# --- write services ---------------------------------------------------------------------------------------------

WRITE_SERVICES: dict[str, Callable[..., object]] = {}


def write_service[**P, R](fn: Callable[P, R]) -> Callable[P, R]:
    """Declare `fn` a write service: one function per write, called by every entrance (page, API, task). Its
    `actor` parameter is an Actor; a user handed in is wrapped (once, here)."""
    params = list(inspect.signature(fn).parameters)
    position = params.index("actor") if "actor" in params else None

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if "actor" in kwargs:
            if not isinstance(kwargs["actor"], Actor):
                kwargs["actor"] = Actor.of(kwargs["actor"])  # type: ignore[arg-type]  # a user from an older caller
        elif position is not None and len(args) > position and not isinstance(args[position], Actor):
            args = (*args[:position], Actor.of(args[position]), *args[position + 1 :])  # type: ignore[assignment,arg-type]  # same
        return fn(*args, **kwargs)

    WRITE_SERVICES[f"{fn.__module__}.{fn.__qualname__}"] = wrapper
    wrapper.write_service = True  # type: ignore[attr-defined]  # marks the function for the test of entrances
    return wrapper


def signed_in_user(request: HttpRequest) -> "User":
    """The signed-in user of a page only signed-in users reach (others are refused, as by the policies)."""
    user = actor_of(request).user
    if user is None:
        from anwei.core.errors import NotAllowed

        raise NotAllowed()
    return user
