from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anwei.accounts.actor import Actor, actor_of
from anwei.audit import services as audit
from anwei.core.csvstream import Column, model_columns, queryset_csv
from anwei.core.views import forbidden
from anwei.directory.policies import agency_ids

from . import links, policies, selectors, services
from .channels import labels
from .forms import ContactChannelForm
from .models import Delivery, Notification


def inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    items = Paginator(selectors.inbox(actor_of(request), unread_only=unread_only), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {"items": items, "unread_only": unread_only, "unread": selectors.unread_count(actor_of(request))},
    )


def inbox_csv(request: HttpRequest) -> HttpResponseBase:
    """The signed-in user's own inbox as CSV (audited as an export: subjects may name restricted matters)."""
    unread_only = request.GET.get("unread") == "1"
    audit.record(
        actor=actor_of(request),
        action=audit.Action.EXPORT,
        object_type="notifications.notification",
        changes={"inbox": {"unread_only": unread_only}},
    )
    columns = model_columns(Notification, "created_at", "subject", "body")
    columns += [(_("link"), lambda n: f"{settings.ANWEI_BASE_URL}{n.url}" if n.url else "")]
    columns += model_columns(Notification, "require_ack", "acknowledged_at", "read_at")
    name = _("inbox")
    return queryset_csv(f"{name}.csv", selectors.inbox(actor_of(request), unread_only=unread_only), columns)


@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    services.mark_all_read(actor=actor_of(request))
    return redirect("notifications:inbox")


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    notification = policies.inbox.get_visible(actor_of(request), pk)
    services.mark_read(notification)
    return render(request, "notifications/detail.html", {"n": notification})


@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    notification = services.acknowledge_own(
        actor=actor_of(request), notification_id=pk, via="inapp", required_only=True
    )
    # the ignore below: request.htmx is set by django-htmx's middleware; HttpRequest's stubs do not know it
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "notifications/_ack.html", {"n": notification})
    messages.success(request, _("Acknowledged."))
    return redirect("notifications:detail", pk=notification.pk)


@login_not_required
def ack_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link in a message. A person's link works only for that person, signed in; an outside contact's link
    is their own capability. Opening it shows a button; only the POST acknowledges (link scanners only GET)."""
    notification = links.notification_for(token)
    if notification is None:
        return render(request, "notifications/ack_link.html", {"invalid": True}, status=404)
    if notification.person_id:
        if not actor_of(request).is_authenticated:
            return redirect_to_login(request.get_full_path())
        if actor_of(request).person_id != notification.person_id:
            return render(request, "notifications/ack_link.html", {"invalid": True}, status=404)
    done_before = notification.acknowledged_at is not None
    if request.method == "POST" and not done_before:
        actor = actor_of(request) if notification.person_id else Actor.system("link")
        services.acknowledge(notification, actor=actor, via="link")
        messages.success(request, _("Acknowledged."))
        return redirect(request.path)
    return render(request, "notifications/ack_link.html", {"n": notification, "done_before": done_before})


def deliveries(request: HttpRequest) -> HttpResponse:
    if not policies.deliveries.can(actor_of(request), "notifications.view_deliveries"):
        return forbidden(request)
    status = request.GET.get("status", "")
    page = Paginator(selectors.delivery_status(actor_of(request), status=status), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/deliveries.html",
        {
            "page": page,
            "status": status,
            "statuses": Delivery.Status.choices,
            "counts": selectors.delivery_counts(actor_of(request)),
            "channel_labels": labels(),
            "show_subjects": policies.deliveries.can(actor_of(request), "notifications.read_subjects"),
            "can_retry": policies.deliveries.can(actor_of(request), "notifications.retry"),
            "local_mailbox": settings.ANWEI_LOCAL_MAILBOX,
            "can_read_mailbox": policies.deliveries.can(actor_of(request), "notifications.read_local_mailbox"),
        },
    )


def local_mailbox(request: HttpRequest) -> HttpResponse:
    """The e-mail kept when no mail server is configured, for administrators; every reading is audited."""
    if not policies.deliveries.can(actor_of(request), "notifications.read_local_mailbox"):
        return forbidden(request)
    page = Paginator(selectors.local_mailbox(actor_of(request)), 30).get_page(request.GET.get("page"))
    audit.record(
        actor=actor_of(request),
        action=audit.Action.VIEW,
        object_type="notifications.localmail",
        changes={"page": page.number, "messages": [m.pk for m in page]},
    )
    return render(
        request, "notifications/local_mailbox.html", {"page": page, "local_mailbox": settings.ANWEI_LOCAL_MAILBOX}
    )


def deliveries_csv(request: HttpRequest) -> HttpResponseBase:
    """Every delivery (one row per channel) with the page's status filter, as CSV; subjects only for those who may
    read them, as on the page. Audited as an export."""
    if not policies.deliveries.can(actor_of(request), "notifications.view_deliveries"):
        return forbidden(request)
    status = request.GET.get("status", "")
    audit.record(
        actor=actor_of(request),
        action=audit.Action.EXPORT,
        object_type="notifications.delivery",
        changes={"filters": {"status": status if status in Delivery.Status.values else ""}},
    )
    subjects = policies.deliveries.can(actor_of(request), "notifications.read_subjects")
    channel_labels = labels()
    columns: list[Column] = [
        (_("Notification"), lambda d: d.notification.subject if subjects else f"#{d.notification_id}"),
        (_("Recipient"), lambda d: str(d.notification.person or d.notification.contact or "")),
        (_("Channel"), lambda d: str(channel_labels.get(d.channel, d.channel))),
    ]
    columns += model_columns(Delivery, "address", "status", "attempts", "sent_at", "failed_at", "last_error")
    name = _("deliveries")
    return queryset_csv(f"{name}.csv", selectors.deliveries_for_export(actor_of(request), status=status), columns)


@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    services.retry_delivery(actor=actor_of(request), delivery_id=pk)
    messages.success(request, _("The delivery will be sent again."))
    return redirect("notifications:deliveries")


def contact_channels(request: HttpRequest) -> HttpResponse:
    if not policies.contact_channels.can(actor_of(request), "notifications.manage_channels"):
        return forbidden(request)
    form = ContactChannelForm(request.POST or None, agencies=agency_ids(actor_of(request)))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target = {"person": data["person"]} if data.get("person") else {"contact": data["contact"]}
        services.add_contact_channel(
            actor=actor_of(request), channel=data["channel"], address=data["address"], secret=data["secret"], **target
        )
        messages.success(request, _("Saved."))
        return redirect("notifications:contact_channels")
    return render(
        request,
        "notifications/contact_channels.html",
        {"form": form, "entries": selectors.contact_channels(actor_of(request))},
    )


@require_POST
def contact_channel_delete(request: HttpRequest, pk: int) -> HttpResponse:
    services.remove_contact_channel_by_id(actor=actor_of(request), entry_id=pk)
    messages.success(request, _("Removed."))
    return redirect("notifications:contact_channels")
