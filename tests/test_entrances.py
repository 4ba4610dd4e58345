"""One entrance per write (issue 17): the write services (declared with `anwei.accounts.actor.write_service`) and
the entrances that call them — the pages (URL patterns) and the API operations (the ninja routers) — found by
reading each entrance function's code (its names, and those of the lambdas inside it). Where a write has both a
page and an API operation, both call the same service."""

import inspect
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from types import CodeType, FunctionType, ModuleType
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from anwei.accounts.actor import WRITE_SERVICES
from anwei.api import api

# the writes with a page and an API operation: (page route name, API operation) → the service both must call
BOTH_ENTRANCES = {
    ("incidents:new", "POST /api/v1/incidents"): "anwei.incidents.services.file_report",
    ("incidents:level", "POST /api/v1/incidents/{incident_id}/level"): "anwei.incidents.services.change_level",
    ("incidents:contact", "POST /api/v1/incidents/{incident_id}/contacts"): "anwei.incidents.contacts.record_contact",
    (
        "incidents:task_detail",
        "POST /api/v1/incidents/tasks/{task_id}/answer",
    ): "anwei.incidents.unit_tasks.answer_task",
    (
        "notifications:acknowledge",
        "POST /api/v1/notifications/inbox/{notification_id}/acknowledge",
    ): "anwei.notifications.services.acknowledge_own",
    ("directory:person_new", "POST /api/v1/directory/people"): "anwei.directory.services.create_person_in_unit",
    (
        "directory:person_edit",
        "PATCH /api/v1/directory/people/{person_id}",
    ): "anwei.directory.services.update_person_by_id",
    ("directory:unit_new", "POST /api/v1/directory/units"): "anwei.directory.services.create_unit_under",
    ("directory:unit_edit", "PATCH /api/v1/directory/units/{unit_id}"): "anwei.directory.services.update_unit_by_id",
    ("directory:unit_active", "PATCH /api/v1/directory/units/{unit_id}"): "anwei.directory.services.update_unit_by_id",
    (
        "directory:organisation",
        "POST /api/v1/directory/organisations/{org_id}/contacts",
    ): "anwei.directory.services.add_contact_by_id",
    (
        "directory:contact_edit",
        "PATCH /api/v1/directory/contacts/{contact_id}",
    ): "anwei.directory.services.update_contact_by_id",
    (
        "directory:contact_delete",
        "DELETE /api/v1/directory/contacts/{contact_id}",
    ): "anwei.directory.services.remove_contact_by_id",
    ("inspections:round_new", "POST /api/v1/inspections/rounds"): "anwei.inspections.services.create_round_by_ids",
    (
        "inspections:inspection",
        "PATCH /api/v1/inspections/inspections/{inspection_id}",
    ): "anwei.inspections.services.save_answers_by_id",
    (
        "inspections:inspection",
        "POST /api/v1/inspections/inspections/{inspection_id}/submit",
    ): "anwei.inspections.services.submit_inspection_by_id",
    (
        "inspections:finding_flag",
        "POST /api/v1/inspections/findings/{finding_id}/leak",
    ): "anwei.inspections.corrective.set_leak_suspected_by_id",
    (
        "inspections:action_answer",
        "POST /api/v1/inspections/actions/{action_id}/answer",
    ): "anwei.inspections.corrective.answer_action_by_id",
    (
        "inspections:action_verify",
        "POST /api/v1/inspections/actions/{action_id}/verify",
    ): "anwei.inspections.corrective.verify_action_by_id",
    ("classified:item_new", "POST /api/v1/classified/items"): "anwei.classified.commands.register_item_in_unit",
    ("classified:combine", "POST /api/v1/classified/combinations"): "anwei.classified.commands.combine_items_by_id",
    (
        "classified:item_decide",
        "POST /api/v1/classified/items/{item_id}/classification-decision",
    ): "anwei.classified.commands.decide_classification_by_id",
    (
        "classified:item_level",
        "POST /api/v1/classified/items/{item_id}/level-changes",
    ): "anwei.classified.commands.change_level_by_id",
    (
        "classified:item_destroy",
        "POST /api/v1/classified/items/{item_id}/destruction",
    ): "anwei.classified.commands.destroy_by_id",
    (
        "classified:item_move",
        "POST /api/v1/classified/items/{item_id}/storage-location",
    ): "anwei.classified.commands.move_by_id",
    (
        "classified:item_grant",
        "POST /api/v1/classified/items/{item_id}/grants",
    ): "anwei.classified.commands.grant_need_to_know_by_id",
    (
        "classified:item_revoke",
        "POST /api/v1/classified/items/{item_id}/grants/{grant_id}/revocation",
    ): "anwei.classified.commands.revoke_need_to_know_by_id",
    (
        "classified:item_request",
        "POST /api/v1/classified/items/{item_id}/requests",
    ): "anwei.classified.commands.request_by_id",
    (
        "classified:item_transfer",
        "POST /api/v1/classified/items/{item_id}/transfers",
    ): "anwei.classified.commands.start_transfer_by_id",
    (
        "classified:request_decide",
        "POST /api/v1/classified/requests/{request_id}/decision",
    ): "anwei.classified.commands.decide_request_by_id",
    (
        "classified:request_return",
        "POST /api/v1/classified/requests/{request_id}/return",
    ): "anwei.classified.commands.return_take_out_by_id",
    (
        "classified:copy_return",
        "POST /api/v1/classified/copies/{copy_id}/return",
    ): "anwei.classified.commands.return_copy_by_id",
    (
        "classified:transfer_sent",
        "POST /api/v1/classified/transfers/{transfer_id}/sent",
    ): "anwei.classified.commands.confirm_sent_by_id",
    (
        "classified:transfer_received",
        "POST /api/v1/classified/transfers/{transfer_id}/received",
    ): "anwei.classified.commands.confirm_received_by_id",
    (
        "classified:transfer_cancel",
        "POST /api/v1/classified/transfers/{transfer_id}/cancellation",
    ): "anwei.classified.commands.cancel_transfer_by_id",
    (
        "classified:inventory_check",
        "POST /api/v1/classified/inventory/checks",
    ): "anwei.classified.commands.record_inventory_check",
    (
        "awareness:activity_new",
        "POST /api/v1/awareness/activities",
    ): "anwei.awareness.services.activities.create_activity",
    (
        "awareness:activity_sign_in",
        "POST /api/v1/awareness/activities/{activity_id}/attendance",
    ): "anwei.awareness.services.activities.sign_in",
    ("awareness:travel_new", "POST /api/v1/awareness/travel"): "anwei.awareness.services.travel.declare_travel",
    (
        "awareness:travel_briefing",
        "POST /api/v1/awareness/travel/{declaration_id}/briefing",
    ): "anwei.awareness.services.travel.acknowledge_briefing",
    (
        "awareness:travel_exit",
        "POST /api/v1/awareness/travel/{declaration_id}/exit",
    ): "anwei.awareness.services.travel.decide_exit",
    (
        "awareness:travel_return",
        "POST /api/v1/awareness/travel/{declaration_id}/return",
    ): "anwei.awareness.services.returns.file_return_report",
    (
        "awareness:travel_upward",
        "POST /api/v1/awareness/travel/{declaration_id}/upward",
    ): "anwei.awareness.services.returns.file_upward",
    ("awareness:checks", "POST /api/v1/awareness/checks"): "anwei.awareness.services.checks.draw_random_check",
    ("awareness:calendar", "POST /api/v1/awareness/holidays"): "anwei.awareness.services.activities.set_calendar_day",
    (
        "awareness:calendar_delete",
        "DELETE /api/v1/awareness/holidays/{day}",
    ): "anwei.awareness.services.activities.remove_calendar_day",
    (
        "awareness:delegation_new",
        "POST /api/v1/awareness/delegations",
    ): "anwei.awareness.services.delegations.create_delegation",
    (
        "awareness:delegation",
        "POST /api/v1/awareness/delegations/{delegation_id}/anomalies",
    ): "anwei.awareness.services.delegations.report_anomaly",
}
# the apps whose pages reach their writes only through core.entrance (the others follow app by app)
ENTRANCE_APPS = [
    "incidents",
    "notifications",
    "directory",
    "drills",
    "officecalendar",
    "reports",
    "accounts",
    "inspections",
    "classified",
    "awareness",
    "plans",
    "upward",
]


def _unwrap(view: Callable[..., Any]) -> Callable[..., Any]:
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    return view


def _pages(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Callable[..., Any]]]:
    for item in patterns:
        if isinstance(item, URLResolver):
            yield from _pages(item.url_patterns, f"{prefix}{item.namespace}:" if item.namespace else prefix)
        elif isinstance(item, URLPattern) and item.name and not item.name.startswith("api"):
            yield prefix + item.name, _unwrap(item.callback)


def _operations() -> Iterator[tuple[str, Callable[..., Any]]]:
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                url = re.sub(r"/+", "/", f"/api/v1/{prefix}/{path}").rstrip("/")
                for method in operation.methods:
                    yield f"{method} {url}", _unwrap(operation.view_func)


def _names(code: CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            names |= _names(const)
    return names


def services_called(function: Callable[..., Any]) -> set[str]:
    """The write services `function` calls: names it uses that are, in its module's namespace or as an attribute of
    a module it uses, a registered write service."""
    if not isinstance(function, FunctionType):
        return set()
    by_function = {id(f): name for name, f in WRITE_SERVICES.items()}
    found = set()
    names = _names(function.__code__)
    spaces: list[Any] = [function.__globals__]
    spaces += [vars(v) for v in function.__globals__.values() if isinstance(v, ModuleType)]
    for space in spaces:
        for name in names:
            if id(space.get(name)) in by_function:
                found.add(by_function[id(space[name])])
    return found


def entrances() -> dict[str, dict[str, set[str]]]:
    """service → {"pages": route names, "api": operations} calling it."""
    table: dict[str, dict[str, set[str]]] = defaultdict(lambda: {"pages": set(), "api": set()})
    for name, view in _pages(get_resolver().url_patterns):
        for service in services_called(view):
            table[service]["pages"].add(name)
    for name, view in _operations():
        for service in services_called(view):
            table[service]["api"].add(name)
    return table


def test_the_entrances_are_found() -> None:
    table = entrances()
    assert "incidents:close" in table["anwei.incidents.services.close"]["pages"]
    assert (
        "POST /api/v1/incidents/{incident_id}/attachments" in table["anwei.incidents.services.add_attachments"]["api"]
    )
    assert len(WRITE_SERVICES) >= 20


@pytest.mark.parametrize(("entrances_", "service"), list(BOTH_ENTRANCES.items()), ids=lambda v: str(v))
def test_a_write_with_a_page_and_an_api_operation_is_one_service(entrances_: tuple[str, str], service: str) -> None:
    page, operation = entrances_
    pages = dict(_pages(get_resolver().url_patterns))
    operations = dict(_operations())
    assert service in WRITE_SERVICES
    assert service in services_called(pages[page])  # a page may make and change (new and edit share a view)
    assert services_called(operations[operation]) == {service}


def test_every_api_operation_of_a_converted_app_calls_registered_services_only() -> None:
    """An API write operation of the converted apps calls a write service (no write of its own)."""
    for name, view in _operations():
        app = view.__module__.split(".")[1]
        if app in (
            "incidents",
            "notifications",
            "directory",
            "inspections",
            "classified",
            "awareness",
        ) and not name.startswith("GET "):
            assert services_called(view), f"{name} calls no write service"


@pytest.mark.parametrize("app", ENTRANCE_APPS)
def test_no_page_of_a_converted_app_catches_a_broken_rule_itself(app: str) -> None:
    import anwei

    root = Path(inspect.getfile(anwei)).parent / app
    for path in root.glob("views*.py"):
        assert "except BusinessRuleError" not in path.read_text(encoding="utf-8"), path.name
