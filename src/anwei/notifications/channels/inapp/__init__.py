"""The in-app inbox: the Notification row itself, shown to the recipient's user with an unread count."""

from django.utils.translation import gettext_lazy as _

from ...models import Delivery, Notification
from .. import Channel, register


class InApp(Channel):
    code = "inapp"
    label = _("In-app inbox")
    delivered_on_commit = True

    def address_for(self, notification: Notification) -> str:
        person = notification.person
        return "inbox" if person is not None and hasattr(person, "user") else ""

    def send(self, delivery: Delivery) -> None:
        """Nothing to send: the row is in the inbox once committed (its delivery is written as sent), and exists once
        per key and person."""
        return None


register(InApp())
