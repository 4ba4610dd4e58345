"""Need-to-know for restricted reports (leak, national security). A person a routing rule names for a restricted
report, or the escalation ladder passes it to, is handling the matter — DOMAIN §3: access only for those handling
the matter — so telling them records a need-to-know grant (accounts.AccessGrant) in the same transaction, each
audited. Without it they would be told of a report they then could not open. Grants are revoked the usual way
(accounts.services.revoke_access)."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor
from anwei.accounts.models import AccessGrant, User
from anwei.audit import services as audit
from anwei.directory.models import Person
from anwei.notifications.models import Notification

from .models import Incident

ACTOR_LABEL = "routing"  # the audit log's actor for grants the routing or the sweep records on its own


def _user_of(person: Person | None) -> User | None:
    if person is None:
        return None
    try:
        user: User = person.user
    except ObjectDoesNotExist:
        return None
    return user if user.is_active else None


def grant_to_notified(
    incident: Incident,
    sent: list[Notification],
    *,
    reason: str = "",
    reasons: dict[int, str] | None = None,
    actor: Actor | None = None,
) -> list[AccessGrant]:
    """Grant need-to-know on a restricted report to the people just notified of it who have an account and no
    grant yet: `reasons` per person id (e.g. the rule that named them), else `reason`. Two statements whatever
    the number of people (notify() has already read their accounts)."""
    if not incident.restricted or not sent:
        return []
    wanted: dict[int, tuple[User, str]] = {}
    for notification in sent:
        user = _user_of(notification.person)
        if user is not None and user.pk not in wanted:
            why = (reasons or {}).get(notification.person_id or 0) or reason
            wanted[user.pk] = (user, why)
    if not wanted:
        return []
    content_type = ContentType.objects.get_for_model(Incident)
    held = set(
        AccessGrant.objects.active()
        .filter(content_type=content_type, object_id=str(incident.pk), user_id__in=list(wanted))
        .values_list("user_id", flat=True)
    )
    signed_in = actor.user if actor is not None else None
    grants = [
        AccessGrant(
            user=user,
            content_type=content_type,
            object_id=str(incident.pk),
            reason=why[:300],
            # granted_by may not be empty: the person whose filing named them, else the report's filer, else the
            # grantee (a grant the system recorded; the audit entry's actor is then "routing")
            granted_by=signed_in or incident.filed_by or user,
        )
        for user_id, (user, why) in wanted.items()
        if user_id not in held
    ]
    AccessGrant.objects.bulk_create(grants)
    for grant in grants:
        audit.record(
            actor=signed_in,
            action=audit.Action.GRANT,
            object_type="incidents.incident",
            object_id=incident.pk,
            object_repr=incident.reference,
            changes={"need_to_know": grant.user.username, "reason": grant.reason},
            actor_label=None if signed_in else ACTOR_LABEL,
        )
    return grants


def grant_to_reporter(incident: Incident, *, actor: Actor) -> AccessGrant | None:
    """A restricted report filed on behalf of someone with an account (the ethics office taking their call): the
    reporter may follow their own report, through a need-to-know grant recorded and audited like any other — never
    by being named alone. Nothing when the filer is the reporter (they see what they filed) or already granted."""
    if not incident.restricted:
        return None
    user = _user_of(incident.reporter)
    if user is None or user.pk == actor.user_id:
        return None
    content_type = ContentType.objects.get_for_model(Incident)
    if AccessGrant.objects.active().filter(content_type=content_type, object_id=str(incident.pk), user=user).exists():
        return None
    signed_in = actor.user if actor is not None else None
    grant = AccessGrant.objects.create(
        user=user,
        content_type=content_type,
        object_id=str(incident.pk),
        reason=str(_("the reporter the report was filed for")),
        granted_by=signed_in or user,
    )
    audit.record(
        actor=signed_in,
        action=audit.Action.GRANT,
        object_type="incidents.incident",
        object_id=incident.pk,
        object_repr=incident.reference,
        changes={"need_to_know": user.username, "reason": grant.reason},
        actor_label=None if signed_in else ACTOR_LABEL,
    )
    return grant
