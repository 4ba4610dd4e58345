"""Visiting mainland delegations (大陸人士來臺參訪) and the anomalies observed during a visit, which go to the
incidents app as `mainland-visitor` reports routed to the investigation authority."""

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, write_service
from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.directory.models import Person

from .. import policies
from ..models import Delegation, VisitAnomaly
from . import common


@write_service
@transaction.atomic
def create_delegation(
    *,
    actor: Actor,
    unit_id: int,
    title: str,
    starts_on: date,
    ends_on: date,
    host_ids: Iterable[int] = (),
    itinerary: str = "",
    visitors: str = "",
) -> Delegation:
    """A visiting delegation hosted by a unit within the actor's scope (and agency), with hosts of that agency."""
    scope = policies.delegations.scope(actor, "awareness.manage")
    if scope.empty:
        raise NotAllowed()
    unit = common.agency_unit(actor, unit_id, within=scope.q("") & Q(active=True))
    wanted = set(host_ids)
    host_list = list(Person.objects.filter(pk__in=wanted, agency_id=unit.agency_id, active=True))
    if len(host_list) != len(wanted):
        raise BusinessRuleError(_("A host was not found."), field="host_ids")
    if not (title or "").strip():
        raise BusinessRuleError(_("Name the delegation."), field="title")
    if ends_on < starts_on:
        raise BusinessRuleError(_("The visit cannot end before it starts."), field="ends_on")
    delegation = Delegation.objects.create(
        agency=unit.agency,
        unit=unit,
        title=title.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        itinerary=itinerary,
        visitors=visitors,
        created_by=actor.user,
    )
    delegation.hosts.set(host_list)
    audit.record_create(actor=actor, obj=delegation)
    return delegation


@write_service
@transaction.atomic
def report_anomaly(*, actor: Actor, delegation_id: int, description: str) -> VisitAnomaly:
    """An anomaly during a visit goes to the incidents app as a `mainland-visitor` report, which its routing
    sends to the investigation authority."""
    delegation: Delegation = policies.delegations.get_visible(actor, delegation_id)
    if not policies.delegations.can(actor, "awareness.view_delegations", delegation):
        raise NotAllowed()
    if not description.strip():
        raise BusinessRuleError(_("Describe what was observed."), field="description")
    anomaly = VisitAnomaly.objects.create(
        delegation=delegation,
        description=description.strip(),
        reported_by=actor.user,
    )
    incident = common.open_incident(
        actor=actor,
        agency=delegation.agency,
        category="mainland-visitor",
        title=_("Anomaly during the visit of %(delegation)s") % {"delegation": delegation.title},
        description=anomaly.description,
        unit=delegation.unit,
        source=anomaly,
    )
    anomaly.incident_id, anomaly.incident_reference = incident.pk, incident.reference
    anomaly.save(update_fields=["incident_id", "incident_reference"])
    audit.record(
        actor=actor,
        action=audit.Action.CREATE,
        obj=anomaly,
        object_repr=f"{delegation.title} — {incident.reference}",
        changes={"delegation": delegation.pk, "incident": incident.reference},
    )
    return anomaly
