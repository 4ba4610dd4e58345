"""Bench-only settings: the product's settings plus a URL conf with the bare-insert ceiling view. Never deployed."""

from anwei.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
