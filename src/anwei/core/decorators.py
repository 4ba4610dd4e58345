"""Marks a view carries for the request pipeline. They are plain attributes, set here below every app, so that a
view anywhere can carry one and the middleware that reads it (accounts.middleware.TwoFactorMiddleware) is the only
place that knows what it means."""

from collections.abc import Callable
from typing import Any


def second_factor_exempt[V: Callable[..., Any]](view: V) -> V:
    """Reachable after the password and before the second factor (the middleware lets it through)."""
    view.second_factor_exempt = True  # type: ignore[attr-defined]  # a mark the middleware reads on the function
    return view
