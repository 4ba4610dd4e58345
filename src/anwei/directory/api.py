from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StrictInt

from anwei.accounts.actor import actor_of
from anwei.core.pagination import Paginated
from anwei.core.schema import IsoDate

from . import policies, selectors, services
from .models import ExternalContact, Organisation, Unit

router = Router(tags=["directory"])


class UnitOut(Schema):
    id: int
    name: str
    name_en: str
    code: str
    kind: str
    parent_id: int | None
    agency_id: int
    path: str
    sort_order: int
    active: bool


class UnitIn(Schema):
    model_config = {"extra": "forbid"}

    parent_id: StrictInt
    name: str = Field(min_length=1, max_length=120)
    name_en: str = Field("", max_length=160)
    code: str = Field("", max_length=40)
    kind: Unit.Kind = Unit.Kind.DEPARTMENT
    sort_order: int = Field(0, ge=0, le=1_000_000)


class UnitPatch(Schema):
    """Changing `parent_id` moves the unit with everything below it; `active: false` deactivates it."""

    model_config = {"extra": "forbid"}

    parent_id: StrictInt | None = None
    name: str | None = Field(None, min_length=1, max_length=120)
    name_en: str | None = Field(None, max_length=160)
    code: str | None = Field(None, max_length=40)
    kind: Unit.Kind | None = None
    sort_order: int | None = Field(None, ge=0, le=1_000_000)
    active: bool | None = None


class PersonOut(Schema):
    id: int
    name: str
    title: str
    grade: str
    unit_id: int | None
    email: str
    mobile: str
    office_phone: str
    extension: str
    fax: str
    duty_eligible: bool
    national_secret_duty: bool
    national_secret_duty_until: IsoDate | None
    active: bool


class PersonIn(Schema):
    model_config = {"extra": "forbid"}

    unit_id: StrictInt
    name: str = Field(min_length=1, max_length=80)
    title: str = Field("", max_length=80)
    grade: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    mobile: str = Field("", max_length=30)
    office_phone: str = Field("", max_length=30)
    extension: str = Field("", max_length=10)
    fax: str = Field("", max_length=30)
    duty_eligible: bool = False
    national_secret_duty: bool = False
    national_secret_duty_until: IsoDate | None = None


class PersonPatch(Schema):
    model_config = {"extra": "forbid"}

    unit_id: StrictInt | None = None
    name: str | None = Field(None, min_length=1, max_length=80)
    title: str | None = Field(None, max_length=80)
    grade: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    mobile: str | None = Field(None, max_length=30)
    office_phone: str | None = Field(None, max_length=30)
    extension: str | None = Field(None, max_length=10)
    fax: str | None = Field(None, max_length=30)
    duty_eligible: bool | None = None
    national_secret_duty: bool | None = None
    national_secret_duty_until: IsoDate | None = None
    active: bool | None = None


class OrganisationContactOut(Schema):
    id: int
    name: str
    title: str
    phone: str
    mobile: str
    email: str


class OrganisationContactIn(Schema):
    model_config = {"extra": "forbid"}

    name: str = Field(min_length=1, max_length=80)
    title: str = Field("", max_length=80)
    phone: str = Field("", max_length=30)
    mobile: str = Field("", max_length=30)
    email: str = Field("", max_length=254)


class OrganisationContactPatch(Schema):
    model_config = {"extra": "forbid"}

    name: str | None = Field(None, min_length=1, max_length=80)
    title: str | None = Field(None, max_length=80)
    phone: str | None = Field(None, max_length=30)
    mobile: str | None = Field(None, max_length=30)
    email: str | None = Field(None, max_length=254)


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    phone: str
    fax: str
    email: str
    address: str
    contacts: list[OrganisationContactOut]


@router.get("/units", response=list[UnitOut])
@paginate(Paginated)
# the ignore below: ninja serialises what this returns by the route's response schema
def list_units(request: HttpRequest):  # type: ignore[no-untyped-def]
    return selectors.unit_tree(request.user)


@router.get("/units/{unit_id}", response=UnitOut)
def get_unit(request: HttpRequest, unit_id: int) -> Unit:
    unit: Unit = policies.units.get_visible(request.user, unit_id)
    return unit


@router.get("/people", response=list[PersonOut])
@paginate(Paginated)
# the ignore below: ninja serialises what this returns by the route's response schema
def list_people(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    q: str = Query("", max_length=80),  # type: ignore[type-arg]  # ninja's Query marker, not a generic alias
    unit_id: int | None = None,
):
    unit = policies.units.get_visible(request.user, unit_id) if unit_id else None
    return selectors.people(request.user, q=q, unit=unit)


@router.get("/people/{person_id}", response=PersonOut)
# the ignore below: ninja serialises what this returns by the route's response schema
def get_person(request: HttpRequest, person_id: int):  # type: ignore[no-untyped-def]
    return policies.people.get_visible(request.user, person_id)


@router.post("/people", response={201: PersonOut})
# the ignore below: ninja serialises what this returns by the route's response schema
def create_person(request: HttpRequest, payload: PersonIn):  # type: ignore[no-untyped-def]
    person = services.create_person_in_unit(actor=actor_of(request), **payload.model_dump())
    return Status(201, person)


@router.patch("/people/{person_id}", response=PersonOut)
# the ignore below: ninja serialises what this returns by the route's response schema
def update_person(request: HttpRequest, person_id: int, payload: PersonPatch):  # type: ignore[no-untyped-def]
    data = payload.model_dump(exclude_unset=True)
    data = {k: v for k, v in data.items() if v is not None or k in ("unit_id", "national_secret_duty_until")}
    return services.update_person_by_id(actor=actor_of(request), person_id=person_id, **data)


@router.get("/organisations", response=list[OrganisationOut])
# the ignore below: ninja serialises what this returns by the route's response schema
def list_organisations(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    kind: Organisation.Kind | None = None,
    q: str = Query("", max_length=80),  # type: ignore[type-arg]  # ninja's Query marker, not a generic alias
):
    """Outside organisations; `q` searches their names, numbers, addresses and notes and their contacts."""
    return list(selectors.organisations(request.user, kind=kind or "", q=q))


@router.get("/organisations/{org_id}", response=OrganisationOut)
# the ignore below: ninja serialises what this returns by the route's response schema
def get_organisation(request: HttpRequest, org_id: int):  # type: ignore[no-untyped-def]
    return get_object_or_404(selectors.organisations(request.user), pk=org_id)


@router.post("/units", response={201: UnitOut})
# the ignore below: ninja serialises what this returns by the route's response schema
def create_unit(request: HttpRequest, payload: UnitIn):  # type: ignore[no-untyped-def]
    return Status(201, services.create_unit_under(actor=actor_of(request), **payload.model_dump()))


@router.patch("/units/{unit_id}", response=UnitOut)
# the ignore below: ninja serialises what this returns by the route's response schema
def update_unit(request: HttpRequest, unit_id: int, payload: UnitPatch):  # type: ignore[no-untyped-def]
    data = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    return services.update_unit_by_id(actor=actor_of(request), unit_id=unit_id, **data)


@router.post("/organisations/{org_id}/contacts", response={201: OrganisationContactOut})
# the ignore below: ninja serialises what this returns by the route's response schema
def add_contact(request: HttpRequest, org_id: int, payload: OrganisationContactIn):  # type: ignore[no-untyped-def]
    contact = services.add_contact_by_id(actor=actor_of(request), organisation_id=org_id, **payload.model_dump())
    return Status(201, contact)


@router.patch("/contacts/{contact_id}", response=OrganisationContactOut)
def update_contact(request: HttpRequest, contact_id: int, payload: OrganisationContactPatch) -> ExternalContact:
    data = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    return services.update_contact_by_id(actor=actor_of(request), contact_id=contact_id, **data)


@router.delete("/contacts/{contact_id}", response={204: None})
# the ignore below: ninja serialises what this returns by the route's response schema
def remove_contact(request: HttpRequest, contact_id: int):  # type: ignore[no-untyped-def]
    services.remove_contact_by_id(actor=actor_of(request), contact_id=contact_id)
    return Status(204, None)
