"""Permission-matrix cases for the office-calendar pages: everyone signed in reads the closures; admins and ethics
officers enter them; only admins import the DGPA file."""

from datetime import date

from tests.matrix import Case, everyone, page
from tests.personas import World

from anwei.officecalendar import services


def setup_world(world: World) -> None:
    world.records["closure"] = services.enter_closure(
        actor=None, day=date(2030, 7, 1), county="臺北市", reference="臺北市政府公告 119年6月30日20時"
    )


FORBID_ALL = everyone(403)

CASES = [
    Case("officecalendar:import", "/office-calendar/import/", page({**FORBID_ALL, "admin": 200})),
    Case(
        "officecalendar:import",
        "/office-calendar/import/",
        page({**FORBID_ALL, "admin": 200}),  # no file: the form again, with its error
        method="post",
        data={"file_date": "2030-01-01"},
        label="post",
    ),
    Case("officecalendar:closures", "/office-calendar/closures/", page(everyone(200))),
    Case(
        "officecalendar:closures",
        "/office-calendar/closures/",
        page({**FORBID_ALL, "admin": 302, "ethics": 302}),
        method="post",
        data={"day": "2030-07-02", "county": "新北市", "reference": "新北市政府公告"},
        label="post",
    ),
    Case(
        "officecalendar:closure_delete",
        lambda w: f"/office-calendar/closures/{w.records['closure'].pk}/delete/",
        page({**FORBID_ALL, "admin": 302, "ethics": 302}),
        method="post",
    ),
]
