"""What a human task is about: how to describe a subject and what to do when it is decided.

Each subject type ("certification" here; "document" registered by the documents app)
may register

* ``describe(tenant_id, subject_id) -> Description``: title, summary lines for the
  approver (inbox, e-mail) and the requester, read when the task is created;
* ``on_opened(task)``: called inside the transaction that creates a task (e.g. a
  document becomes PENDING_APPROVAL only together with the task that decides it);
* ``on_decided(task, actor)``: called inside the decision's transaction, after the task
  is marked and before the workflow gets the decision (e.g. to set a document's status;
  if the workflow refuses the decision, the whole transaction rolls back);
* ``on_withdrawn(task)``: called inside the engine's transaction when the workflow
  stops waiting for the task (execution stopped), after the task is CANCELLED.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Description:
    title: str
    lines: list[tuple[str, str]] = field(default_factory=list)
    requested_by_id: str | None = None


@dataclass(frozen=True)
class Subject:
    describe: Callable[[str, str], Description | None] | None = None
    on_decided: Callable | None = None
    on_withdrawn: Callable | None = None
    on_opened: Callable | None = None


_subjects: dict[str, Subject] = {}


def register_subject(
    subject_type: str,
    *,
    describe: Callable[[str, str], Description | None] | None = None,
    on_decided: Callable | None = None,
    on_withdrawn: Callable | None = None,
    on_opened: Callable | None = None,
) -> None:
    _subjects[subject_type] = Subject(describe, on_decided, on_withdrawn, on_opened)


def get(subject_type: str) -> Subject:
    return _subjects.get(subject_type) or Subject()


def describe(subject_type: str, tenant_id: str, subject_id: str) -> Description:
    subject = get(subject_type)
    found = subject.describe(tenant_id, subject_id) if subject.describe else None
    return found or Description(title=f"{subject_type.title()} {subject_id}")
