"""Root conftest: test settings, then the shared personas and the permission-matrix world (tests/personas.py)."""

import atexit
import os
import shutil
import tempfile
import uuid
from typing import Any

import pytest

os.environ.setdefault("ANWEI_TESTING", "true")
if "ANWEI_MEDIA_ROOT" not in os.environ:  # uploads made by tests never land in the developer's var/media
    os.environ["ANWEI_MEDIA_ROOT"] = tempfile.mkdtemp(prefix="anwei-test-media-")
    atexit.register(shutil.rmtree, os.environ["ANWEI_MEDIA_ROOT"], ignore_errors=True)
    from django.conf import settings as _settings

    if _settings.configured:  # pytest-django may have read the settings before this file
        from pathlib import Path

        _settings.MEDIA_ROOT = Path(os.environ["ANWEI_MEDIA_ROOT"])
if "ANWEI_AUDIT_KEY_FILE" not in os.environ:  # the audit log's keys for this test run, never the developer's var/
    _keys = tempfile.mkdtemp(prefix="anwei-test-audit-")
    atexit.register(shutil.rmtree, _keys, ignore_errors=True)
    os.environ.update(
        ANWEI_AUDIT_KEY_FILE=os.path.join(_keys, "audit-key"),
        ANWEI_AUDIT_SIGNING_KEY_FILE=os.path.join(_keys, "audit-signing-key"),
        ANWEI_AUDIT_WITNESS=os.path.join(_keys, "audit-witness.jsonl"),
        ANWEI_AUDIT_KEYS_GENERATE="true",
    )
    from django.conf import settings as _settings

    if _settings.configured:
        _settings.AUDIT_KEY_FILE = os.environ["ANWEI_AUDIT_KEY_FILE"]
        _settings.AUDIT_SIGNING_KEY_FILE = os.environ["ANWEI_AUDIT_SIGNING_KEY_FILE"]
        _settings.AUDIT_WITNESS = os.environ["ANWEI_AUDIT_WITNESS"]
        _settings.AUDIT_KEYS_GENERATE = True
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

pytest_plugins = ["tests.personas", "tests.browser"]


@pytest.fixture(autouse=True)
def _audit_witness(settings: Any) -> None:
    """Each test its own witness file: the databases are rolled back between tests, a witness file is not."""
    settings.AUDIT_WITNESS = f"{os.environ['ANWEI_AUDIT_WITNESS']}.{uuid.uuid4().hex}"


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
