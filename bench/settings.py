"""Bench-only settings: the product's settings plus a URL conf with the bare-insert ceiling view. Never deployed."""

from anwei.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# Pages render without `collectstatic` having been run in the scratch set-up (hashed names are a lookup either way).
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405

# The intake and load benchmarks file thousands of reports as one user: measure the filing, not the per-user limit.
ANWEI_FILING_RATE = "off"
