from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anwei.accounts.actor import actor_of
from anwei.core import entrance
from anwei.core.csvstream import model_columns, queryset_csv
from anwei.core.views import forbidden

from . import policies, selectors, services, vcard
from .forms import ContactForm, OrganisationForm, OrganisationSearchForm, PersonForm, SearchForm
from .models import ExternalContact, Organisation, Person


def index(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    unit = None
    if request.GET.get("unit"):
        unit = policies.units.get_visible(request.user, request.GET["unit"])
    people = Paginator(selectors.people(request.user, q=q, unit=unit), 50).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "q": q,
        "unit": unit,
        "people": people,
        "units": selectors.unit_tree(request.user),
        "can_add": policies.people.can(request.user, "directory.edit"),
        "can_manage_units": policies.units.can(request.user, "directory.manage_units"),
    }
    # the ignore below: request.htmx is set by django-htmx's middleware; HttpRequest's stubs do not know it
    template = "directory/_people.html" if request.htmx else "directory/index.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def people_csv(request: HttpRequest) -> HttpResponseBase:
    form = SearchForm(request.GET)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    unit = policies.units.get_visible(request.user, request.GET["unit"]) if request.GET.get("unit") else None
    people = selectors.people(request.user, q=q, unit=unit).select_related("unit")
    services.record_export(
        actor=actor_of(request), what="directory.person", q=q, unit=unit and unit.pk, rows=people.count(), format="csv"
    )
    columns = model_columns(Person, "name", "unit", "title", "email", "mobile", "office_phone", "extension", "fax")
    name = _("people")
    return queryset_csv(f"{name}.csv", people, columns)


def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = policies.people.get_visible(request.user, pk)
    return render(
        request,
        "directory/person_detail.html",
        {"person": person, "can_edit": policies.people.can(request.user, "directory.edit", person)},
    )


def person_vcard(request: HttpRequest, pk: int) -> HttpResponse:
    person = policies.people.get_visible(request.user, pk)
    services.record_export(actor=actor_of(request), what="directory.person", object_id=person.pk, format="vcard")
    response = HttpResponse(vcard.person_card(person), content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="person-{person.pk}.vcf"'
    return response


def unit_vcards(request: HttpRequest, pk: int) -> HttpResponse:
    unit = policies.units.get_visible(request.user, pk)
    people = list(selectors.people(request.user, unit=unit).select_related("agency"))
    services.record_export(
        actor=actor_of(request),
        what="directory.unit",
        object_id=unit.pk,
        object_repr=unit.name,
        rows=len(people),
        format="vcard",
    )
    body = vcard.cards(people)
    response = HttpResponse(body, content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="unit-{unit.pk}.vcf"'
    return response


def person_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    person = policies.people.get_visible(request.user, pk) if pk else None
    if not policies.people.can(request.user, "directory.edit", person):
        return forbidden(request)
    units = selectors.units_for_edit(request.user)
    protected = policies.people.may_change_protected(request.user, person) if person else True
    form = PersonForm(request.POST or None, instance=person, units=units, may_change_protected=protected)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        actor = actor_of(request)
        saved = entrance.on_form(
            form,
            lambda: (
                services.create_person_in_unit(actor=actor, unit_id=fields.pop("unit").pk, **fields)
                if pk is None
                else services.update_person_by_id(actor=actor, person_id=pk, **fields)
            ),
        )
        if saved:
            messages.success(request, _("Saved."))
            return redirect("directory:person", pk=saved.value.pk)
    return render(request, "directory/person_form.html", {"form": form, "person": person})


def organisation_list(request: HttpRequest) -> HttpResponse:
    form = OrganisationSearchForm(request.GET)
    found = form.cleaned_data if form.is_valid() else {}
    organisations = selectors.organisations(request.user, kind=found.get("kind", ""), q=found.get("q", ""))
    context = {
        "form": form,
        "organisations": organisations,
        "can_manage": policies.organisations.can(request.user, "directory.manage_external"),
    }
    # the ignore below: request.htmx is set by django-htmx's middleware; HttpRequest's stubs do not know it
    template = "directory/_organisations.html" if request.htmx else "directory/organisations.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def organisations_csv(request: HttpRequest) -> HttpResponseBase:
    """The outside organisations (with the list's filters), one row per contact, audited."""
    form = OrganisationSearchForm(request.GET)
    found = form.cleaned_data if form.is_valid() else {}
    organisations = selectors.organisations(request.user, kind=found.get("kind", ""), q=found.get("q", ""))
    contacts = ExternalContact.objects.filter(organisation__in=organisations.values("pk")).select_related(
        "organisation"
    )
    services.record_export(
        actor=actor_of(request), what="directory.externalcontact", **found, rows=contacts.count(), format="csv"
    )
    org = Organisation._meta
    columns = [
        (org.verbose_name, "organisation.name"),
        (org.get_field("kind").verbose_name, "organisation.get_kind_display"),
        *model_columns(ExternalContact, "name", "title", "phone", "mobile", "email"),
    ]
    return queryset_csv(f"{_('outside organisations')}.csv", contacts.order_by("organisation__name", "pk"), columns)


def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = policies.organisations.get_visible(request.user, pk)
    can_manage = policies.organisations.can(request.user, "directory.manage_external", org)
    form = ContactForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            return forbidden(request)
        if form.is_valid():
            services.add_contact_by_id(actor=actor_of(request), organisation_id=org.pk, **form.cleaned_data)
            messages.success(request, _("Saved."))
            return redirect("directory:organisation", pk=org.pk)
    return render(
        request,
        "directory/organisation_detail.html",
        {"org": org, "contacts": org.contacts.all(), "can_manage": can_manage, "form": form},
    )


def organisation_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    org = policies.organisations.get_visible(request.user, pk) if pk else None
    if not policies.organisations.can(request.user, "directory.manage_external", org):
        return forbidden(request)
    form = OrganisationForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        if org is None:
            # the ignore below: request.user is signed in here (the page requires it); stubs say User | AnonymousUser
            agency = request.user.agency or policies.units.visible(request.user).first().agency  # type: ignore[union-attr]
            org = services.create_organisation(actor=actor_of(request), agency=agency, **fields)
        else:
            org.refresh_from_db()
            org = services.update_organisation(actor=actor_of(request), organisation=org, **fields)
        messages.success(request, _("Saved."))
        return redirect("directory:organisation", pk=org.pk)
    return render(request, "directory/organisation_form.html", {"form": form, "org": org})


def contact_vcard(request: HttpRequest, pk: int) -> HttpResponse:
    contact = policies.contacts.get_visible(request.user, pk)
    services.record_export(
        actor=actor_of(request), what="directory.externalcontact", object_id=contact.pk, format="vcard"
    )
    response = HttpResponse(vcard.contact_card(contact), content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="contact-{contact.pk}.vcf"'
    return response


def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = policies.contacts.get_visible(request.user, pk)
    if not policies.contacts.can(request.user, "directory.manage_external", contact):
        return forbidden(request)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        services.update_contact_by_id(actor=actor_of(request), contact_id=pk, **form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect("directory:organisation", pk=contact.organisation_id)
    return render(request, "directory/contact_form.html", {"form": form, "contact": contact})


@require_POST
def contact_delete(request: HttpRequest, pk: int) -> HttpResponse:
    organisation_id = services.remove_contact_by_id(actor=actor_of(request), contact_id=pk)
    messages.success(request, _("The contact was removed."))
    return redirect("directory:organisation", pk=organisation_id)
