"""The secret calendar link: made and reset on the person's own page (audited), opened without a session, only
for its own person's feed, dead once reset."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from anwei.audit.models import AuditEntry
from anwei.directory.models import DutyKind, DutyShift
from anwei.plans import feeds, ical_events
from anwei.plans.models import FeedKey

from .factories import START


def _shift(world, person, start=START):
    kind = DutyKind.objects.get_or_create(agency=world.agency, code="ethics", defaults={"name": "政風值勤"})[0]
    return DutyShift.objects.create(kind=kind, starts_at=start, ends_at=start + timedelta(hours=10), person=person)


def test_the_person_makes_a_link_that_works_without_signing_in_and_resets_it(world, client_for):
    _shift(world, world.people["duty"])
    duty = client_for("duty")
    own = f"/plans/people/{world.people['duty'].pk}/calendar/"
    page = duty.get(own)
    assert page.status_code == 200 and "/feed/" not in page.text
    assert client_for("ethics").get(own).status_code == 403  # nobody else's page, not even an ethics officer's
    response = duty.post(f"/plans/feeds/{feeds.DUTY}/reset/", {"next": own})
    assert response.status_code == 302 and response["Location"] == own
    token = feeds.link_token(world.users["duty"], feeds.DUTY)
    link = f"/plans/people/{world.people['duty'].pk}/feed/{token}/duty.ics"
    assert link in duty.get(own).text
    feed = Client().get(link)  # a calendar program: no session, no second factor
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    assert feed.content.count(b"BEGIN:VEVENT") == 1
    # the token opens its own person's feed only
    assert Client().get(f"/plans/people/{world.people['ethics'].pk}/feed/{token}/duty.ics").status_code == 404
    assert Client().get(link.replace(token, token[:-2] + "xx")).status_code == 404
    duty.post(f"/plans/feeds/{feeds.DUTY}/reset/", {"next": "https://evil.example/"})
    assert Client().get(link).status_code == 404  # the old link is dead
    new = feeds.link_token(world.users["duty"], feeds.DUTY)
    assert new != token
    assert Client().get(f"/plans/people/{world.people['duty'].pk}/feed/{new}/duty.ics").status_code == 200
    entries = AuditEntry.objects.filter(object_type="plans.feedkey").order_by("seq")
    assert [e.changes["link"] for e in entries] == ["made", "reset"]
    assert all(e.actor_id == world.users["duty"].pk for e in entries)
    nonce = FeedKey.objects.get().nonce
    assert not any(nonce in str(e.changes) for e in entries)


def test_a_link_stops_working_when_the_user_is_deactivated_or_for_another_feed(world):
    token = feeds.reset(actor=world.users["staff_a"], feed=feeds.DUTY)
    assert feeds.user_for(token, feeds.DUTY) == world.users["staff_a"]
    assert feeds.user_for(token, feeds.REPORTS_CALENDAR) is None  # signed for one feed only
    world.users["staff_a"].is_active = False
    world.users["staff_a"].save()
    assert feeds.user_for(token, feeds.DUTY) is None


def test_the_users_calendar_feed_gets_their_shifts(world):
    soon = timezone.now() + timedelta(days=1)
    _shift(world, world.people["duty"], soon)
    _shift(world, world.people["duty"], soon - timedelta(days=400))  # long past: left out
    _shift(world, world.people["ethics"], soon)
    events = ical_events.events(world.users["duty"])
    assert len(events) == 1 and events[0].start == soon
    assert ical_events.events(world.users["outsider"]) == []
