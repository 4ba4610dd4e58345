"""Root conftest: test settings, then the shared personas and the permission-matrix world (tests/personas.py)."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("ANWEI_TESTING", "true")
if "ANWEI_MEDIA_ROOT" not in os.environ:  # uploads made by tests never land in the developer's var/media
    os.environ["ANWEI_MEDIA_ROOT"] = tempfile.mkdtemp(prefix="anwei-test-media-")
    atexit.register(shutil.rmtree, os.environ["ANWEI_MEDIA_ROOT"], ignore_errors=True)
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

pytest_plugins = ["tests.personas", "tests.browser"]



def pytest_collection_modifyitems(items: list) -> None:
    """A transactional test (a real browser against the live server, several connections) ends by flushing every
    table, the reference data the migrations wrote too (routing rules, holidays, checklists). Such tests are rolled
    back with the data serialized at set-up instead, so a later test never runs against an empty rule book."""
    import pytest

    for item in items:
        marker = item.get_closest_marker("django_db")
        kwargs = dict(marker.kwargs) if marker is not None else {}
        if kwargs.get("transaction") or {"transactional_db", "live_server"} & set(item.fixturenames):
            kwargs.update(transaction=True, serialized_rollback=True)
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)
