"""Access rules shared by every blueprint: log-in is required unless a view is public."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable[..., object])


def public(view: F) -> F:
    """Mark a view as reachable without logging in (the log-in page itself)."""
    view.is_public = True  # type: ignore[attr-defined]
    return view
