"""How much of its plan a tenant uses.

Accounts sits below the document vault, so the count is asked of whichever app
registered a counter; with no vault installed a tenant has used nothing.
"""

from __future__ import annotations

from collections.abc import Callable

_counters: list[Callable[[object], int]] = []


def register_document_counter(counter: Callable[[object], int]) -> None:
    _counters.append(counter)


def documents_used(tenant) -> int:
    return sum(counter(tenant) for counter in _counters)
