"""Need-to-know grants (第14條): written and recorded, by the custodian or an authorised supervisor, never to oneself,
and withdrawn with the reason. The reason is sealed on the audit log (it may describe the item)."""

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, write_service
from anwei.accounts.models import AccessGrant, User
from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError, NotAllowed

from . import auditing, policies
from .models import ClassifiedItem
from .services import signed_in


@write_service
@transaction.atomic
def grant_need_to_know(
    *, actor: Actor, item: ClassifiedItem, user: User, reason: str, expires_at: datetime | None = None
) -> AccessGrant:
    """A written, recorded need-to-know grant (第14條) by the custodian or an authorised supervisor — never to
    oneself: whoever may grant does not thereby see the item. An optional end (`expires_at`)."""
    if not policies.items.can(actor, "classified.grant", item):
        raise NotAllowed()
    if user.pk == actor.user_id:
        raise BusinessRuleError(
            _("You cannot grant need-to-know to yourself; another authorised person must grant it."), field="user"
        )
    if user.agency_id != item.agency_id or not user.is_active:
        raise BusinessRuleError(_("Unknown person."), field="user")
    if policies.items.can_read(user, item):
        raise BusinessRuleError(_("This person can already see the item."), field="user")
    if expires_at is not None and expires_at <= timezone.now():
        raise BusinessRuleError(_("The grant must end in the future."), field="expires_at")
    if not reason.strip():
        raise BusinessRuleError(_("A grant needs a reason."), field="reason")
    # as accounts.grant_access, but the reason is sealed on the audit log: it may describe the item
    grant = AccessGrant.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(ClassifiedItem),
        object_id=str(item.pk),
        reason=reason.strip()[:300],
        granted_by=signed_in(actor),
        expires_at=expires_at,
    )
    audit.record(
        actor=actor,
        action=audit.Action.GRANT,
        obj=item,
        object_repr=item.reference_no,
        changes={
            "need_to_know": user.username,
            "grant": grant.pk,
            "reason": auditing.seal(grant.reason),
            "expires_at": expires_at,
        },
    )
    return grant


@write_service
@transaction.atomic
def revoke_need_to_know(*, actor: Actor, item: ClassifiedItem, grant: AccessGrant, reason: str) -> AccessGrant:
    """Withdraw a written grant, with the reason; recorded on the audit log like the grant."""
    if not policies.items.can(actor, "classified.grant", item):
        raise NotAllowed()
    grant = AccessGrant.objects.select_for_update().get(pk=grant.pk)
    if not AccessGrant.objects.for_object(item).filter(pk=grant.pk).exists():
        raise NotAllowed()
    if grant.revoked_at is not None or (grant.expires_at is not None and grant.expires_at <= timezone.now()):
        raise BusinessRuleError(_("This grant is no longer in force."))
    if not reason.strip():
        raise BusinessRuleError(_("Give the reason."), field="reason")
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor,
        action=audit.Action.REVOKE,
        obj=item,
        object_repr=item.reference_no,
        changes={"need_to_know": grant.user.username, "grant": grant.pk, "reason": auditing.seal(reason.strip())},
    )
    return grant
