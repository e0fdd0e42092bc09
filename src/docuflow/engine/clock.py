"""The engine's clock. Tests replace it to skip time; nothing else reads the wall clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

_source: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    return _source()


def set_source(source: Callable[[], datetime] | None) -> None:
    """Install a clock (``None`` restores the wall clock)."""
    global _source
    _source = source or (lambda: datetime.now(UTC))
