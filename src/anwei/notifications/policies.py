"""Who may see what of the notifications. Everyone sees and acknowledges only their own inbox; ethics officers and
admins see delivery status (admins without the subjects, which may name restricted matters) and manage the
webhook/SMS addresses of people and outside contacts."""

from typing import Any

from django.db.models import Q, QuerySet

from anwei.accounts.actor import Actor, Who
from anwei.accounts.roles import Role, grant
from anwei.accounts.scope import can_anywhere
from anwei.core.policies import Policy
from anwei.directory.policies import agency_ids

from .models import ContactChannel, Notification

grant("notifications.view_deliveries", Role.ADMIN, Role.ETHICS_OFFICER)
grant("notifications.read_subjects", Role.ETHICS_OFFICER)
grant("notifications.retry", Role.ADMIN, Role.ETHICS_OFFICER)
grant("notifications.manage_channels", Role.ADMIN, Role.ETHICS_OFFICER)
grant("notifications.read_local_mailbox", Role.ADMIN)  # the e-mail kept when no mail server is configured


def _signed_in(user: Who) -> bool:
    return bool(Actor.of(user).is_authenticated)


class InboxPolicy(Policy):
    """A notification is visible to its recipient's user only."""

    model = Notification

    def visible(self, user: Who, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else Notification.objects.all()
        person_id = Actor.of(user).person_id
        if not _signed_in(user) or not person_id:
            return qs.none()
        return qs.filter(person_id=person_id)

    def can(self, user: Who, action: str, obj: Any = None) -> bool:
        if not _signed_in(user):
            return False
        if action == "notifications.acknowledge":
            return obj is not None and obj.person_id is not None and obj.person_id == Actor.of(user).person_id
        return False


class DeliveryPolicy(Policy):
    """Delivery status of every notification to people or contacts of the agencies the user works in."""

    model = Notification

    def visible(self, user: Who, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else Notification.objects.all()
        if not self.can(user, "notifications.view_deliveries"):
            return qs.none()
        agencies = agency_ids(user)
        return qs.filter(Q(person__agency__in=agencies) | Q(contact__organisation__agency__in=agencies))

    def can(self, user: Who, action: str, obj: Any = None) -> bool:
        return _signed_in(user) and can_anywhere(user, action)


class ContactChannelPolicy(Policy):
    model = ContactChannel

    def visible(self, user: Who, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else ContactChannel.objects.all()
        if not self.can(user, "notifications.manage_channels"):
            return qs.none()
        agencies = agency_ids(user)
        return qs.filter(Q(person__agency__in=agencies) | Q(contact__organisation__agency__in=agencies))

    def can(self, user: Who, action: str, obj: Any = None) -> bool:
        return _signed_in(user) and can_anywhere(user, action)


inbox = InboxPolicy()
deliveries = DeliveryPolicy()
contact_channels = ContactChannelPolicy()
