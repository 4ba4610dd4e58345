"""Tell a person when someone changed the protected fields of their directory entry (grade, national-secret duty,
the addresses their notifications go to): in their inbox and by e-mail, and by e-mail to the old address when the
address itself changed, so a redirected address cannot hide its own redirection."""

import logging
from typing import Any

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils.translation import gettext as _

from anwei.directory.models import Person

from .services import notify

log = logging.getLogger(__name__)


def _labels(fields: list[str]) -> str:
    return "、".join(str(getattr(Person._meta.get_field(name), "verbose_name", name)) for name in fields)


def tell_the_person(
    sender: Any, *, person: Person, actor: Any, fields: list[str], before: dict[str, Any], **kwargs: Any
) -> None:
    who = (getattr(actor, "person", None) and str(actor.person)) or getattr(actor, "username", "") or _("the system")
    subject = _("Your directory entry was changed")
    body = _("%(who)s changed: %(fields)s. If you did not expect this, tell the ethics office (政風處).") % {
        "who": who,
        "fields": _labels(fields),
    }
    notify(people=[person], subject=subject, body=body)
    old = before.get("email")
    if "email" in fields and old and old != person.email:
        transaction.on_commit(lambda: _send_to_old_address(subject, body, old))


def _send_to_old_address(subject: str, body: str, address: str) -> None:
    """Once, after the commit (the old address is no longer on any record the outbox could retry from)."""
    try:
        EmailMessage(subject=subject, body=body, to=[address]).send()
    except Exception:  # the change stands; the inbox notification still tells the person
        log.exception("could not tell the old e-mail address of a changed directory entry")
