from tests.matrix import PERSONAS, Case, api, everyone, page
from tests.personas import World

from anwei.directory.models import Organisation
from anwei.notifications import links, services
from anwei.notifications.models import ContactChannel, Delivery

SECRET_SUBJECT = "洩密案通報 甲-機密"


def setup_world(world: World) -> None:
    (mine,) = services.notify(
        people=[world.people["staff_b"]], subject=SECRET_SUBJECT, body="限閱", require_ack=True, key="matrix-1"
    )
    world.records["notification"] = mine
    failed = Delivery.objects.filter(notification=mine, channel="email").get()
    Delivery.objects.filter(pk=failed.pk).update(status=Delivery.Status.FAILED, attempts=8, last_error="refused")
    world.records["failed_delivery"] = failed
    org = Organisation.objects.create(agency=world.agency, name="國家資安通報窗口", kind=Organisation.Kind.OTHER)
    contact = org.contacts.create(name="窗口")
    world.records["contact_channel"] = ContactChannel.objects.create(
        contact=contact, channel="webhook", address="https://hooks.example/anwei", secret="x"
    )
    world.records["ack_token"] = links.ack_token(mine)


def _secret(world: World) -> str:
    return SECRET_SUBJECT


SIGNED_IN = everyone(200)
STAFF_B_ONLY = {**everyone(404), "staff_b": 200}
DELIVERY_MANAGERS = {"admin": 200, "ethics": 200}
N = "notification"

CASES = [
    Case("notifications:inbox", "/notifications/", page(SIGNED_IN), secret=_secret, may_see=frozenset({"staff_b"})),
    Case(
        "notifications:inbox_csv",
        "/notifications/inbox.csv",
        page(SIGNED_IN),
        secret=_secret,
        may_see=frozenset({"staff_b"}),
    ),
    Case(
        "notifications:read_all",
        "/notifications/read-all/",
        page(everyone(302)),
        method="post",
        data={},
    ),
    Case(
        "notifications:detail",
        lambda w: f"/notifications/{w.records[N].pk}/",
        page(STAFF_B_ONLY),
        secret=_secret,
        may_see=frozenset({"staff_b"}),
    ),
    Case(
        "notifications:acknowledge",
        lambda w: f"/notifications/{w.records[N].pk}/acknowledge/",
        page({**everyone(404), "staff_b": 302}),
        method="post",
        data={},
        secret=_secret,
        may_see=frozenset({"staff_b"}),
    ),
    Case(
        "notifications:ack_link",
        lambda w: f"/notifications/ack/{w.records['ack_token']}/",
        page(STAFF_B_ONLY),
        secret=_secret,
        may_see=frozenset({"staff_b"}),
    ),
    Case(
        "notifications:ack_link",
        lambda w: f"/notifications/ack/{w.records['ack_token']}/",
        page({**everyone(404), "staff_b": 302}),
        method="post",
        data={},
        secret=_secret,
        may_see=frozenset({"staff_b"}),
        label="post",
    ),
    Case(
        "notifications:ack_link",
        lambda w: f"/notifications/ack/{w.records['ack_token']}x/",
        page(everyone(404), anonymous=404),
        label="forged",
    ),
    Case(
        "notifications:deliveries",
        "/notifications/deliveries/",
        page(DELIVERY_MANAGERS),
        secret=_secret,
        may_see=frozenset({"ethics", "staff_b"}),
    ),
    Case(
        "notifications:deliveries",
        "/notifications/deliveries/?status=failed",
        page(DELIVERY_MANAGERS),
        secret=_secret,
        may_see=frozenset({"ethics"}),
        label="failed",
    ),
    Case(
        "notifications:deliveries_csv",
        "/notifications/deliveries.csv",
        page(DELIVERY_MANAGERS),
        secret=_secret,
        may_see=frozenset({"ethics", "staff_b"}),  # admins see "#id", not the subject
    ),
    Case(
        "notifications:retry",
        lambda w: f"/notifications/deliveries/{w.records['failed_delivery'].pk}/retry/",
        page({"admin": 302, "ethics": 302}),
        method="post",
        data={},
    ),
    Case("notifications:local_mailbox", "/notifications/mailbox/", page({"admin": 200})),
    Case("notifications:contact_channels", "/notifications/channels/", page(DELIVERY_MANAGERS)),
    Case(
        "notifications:contact_channels",
        "/notifications/channels/",
        page({"admin": 302, "ethics": 302}),
        method="post",
        data=lambda w: {
            "person": w.people["duty"].pk,
            "channel": "sms",
            "address": "0912-345-678",
        },
        label="post",
    ),
    Case(
        "notifications:contact_channel_delete",
        lambda w: f"/notifications/channels/{w.records['contact_channel'].pk}/delete/",
        page({"admin": 302, "ethics": 302}),
        method="post",
        data={},
    ),
    Case(
        "GET /api/v1/notifications/inbox",
        "/api/v1/notifications/inbox",
        api(everyone(200, list(PERSONAS))),
        secret=_secret,
        may_see=frozenset({"staff_b"}),
    ),
    Case("GET /api/v1/notifications/inbox/unread", "/api/v1/notifications/inbox/unread", api(everyone(200))),
    Case(
        "GET /api/v1/notifications/inbox/{notification_id}",
        lambda w: f"/api/v1/notifications/inbox/{w.records[N].pk}",
        api(STAFF_B_ONLY),
        secret=_secret,
        may_see=frozenset({"staff_b"}),
    ),
    Case(
        "POST /api/v1/notifications/inbox/{notification_id}/acknowledge",
        lambda w: f"/api/v1/notifications/inbox/{w.records[N].pk}/acknowledge",
        api(STAFF_B_ONLY),
        method="post",
        json=True,
        secret=_secret,
        may_see=frozenset({"staff_b"}),
    ),
]
