"""Who may see and change the directory. Everyone holding a role in an agency sees that agency's directory;
admins, ethics officers and unit supervisors edit people within the units their role covers. The protected fields
of a person (grade, national-secret duty, the addresses notifications go to) only the ethics office or an
administrator changes, and never in their own entry."""

from typing import Any

from django.db.models import QuerySet

from anwei.accounts.actor import Actor, Who
from anwei.accounts.roles import ALL_ROLES, Role, grant
from anwei.accounts.scope import assignments
from anwei.core.policies import Policy

from .models import ExternalContact, Organisation, Person, Unit

grant("directory.view", *ALL_ROLES)
grant("directory.edit", Role.ADMIN, Role.ETHICS_OFFICER, Role.UNIT_SUPERVISOR)
grant("directory.manage_units", Role.ADMIN)
grant("directory.manage_external", Role.ADMIN, Role.ETHICS_OFFICER)
grant("directory.edit_protected", Role.ADMIN, Role.ETHICS_OFFICER)

# The national-secret duty decides whether mainland travel needs exit approval, the grade decides rules by rank, and
# the e-mail and mobile numbers are where a person's notifications (and acknowledgement links) go.
PROTECTED_PERSON_FIELDS = ("grade", "email", "mobile", "national_secret_duty", "national_secret_duty_until")


def agency_ids(user: Who) -> set[int]:
    paths = {path for _, path in assignments(user)}
    if "/" in paths:
        return set(Unit.objects.values_list("agency_id", flat=True).distinct())
    roots = {"/" + p.strip("/").split("/")[0] + "/" for p in paths if p.strip("/")}
    return set(Unit.objects.filter(path__in=roots).values_list("agency_id", flat=True))


class _AgencyWide(Policy):
    """Seen by anyone with a role in the record's agency; changed within the scope of `edit_action`."""

    agency_field = "agency"
    edit_action = "directory.edit"

    def visible(self, user: Who, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else self.model._default_manager.all()
        if not Actor.of(user).is_authenticated:
            return qs.none()
        return qs.filter(**{f"{self.agency_field}__in": agency_ids(user)})

    def can(self, user: Who, action: str, obj: Any = None) -> bool:
        if action == "directory.view":
            if not Actor.of(user).is_authenticated:
                return False
            if obj is None:
                return bool(assignments(user))
            return self._agency_id(obj) in agency_ids(user)
        return super().can(user, action, obj)

    def _agency_id(self, obj: Any) -> int:
        return int(obj.agency_id)


class UnitPolicy(_AgencyWide):
    model = Unit
    view_action = "directory.view"
    unit_field = ""

    def unit_of(self, obj: Any) -> Any:
        return obj


class PersonPolicy(_AgencyWide):
    model = Person
    view_action = "directory.view"

    def may_change_protected(self, user: Who, person: Person | None) -> bool:
        """The ethics office or an administrator over the person's unit — never for their own entry."""
        if person is not None and person.pk is not None and Actor.of(user).person_id == person.pk:
            return False
        return self.can(user, "directory.edit_protected", person)


class OrganisationPolicy(_AgencyWide):
    model = Organisation
    view_action = "directory.view"

    def can(self, user: Who, action: str, obj: Any = None) -> bool:
        if action == "directory.manage_external":
            if obj is not None and self._agency_id(obj) not in agency_ids(user):
                return False
            return not self.scope(user, action).empty
        return super().can(user, action, obj)


class ExternalContactPolicy(OrganisationPolicy):
    # the ignore below: OrganisationPolicy types its model as Organisation; these rules serve ExternalContact too
    model = ExternalContact  # type: ignore[assignment]
    agency_field = "organisation__agency"

    def _agency_id(self, obj: Any) -> int:
        return int(obj.organisation.agency_id)


units = UnitPolicy()
people = PersonPolicy()
organisations = OrganisationPolicy()
contacts = ExternalContactPolicy()
