"""Who may do what with inspections. Ethics officers (and admins) run rounds over the units their role covers;
the inspectors named on a round see it and fill its inspections; agency heads and auditors read. The unit answers:
its supervisors and its staff (a role on the unit or above it) see and answer the findings and corrective actions of
their own units, while verifying and closing stay with the round's inspectors and the ethics office. Admins edit the
checklist templates."""

from typing import Any

from django.db.models import Q, QuerySet

from anwei.accounts.actor import Actor, Who
from anwei.accounts.roles import Role, grant
from anwei.core.policies import Policy

from .models import ChecklistTemplate, CorrectiveAction, Finding, Inspection, Photo, Round

grant("inspections.view", Role.ADMIN, Role.ETHICS_OFFICER, Role.AGENCY_HEAD, Role.AUDITOR)
grant("inspections.manage", Role.ADMIN, Role.ETHICS_OFFICER)
grant("inspections.edit_templates", Role.ADMIN)
grant(
    "inspections.view_findings",
    Role.ADMIN,
    Role.ETHICS_OFFICER,
    Role.AGENCY_HEAD,
    Role.AUDITOR,
    Role.UNIT_SUPERVISOR,
    Role.STAFF,
)
grant("inspections.answer", Role.UNIT_SUPERVISOR, Role.STAFF)


def _signed_in(who: Who) -> bool:
    return Actor.of(who).is_authenticated


def _user_id(who: Who) -> int:
    """The user's key; 0 (nobody's) when signed out — asked only once `_signed_in` said yes."""
    return Actor.of(who).user_id or 0


def inspector_round_ids(who: Who) -> QuerySet[Round, Any]:
    return Round.objects.filter(inspectors=_user_id(who)).values("pk")


class TemplatePolicy(Policy):
    model = ChecklistTemplate
    view_action = "inspections.view"

    def visible(self, user: Who, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else ChecklistTemplate.objects.all()
        return qs if self.can(user, "inspections.view") else qs.none()

    def can(self, user: Who, action: str, obj: Any = None) -> bool:
        if not _signed_in(user):
            return False
        if action == "inspections.view":
            return (
                not self.scope(user, "inspections.view").empty
                or Round.objects.filter(inspectors=_user_id(user)).exists()
            )
        return not self.scope(user, action).empty


class RoundPolicy(Policy):
    model = Round
    view_action = "inspections.view"
    unit_field = "unit"
    round_path = ""  # how to get from this policy's model to its round

    def _round(self, obj: Any) -> Round:
        for part in filter(None, self.round_path.split("__")):
            obj = getattr(obj, part)
        assert isinstance(obj, Round)
        return obj

    def visible(self, user: Who, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else self.model._default_manager.all()
        if not _signed_in(user):
            return qs.none()
        prefix = f"{self.round_path}__" if self.round_path else ""
        scope_q = self.scope(user, self.view_action).q(f"{prefix}unit")
        return qs.filter(scope_q | Q(**{f"{prefix}pk__in": inspector_round_ids(user)}))

    def may_run(self, user: Who, round_: Round) -> bool:
        """Whether `user` is offered to add or import targets and to close the round: it is open and theirs to
        manage."""
        return round_.status == Round.Status.OPEN and self.can(user, "inspections.manage", round_)

    def is_inspector(self, user: Who, obj: Any) -> bool:
        round_ = self._round(obj)
        return _signed_in(user) and round_.inspectors.filter(pk=_user_id(user)).exists()

    def can(self, user: Who, action: str, obj: Any = None) -> bool:
        if not _signed_in(user):
            return False
        if action == "inspections.inspect":
            if obj is None:
                return False
            round_ = self._round(obj)
            return round_.status == Round.Status.OPEN and (
                self.is_inspector(user, obj) or self.scope(user, "inspections.manage").covers(round_.unit)
            )
        if obj is not None:
            return self.scope(user, action).covers(self._round(obj).unit)
        return not self.scope(user, action).empty


class InspectionPolicy(RoundPolicy):
    model = Inspection  # type: ignore[assignment]  # the round's policy reused for a model under the round
    round_path = "round"


class PhotoPolicy(RoundPolicy):
    model = Photo  # type: ignore[assignment]  # the round's policy reused for a model under the round
    round_path = "inspection__round"


class FindingPolicy(Policy):
    """Findings and their actions: seen by the unit's supervisors and staff (and agency-wide readers) and the
    round's inspectors."""

    model = Finding
    view_action = "inspections.view_findings"
    unit_field = "unit"
    round_path = "inspection__round"

    def _round(self, obj: Any) -> Round:
        return obj.inspection.round if isinstance(obj, Finding) else obj.finding.inspection.round

    def visible(self, user: Who, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else self.model._default_manager.all()
        if not _signed_in(user):
            return qs.none()
        scope_q = self.scope(user, self.view_action).q(self.unit_field)
        return qs.filter(scope_q | Q(**{f"{self.round_path}__pk__in": inspector_round_ids(user)}))

    def is_inspector(self, user: Who, obj: Any) -> bool:
        return _signed_in(user) and self._round(obj).inspectors.filter(pk=_user_id(user)).exists()

    def can(self, user: Who, action: str, obj: Any = None) -> bool:
        if not _signed_in(user):
            return False
        if action == "inspections.verify":
            if obj is None:
                return False
            return self.is_inspector(user, obj) or self.scope(user, "inspections.manage").covers(self._round(obj).unit)
        return super().can(user, action, obj)


class ActionPolicy(FindingPolicy):
    """Separation of duties: nobody verifies or closes a corrective action of their own — one they answered, or one
    owed by a unit they belong to or answer for — even when they are an inspector of the round."""

    model = CorrectiveAction  # type: ignore[assignment]  # the findings' policy reused for their actions
    round_path = "finding__inspection__round"

    def is_own(self, user: Who, action: CorrectiveAction) -> bool:
        if not _signed_in(user):
            return False
        actor = Actor.of(user)
        if action.answered_by_id == actor.user_id:
            return True
        person = actor.person
        if person is not None and person.unit_id == action.unit_id:
            return True
        return self.scope(user, "inspections.answer").covers(action.unit)

    def is_verifier(self, user: Who, action: CorrectiveAction) -> bool:
        """An inspector of the round or the ethics office over it — whether or not the action is their own."""
        return super().can(user, "inspections.verify", action)

    def can(self, user: Who, action: str, obj: Any = None) -> bool:
        if action == "inspections.verify" and obj is not None and self.is_own(user, obj):
            return False
        return super().can(user, action, obj)


templates = TemplatePolicy()
rounds = RoundPolicy()
inspections = InspectionPolicy()
photos = PhotoPolicy()
findings = FindingPolicy()
actions = ActionPolicy()
