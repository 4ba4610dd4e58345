"""E-mail through Django's mailer (MAILERS["default"], the SMTP settings ANWEI_EMAIL_*). Each delivery carries a
stable Message-ID, so a message re-sent after a crash is recognisably the same message."""

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.translation import gettext_lazy as _

from anwei.core.text import single_line

from ...models import Delivery, LocalMail, Notification
from .. import Channel, message_text, register


def message_id(delivery: Delivery) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(">") or "anwei.localhost"
    return f"<anwei.delivery.{delivery.pk}.{delivery.notification_id}@{domain}>"


class Email(Channel):
    code = "email"
    label = _("E-mail")

    def address_for(self, notification: Notification) -> str:
        target = notification.person or notification.contact
        return getattr(target, "email", "") or super().address_for(notification)

    def send(self, delivery: Delivery) -> str | None:
        n = delivery.notification
        if settings.ANWEI_LOCAL_MAILBOX:  # no mail server: keep it where an administrator can read it
            LocalMail.objects.update_or_create(
                delivery=delivery,
                defaults={
                    "to": delivery.address,
                    "subject": n.subject,
                    "body": message_text(delivery),
                    "message_id": message_id(delivery),
                },
            )
            return Delivery.Status.STORED
        headers = {"Message-ID": message_id(delivery), "X-Anwei-Delivery": str(delivery.pk)}
        if n.key:
            headers["X-Anwei-Key"] = n.key[:200]
        # a subject is one header line: a line break stored in it (older rows, another writer) must not stop the
        # message — Python refuses such a header — so building the message never fails on its content
        subject = single_line(n.subject)
        EmailMessage(subject=subject, body=message_text(delivery), to=[delivery.address], headers=headers).send()
        return None

    def permanent(self, error: Exception) -> bool:
        """A 5xx reply (RFC 5321 §4.2.1: permanent) — the mailbox does not exist, the server refuses the sender or
        the message — is refused again on every retry; a 4xx reply or a lost connection may pass later."""
        if isinstance(error, smtplib.SMTPRecipientsRefused):
            codes = [code for code, _message in error.recipients.values()]
            return bool(codes) and all(500 <= code < 600 for code in codes)
        return isinstance(error, smtplib.SMTPResponseException) and 500 <= error.smtp_code < 600


register(Email())
