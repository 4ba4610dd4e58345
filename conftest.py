"""Root conftest: test settings, then the shared personas and the permission-matrix world (tests/personas.py)."""

import os

os.environ.setdefault("ANWEI_TESTING", "true")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

pytest_plugins = ["tests.personas", "tests.browser"]
