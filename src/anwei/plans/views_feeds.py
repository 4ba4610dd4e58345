"""A person's duty shifts as a calendar: the download for a signed-in user, the person's own page with their secret
subscription link (and a button that resets it), the link itself — which works without a session, for that
person's feed only — and the reset, which any app's calendar link can use (feeds.FEEDS)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anwei.accounts.actor import actor_of
from anwei.core.views import forbidden
from anwei.directory import policies as directory_policies
from anwei.directory.models import Person

from . import feeds, ical


def _ics(person: Person) -> HttpResponse:
    response = HttpResponse(ical.calendar_for(person), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="duty-{person.pk}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


def person_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's duty shifts as an iCalendar file (signed in)."""
    return _ics(directory_policies.people.get_visible(request.user, pk))


def my_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """The person's own calendar page: the secret link to subscribe to in a calendar program."""
    person = directory_policies.people.get_visible(request.user, pk)
    if getattr(request.user, "person_id", None) != person.pk:
        return forbidden(request, _("Only the person themself sees their calendar link."))
    token = feeds.link_token(request.user, feeds.DUTY)
    link = request.build_absolute_uri(reverse("plans:person_feed", args=[person.pk, token])) if token else ""
    context = {"person": person, "link": link, "feed": feeds.DUTY, "next": request.path}
    return render(request, "plans/my_calendar.html", context)


@login_not_required
def person_feed(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """The subscription link: no session needed; the token opens only its own person's feed."""
    user = feeds.user_for(token, feeds.DUTY)
    if user is None or user.person_id != pk:
        raise Http404
    person = Person.objects.filter(pk=pk, active=True).first()
    if person is None:
        raise Http404
    return _ics(person)


@require_POST
def feed_reset(request: HttpRequest, feed: str) -> HttpResponse:
    """Make or reset the signed-in user's secret link to a calendar; back to the page that asked (`next`)."""
    if feed not in feeds.FEEDS:
        raise Http404
    feeds.reset(actor=actor_of(request), feed=feed)
    messages.success(request, _("A new calendar link was made; links given out before no longer work."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        person_id = getattr(request.user, "person_id", None)
        target = reverse("plans:my_calendar", args=[person_id]) if person_id else reverse("plans:list")
    return redirect(target)
