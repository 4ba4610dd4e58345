"""Demo data: Hualien County Government with the units and contacts named in the seed plan, and one demo user
per role. Later apps add their own demo data in their `demo.py`, given the same context."""

from dataclasses import dataclass, field
from typing import Any

from anwei.accounts import services as accounts
from anwei.accounts.actor import Actor
from anwei.accounts.models import User
from anwei.accounts.roles import Role

from . import services
from .models import Agency, DutyKind, Organisation, Person, Unit

DEMO_PASSWORD = "anwei-demo-2026"  # noqa: S105 - published demo logins, see README


@dataclass
class DemoContext:
    agency: Agency
    units: dict[str, Unit] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    admin: Any = None
    duty_kinds: dict[str, DutyKind] = field(default_factory=dict)


UNITS: list[tuple[str, str, str, str | None, str]] = [
    # key, name, English name, parent key, kind
    ("root", "花蓮縣政府", "Hualien County Government", None, Unit.Kind.AGENCY),
    ("mayor", "縣長室", "Office of the Magistrate", "root", Unit.Kind.OFFICE),
    ("ethics", "政風處", "Department of Civil Service Ethics", "root", Unit.Kind.DEPARTMENT),
    ("ethics_admin", "政風處行政科", "Ethics Administration Section", "ethics", Unit.Kind.SECTION),
    ("rd", "行政暨研考處", "Department of Administration and Evaluation", "root", Unit.Kind.DEPARTMENT),
    ("it", "行政暨研考處資訊科", "Information Technology Section", "rd", Unit.Kind.SECTION),
    ("construction", "建設處", "Department of Construction", "root", Unit.Kind.DEPARTMENT),
    ("finance", "財政處", "Department of Finance", "root", Unit.Kind.DEPARTMENT),
    ("secretariat", "秘書處", "Secretariat (public relations)", "root", Unit.Kind.DEPARTMENT),
    ("education", "教育處", "Department of Education", "root", Unit.Kind.DEPARTMENT),
    ("edu_net", "教育網路中心", "Education Network Centre", "education", Unit.Kind.OFFICE),
    ("school_1", "縣立花崗國民中學", "Huagang Junior High School", "education", Unit.Kind.SCHOOL),
    ("school_2", "縣立明義國民小學", "Mingyi Elementary School", "education", Unit.Kind.SCHOOL),
]

# unit codes the routing rules name (incidents.rules: a task's `unit_code`), e.g. the fraud report's press release
UNIT_CODES = {"secretariat": "pr"}

ETHICS_OFFICE = {"office_phone": "(03)8227171", "extension": "315", "fax": "(03)8222605"}
PEOPLE: list[tuple[str, str, str, str, str, str, dict[str, Any]]] = [
    # key, unit, name, title, grade, mobile, extra
    (
        "shen",
        "ethics_admin",
        "沈科長",
        "政風處行政科科長",
        "第9職等",
        "0982121209",
        {**ETHICS_OFFICE, "duty_eligible": True},
    ),
    (
        "tsai",
        "ethics_admin",
        "蔡科員",
        "政風處行政科科員",
        "第5職等",
        "0989522247",
        {**ETHICS_OFFICE, "duty_eligible": True},
    ),
    ("head", "mayor", "林縣長", "縣長", "", "", {}),
    ("ethics_director", "ethics", "陳處長", "政風處處長", "第11職等", "", {"duty_eligible": True}),
    ("it_chief", "it", "黃科長", "資訊科科長", "第9職等", "", {"national_secret_duty": True}),
    ("it_staff", "it", "李承辦", "資訊科承辦人", "第7職等", "", {"duty_eligible": True}),
    ("construction_chief", "construction", "張處長", "建設處處長", "第11職等", "", {}),
    ("construction_staff", "construction", "吳技士", "建設處技士", "第6職等", "", {}),
    ("finance_staff", "finance", "周科員", "財政處科員", "第5職等", "", {}),
    ("pr_staff", "secretariat", "鄭專員", "秘書處公關專員", "第7職等", "", {}),
    ("edu_net_staff", "edu_net", "許管理師", "教育網路中心管理師", "第6職等", "", {}),
    ("auditor", "ethics", "何稽核", "稽核", "第8職等", "", {}),
    ("admin", "it", "系統管理員", "系統管理員", "", "", {}),
]

USERS = [
    # username, person key, role, unit key
    ("admin", "admin", Role.ADMIN, "root"),
    ("ethics", "shen", Role.ETHICS_OFFICER, "root"),
    ("duty", "tsai", Role.DUTY_OFFICER, "root"),
    ("head", "head", Role.AGENCY_HEAD, "root"),
    ("supervisor", "construction_chief", Role.UNIT_SUPERVISOR, "construction"),
    ("staff", "it_staff", Role.STAFF, "it"),
    ("auditor", "auditor", Role.AUDITOR, "root"),
    # the people the seed plan names who must act themselves: the county's 政風處長, and the units given report tasks
    ("director", "ethics_director", Role.ETHICS_OFFICER, "root"),
    ("pr", "pr_staff", Role.STAFF, "secretariat"),
    ("finance", "finance_staff", Role.STAFF, "finance"),
]

DUTY_KINDS = [("ethics", "政風值勤", "Ethics-office duty"), ("agency", "機關值勤", "Agency duty")]

ORGANISATIONS: list[tuple[str, str, str, str, list[tuple[str, str, str, str]]]] = [
    (
        "police",
        "花蓮縣警察局花蓮分局",
        Organisation.Kind.POLICE,
        "110",
        [("值班台", "值勤員警", "(03)8224021", "")],
    ),
    (
        "investigation",
        "法務部調查局花蓮縣調查站",
        Organisation.Kind.INVESTIGATION,
        "(03)8323000",
        [("值日官", "值日人員", "(03)8323000", "")],
    ),
    (
        "cyber",
        "國家資通安全通報應變窗口",
        Organisation.Kind.CYBER,
        "",
        [("通報窗口", "資安通報", "", "")],
    ),
    ("superior", "法務部廉政署", Organisation.Kind.SUPERIOR, "", []),
]


def load() -> DemoContext:
    agency = services.create_agency(
        actor=Actor.system(), code="hualien", name="花蓮縣政府", name_en="Hualien County Government"
    )
    ctx = DemoContext(agency=agency)
    for key, name, name_en, _parent, kind in UNITS[:1]:
        ctx.units[key] = services.create_unit(
            actor=Actor.system(), agency=agency, name=name, name_en=name_en, kind=kind
        )
    admin = accounts.create_user(
        actor=None, username="admin", password=DEMO_PASSWORD, agency=agency, email="admin@hualien.example"
    )
    accounts.assign_role(actor=None, user=admin, role=Role.ADMIN, unit=ctx.units["root"])
    ctx.admin = admin
    for key, name, name_en, parent, kind in UNITS[1:]:
        ctx.units[key] = services.create_unit(
            actor=Actor.of(admin),
            agency=agency,
            name=name,
            name_en=name_en,
            kind=kind,
            parent=ctx.units[parent or "root"],
            code=UNIT_CODES.get(key, ""),
        )
    for key, unit, name, title, grade, mobile, extra in PEOPLE:
        ctx.people[key] = services.create_person(
            actor=Actor.of(admin),
            agency=agency,
            unit=ctx.units[unit],
            name=name,
            title=title,
            grade=grade,
            mobile=mobile,
            email=f"{key.replace('_', '.')}@hualien.example",
            **extra,
        )
    admin.person = ctx.people["admin"]
    admin.save(update_fields=["person"])
    ctx.users["admin"] = admin
    for username, person_key, role, unit_key in USERS[1:]:
        user = accounts.create_user(
            actor=Actor.of(admin),
            username=username,
            password=DEMO_PASSWORD,
            agency=agency,
            person=ctx.people[person_key],
        )
        accounts.assign_role(actor=Actor.of(admin), user=user, role=role, unit=ctx.units[unit_key])
        ctx.users[username] = user
    for key, name, kind, phone, contacts in ORGANISATIONS:
        org = services.create_organisation(actor=Actor.of(admin), agency=agency, name=name, kind=kind, phone=phone)
        for contact_name, title, contact_phone, mobile in contacts:
            services.add_contact(
                actor=Actor.of(admin),
                organisation=org,
                name=contact_name,
                title=title,
                phone=contact_phone,
                mobile=mobile,
                email=f"{key}@outside.example",
            )
        ctx.organisations[key] = org
    ctx.duty_kinds = {
        code: services.create_duty_kind(actor=Actor.of(admin), agency=agency, code=code, name=name, name_en=name_en)
        for code, name, name_en in DUTY_KINDS
    }
    return ctx
