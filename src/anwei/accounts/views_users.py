"""User administration: who may sign in, and which role they hold on which unit (admins only)."""

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anwei.accounts.actor import actor_of
from anwei.audit import services as audit
from anwei.core import entrance, rocdate
from anwei.core.csvstream import Column, queryset_csv
from anwei.core.views import forbidden
from anwei.directory import policies as directory_policies
from anwei.directory.models import Unit

from . import mfa, services
from .forms import NewUserForm, RoleAssignmentForm
from .policies import users as policy


def _managed_units(request: HttpRequest) -> QuerySet[Unit]:
    scope = policy.scope(request.user, "accounts.manage")
    return directory_policies.units.visible(request.user).filter(scope.q(""), active=True)


def _users(request: HttpRequest) -> Any:
    return (
        policy.visible(request.user)
        .select_related("person__unit")
        .prefetch_related("role_assignments__unit")
        .order_by("username")
    )


def user_list(request: HttpRequest) -> HttpResponse:
    if not policy.can(request.user, "accounts.view"):
        return forbidden(request)
    return render(
        request,
        "accounts/users.html",
        {"users": _users(request), "can_manage": policy.can(request.user, "accounts.manage")},
    )


def users_csv(request: HttpRequest) -> HttpResponseBase:
    """The users the reader may see, with their roles, as CSV; the download is audited."""
    if not policy.can(request.user, "accounts.view"):
        return forbidden(request)
    users = _users(request)
    audit.record(
        actor=actor_of(request),
        action=audit.Action.EXPORT,
        object_type="accounts.user",
        changes={"rows": users.count()},
    )

    def roles(user: Any) -> str:
        return "、".join(f"{a.get_role_display()}（{a.unit.name}）" for a in user.role_assignments.all())

    columns: list[Column] = [
        (_("User name"), "username"),
        (_("Person"), "person.name"),
        (_("Unit"), "person.unit.name"),
        (_("Roles"), roles),
        (_("Active"), lambda u: _("yes") if u.is_active else _("no")),
        (_("Last signed in"), lambda u: rocdate.format_datetime(u.last_login) if u.last_login else ""),
    ]
    return queryset_csv(f"{_('users')}.csv", users, columns)


def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = policy.get_visible(request.user, pk)
    can_manage = policy.can(request.user, "accounts.manage", user)
    form = RoleAssignmentForm(request.POST or None, units=_managed_units(request))
    if request.method == "POST":
        if not can_manage:
            return forbidden(request)
        if form.is_valid():
            services.assign_role(
                actor=actor_of(request), user=user, role=form.cleaned_data["role"], unit=form.cleaned_data["unit"]
            )
            messages.success(request, _("The role was assigned."))
            return redirect("accounts:user", pk=user.pk)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "subject": user,
            "assignments": user.role_assignments.select_related("unit"),
            "form": form,
            "can_manage": can_manage,
            "two_factor": mfa.enrolled(user),
        },
    )


@require_POST
def role_remove(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    user = policy.get_visible(request.user, pk)
    if not policy.can(request.user, "accounts.manage", user):
        return forbidden(request)
    assignment = get_object_or_404(user.role_assignments, pk=assignment_pk)
    if not policy.scope(request.user, "accounts.manage").covers(assignment.unit):
        return forbidden(request)
    services.remove_role(actor=actor_of(request), assignment=assignment)
    messages.success(request, _("The role was removed."))
    return redirect("accounts:user", pk=user.pk)


def user_new(request: HttpRequest) -> HttpResponse:
    if not policy.can(request.user, "accounts.manage"):
        return forbidden(request)
    people = directory_policies.people.visible(request.user).filter(user__isnull=True, active=True)
    form = NewUserForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["person"]
        created = entrance.on_form(
            form,
            lambda: services.create_user(
                actor=actor_of(request),
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                agency=person.agency,
                person=person,
            ),
        )
        if created:
            user = created.value
            messages.success(request, _("The user was created. Now assign a role."))
            return redirect("accounts:user", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form})
