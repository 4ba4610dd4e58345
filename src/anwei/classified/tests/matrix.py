"""Permission-matrix cases for the classified register. The item's title is restricted: only its custodian
(staff_a, who registered it) may ever see it — in pages, search, export, the queue, inventory and the API. The
title, and what could describe an item without need-to-know (a declassification condition, who classified it,
where it is kept, why its level changed, why a grant was given), are registered in `world.secrets`, so every case
of every app checks that no response shows them to anyone else."""

from tests.matrix import Case, everyone, page

from .matrix_api import API_CASES
from .matrix_world import (
    CONDITION,
    LISTERS,
    ONLY_CUSTODIAN,
    REGISTER,
    VIEWERS_A,
    _item_page,
    _pk,
    _receipt,
    _secret,
    setup_world,
)

__all__ = ["CASES", "setup_world"]

CASES = [
    Case("classified:index", "/classified/", page(LISTERS), secret=_secret, may_see=ONLY_CUSTODIAN),
    Case(
        "classified:index",
        "/classified/?q=反滲透",
        page(LISTERS),
        secret=lambda w: w.records["item"].reference_no,
        may_see=ONLY_CUSTODIAN,
        label="title search finds nothing without need-to-know",
    ),
    Case("classified:export", "/classified/export.csv", page(LISTERS), secret=_secret, may_see=ONLY_CUSTODIAN),
    Case("classified:item_new", "/classified/items/new/", page({**everyone(403), **REGISTER})),
    Case(
        "classified:item_new",
        "/classified/items/new/",
        page({**everyone(403), **REGISTER, "staff_b": 200}),
        method="post",
        data={"title": "x"},
        label="invalid",
    ),
    Case(
        "classified:combine",
        "/classified/combine/",
        page({**everyone(403), **REGISTER}),
        secret=_secret,
        may_see=ONLY_CUSTODIAN,
    ),
    Case(
        "classified:item",
        _pk("item"),
        page(dict.fromkeys(VIEWERS_A, 200)),
        default=404,
        secret=_secret,
        may_see=ONLY_CUSTODIAN,
    ),
    _item_page("print/", {"staff_a": 200}, secret=_secret, may_see=ONLY_CUSTODIAN),
    _item_page("pdf/", {"staff_a": 200}),
    _item_page("decide/", {"head": 302, "supervisor_a": 302}, key="proposed", method="post", data={"approve": "1"}),
    _item_page("level/", {"head": 200, "supervisor_a": 200}),
    _item_page("destroy/", {"head": 200, "supervisor_a": 200, "ethics": 200}),
    _item_page(
        "grant/",
        {"head": 302, "supervisor_a": 302, "staff_a": 302},
        method="post",
        data=lambda w: {"user": w.users["staff_b"].pk, "reason": "書面授權"},
    ),
    Case(
        "classified:item_revoke",
        lambda w: (
            f"/classified/items/{w.records['classified_granted'].pk}/grants/{w.records['classified_grant'].pk}/revoke/"
        ),
        page({**{p: 403 for p in VIEWERS_A}, "staff_b": 403, "head": 302, "supervisor_a": 302, "staff_a": 302}),
        default=404,
        method="post",
        data={"reason": "會辦結束"},
    ),
    Case(
        "classified:item",
        _pk("classified_changed"),
        page(dict.fromkeys(VIEWERS_A, 200)),
        default=404,
        secret=lambda w: CONDITION,
        may_see=ONLY_CUSTODIAN,
        label="condition, authority, location and level-change reason need need-to-know",
    ),
    _item_page("request/", {"staff_a": 200}),
    _item_page("move/", {"staff_a": 302}, method="post", data={"storage_location": "政風處保密櫃"}),
    _item_page("transfer/", {"staff_a": 200}, secret=_secret, may_see=frozenset()),
    Case(
        "classified:copy_return",
        _pk("copy", "return/"),
        page({**{p: 403 for p in VIEWERS_A}, "staff_a": 302}),
        default=404,
        method="post",
        data={},
    ),
    Case(
        "classified:request_decide",
        _pk("custody_pending", "decide/"),
        page({"head": 302, "supervisor_a": 302, "staff_a": 403}),
        default=404,
        method="post",
        data={"approve": "1"},
    ),
    Case(
        "classified:request_return",
        _pk("taken_out", "return/"),
        page({"head": 403, "supervisor_a": 403, "staff_a": 302}),
        default=404,
        method="post",
        data={},
    ),
    Case(
        "classified:transfer_sent",
        _pk("transfer", "sent/"),
        page({"head": 403, "supervisor_a": 403, "staff_a": 302, "staff_b": 403}),
        default=404,
        method="post",
        data={},
    ),
    Case(
        "classified:transfer_received",
        _pk("sent", "received/"),
        page({"head": 403, "supervisor_a": 403, "staff_a": 403, "staff_b": 302}),
        default=404,
        method="post",
        data={},
    ),
    Case(
        "classified:transfer_received",
        _pk("classified_external", "received/"),
        page({"staff_a": 403, "ethics": 200, "head": 200, "supervisor_a": 200}),
        default=404,
        label="outside the agency: the receipt form",
    ),
    Case(
        "classified:transfer_received",
        _pk("classified_external", "received/"),
        page({"staff_a": 403, "ethics": 302, "head": 302, "supervisor_a": 302}),
        default=404,
        method="post",
        data=_receipt,
        label="outside the agency: the receipt, never by the sender",
    ),
    Case(
        "classified:transfer_cancel",
        _pk("transfer", "cancel/"),
        page({"head": 403, "supervisor_a": 403, "staff_a": 302, "staff_b": 403}),
        default=404,
        method="post",
        data={"reason": "收件人有誤"},
    ),
    Case("classified:queue", "/classified/queue/", page(everyone(200)), secret=_secret),
    Case(
        "classified:approvals_export",
        "/classified/queue/approvals.csv",
        page({"head": 200, "supervisor_a": 200}),
        secret=_secret,
    ),
    Case(
        "classified:inventory_export",
        "/classified/inventory/export.csv?location=建設處機密櫃 1",
        page({**everyone(403), "ethics": 200, "supervisor_a": 200, "auditor": 200}),
        secret=_secret,
    ),
    Case(
        "classified:inventory",
        "/classified/inventory/?location=建設處機密櫃 1",
        page({**everyone(403), "ethics": 200, "supervisor_a": 200, "auditor": 200}),
        secret=_secret,
    ),
    Case(
        "classified:inventory_check",
        "/classified/inventory/check/",
        page({**everyone(403), "ethics": 302, "supervisor_a": 302, "auditor": 302}),
        method="post",
        data={"location": "建設處機密櫃 1", "note": "清點無誤"},
    ),
    *API_CASES,
]
