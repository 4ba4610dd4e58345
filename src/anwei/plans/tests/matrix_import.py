"""Permission-matrix cases of the plan import pages (appended to CASES in matrix.py)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from tests.matrix import Case, page
from tests.personas import World

from .test_import_parser import SEED

IMPORTERS = {"admin": 200, "ethics": 200}


def _upload(world: World) -> dict[str, object]:
    return {"document": SimpleUploadedFile("plan.txt", SEED.read_bytes(), content_type="text/plain")}


IMPORT_CASES = [
    Case("plans:import", "/plans/import/", page(IMPORTERS)),
    Case("plans:import", "/plans/import/", page(IMPORTERS), method="post", data=_upload, label="preview"),
    Case(
        "plans:import_save",
        "/plans/import/save/",
        page({"admin": 302, "ethics": 302}),
        method="post",
        data={"token": "forged"},
        label="bad token",
    ),
]
