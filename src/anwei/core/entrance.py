"""The one door from an HTML page into a write service.

A view builds its typed inputs (from a bound form or the URL), then hands the service call to `on_form` or
`on_page`. A `BusinessRuleError` becomes the form's error (on the field it names, when the form has it) or a
message on the next page; `NotAllowed` and `Http404` go on to the error pages (core.middleware.DomainErrorMiddleware);
`TooManyRequests` to the 429 page. No view catches `BusinessRuleError` itself.

    done = entrance.on_form(form, lambda: services.close(actor=actor_of(request), incident_id=pk, **data))
    if done:
        return redirect(...)
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.forms import BaseForm
from django.http import HttpRequest

from .errors import BusinessRuleError


@dataclass(frozen=True)
class Done[T]:
    """The service ran; `value` is what it returned. (A failed call returns None instead.)"""

    value: T


@dataclass(frozen=True)
class Refused:
    """The service refused: a rule was broken (`message`, on `field` if the rule names one)."""

    message: str
    field: str | None = None


def run[T](call: Callable[[], T]) -> Done[T] | Refused:
    """Run `call` for a page that shows a broken rule its own way (re-rendered with the message, status 400)."""
    try:
        return Done(call())
    except BusinessRuleError as exc:
        return Refused(str(exc.message), exc.field)


def on_form[T](form: BaseForm, call: Callable[[], T], *, field: str | None = None) -> Done[T] | None:
    """Run `call`; a broken rule is added to `form` — on the field the rule names if the form has it, else on
    `field` (when given), else as a non-field error — and None is returned."""
    try:
        return Done(call())
    except BusinessRuleError as exc:
        target = exc.field if exc.field in form.fields else field
        form.add_error(target, str(exc.message))
        return None


def on_page[T](request: HttpRequest, call: Callable[[], T], *, success: str | None = None) -> Done[T] | None:
    """Run `call` for a page without a form to show (a button): a broken rule becomes an error message on the page
    the view redirects to, and None is returned; on success `success` (if given) is the message."""
    try:
        value = call()
    except BusinessRuleError as exc:
        messages.error(request, str(exc.message))
        return None
    if success is not None:
        messages.success(request, success)
    return Done(value)


def refuse(request: HttpRequest, message: object) -> None:
    """Show a rule the view itself found broken (an invalid form on a button page) the way on_page shows one."""
    messages.error(request, str(message))
