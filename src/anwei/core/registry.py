"""How the apps plug themselves in, so that adding an app never means editing a shared file besides settings.

An app under `anwei/` may have:
- `urls.py` — included at `<url_prefix>/` (AppConfig.url_prefix, default the app label; core is at the root);
- `api.py` with `router` — added to the JSON API at `/api/v1/<label>`;
- `navigation` on its AppConfig — a list of (url name, label, action needed anywhere or None) for the site menu;
- `primary_actions` on its AppConfig — the same shape, for the prominent buttons at the head of the menu and on
  the home page (e.g. 我要通報);
- `policies.py` (imported at start-up), `demo.py` with `load(ctx)` (run by `demo`, core.seeding), `gendata.py` with
  `generate(run)` (run by `gen-data`, core.seeding), `tests/matrix.py` (permission matrix), `report_sections.py`
  (the daily and results reports), `ical_events.py` with `events(user)` (the user's calendar feed), `todo.py` with
  `items(user, now)` (the to-do list, core.todo). Order follows INSTALLED_APPS.

This is how a lower layer reaches a higher one without importing it (the layers: docs/architecture.md, checked by
import-linter in `make lint`).
"""

import importlib
from types import ModuleType
from typing import Any

from django.apps import AppConfig, apps
from django.utils.module_loading import module_has_submodule


def anwei_apps() -> list[AppConfig]:
    return [c for c in apps.get_app_configs() if c.name.startswith("anwei.")]


def with_module(submodule: str) -> list[AppConfig]:
    return [c for c in anwei_apps() if module_has_submodule(c.module, submodule)]


def modules(submodule: str) -> list[ModuleType]:
    """`anwei.<app>.<submodule>` of every app that has one (e.g. "report_sections", "ical_events")."""
    return [importlib.import_module(f"{c.name}.{submodule}") for c in with_module(submodule)]


def url_prefix(config: AppConfig) -> str:
    prefix = getattr(config, "url_prefix", config.label)
    return f"{prefix}/" if prefix else ""


def navigation() -> list[tuple[str, Any, str | None]]:
    return [entry for config in anwei_apps() for entry in getattr(config, "navigation", [])]


def primary_actions() -> list[tuple[str, Any, str | None]]:
    return [entry for config in anwei_apps() for entry in getattr(config, "primary_actions", [])]
