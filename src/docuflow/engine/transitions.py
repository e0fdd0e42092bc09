"""Applying events to executions: one transaction per transition.

``apply`` locks the execution row, runs the pure interpreter step, and writes the new
state, the history events and the work the step asked for, all in one transaction.
A work item that delivered the event is deleted in that same transaction, so an event
is consumed exactly once even when a lease expired and two workers raced for it.
"""

from __future__ import annotations

import functools
import json
import logging
import random
import secrets
from base64 import urlsafe_b64encode
from collections import OrderedDict
from threading import Lock
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models.constants import OnConflict

from docuflow.asl import interpreter as asl
from docuflow.asl.definition import StateMachine as Machine
from docuflow.asl.definition import parse_definition
from docuflow.engine import clock, resources
from docuflow.engine.models import (
    Activity,
    Execution,
    HistoryEvent,
    StateMachineRevision,
    TaskToken,
    WorkItem,
)
from docuflow.queries import one_or_none

log = logging.getLogger(__name__)

# Task tokens and jitter come from the OS's CSPRNG: tokens must be unguessable.
SYSTEM_RANDOM = random.SystemRandom()

_RESERVED_EVENT_KEYS = {"id", "type", "timestamp", "previousEventId"}
_CHANGING_FIELDS = [
    "state", "current_state", "status", "output", "error", "cause", "stop_date", "has_tokens"
]  # fmt: skip


class _MachineCache:
    """Parsed definitions by revision id (revisions are immutable)."""

    def __init__(self, size: int = 256) -> None:
        self._items: OrderedDict[str, Machine] = OrderedDict()
        self._size = size
        self._lock = Lock()

    def get(self, revision: StateMachineRevision) -> Machine:
        return self.get_by_id(revision.pk, lambda: revision.definition)

    def of(self, execution: Execution) -> Machine:
        """The execution's parsed machine, from its revision when that was read with it,
        else by revision id (cached; the definition is queried only on a miss)."""
        if Execution.revision.is_cached(execution):
            return self.get(execution.revision)
        return self.get_by_id(execution.revision_id)

    def get_by_id(self, revision_id, definition=None) -> Machine:
        """The parsed revision; ``definition()`` (or a query) supplies its text on a miss."""
        key = str(revision_id)
        with self._lock:
            machine = self._items.get(key)
            if machine is not None:
                self._items.move_to_end(key)
                return machine
        if definition is None:
            text = StateMachineRevision.objects.values_list("definition", flat=True).get(
                pk=revision_id
            )
        else:
            text = definition()
        machine = parse_definition(text)
        with self._lock:
            self._items[key] = machine
            if len(self._items) > self._size:
                self._items.popitem(last=False)
        return machine


machines = _MachineCache()

# Called inside the transaction when a task is cancelled, e.g. to withdraw a human task.
cancel_hooks: list = []


def new_token() -> str:
    return urlsafe_b64encode(secrets.token_bytes(48)).decode()


def _wake_workers() -> None:
    from docuflow.engine import worker

    worker.notify()


def begin(execution: Execution, start: asl.StartExecution) -> bool:
    """Run the first step of a new execution (caller holds the transaction).

    Returns False, having written nothing, when an execution of that name (or ARN)
    exists already.
    """
    now = clock.now()
    result = asl.step(machines.of(execution), None, start, now, SYSTEM_RANDOM)
    return _persist(execution, result, now)


def apply(execution_id, event: Any, *, consume_work: int | None = None) -> bool:
    """Apply one event to an execution. Returns False when it changed nothing."""
    with transaction.atomic():
        if consume_work is not None:
            deleted, _ = WorkItem.objects.filter(pk=consume_work).delete()
            if not deleted:
                return False  # another worker already delivered this event
        # Neither the revision (its parsed machine is cached by id) nor first()'s ORDER BY:
        # compiling those was a third of a worker's transition (``queries.one_or_none``).
        execution = one_or_none(Execution.objects.select_for_update().filter(pk=execution_id))
        if execution is None or execution.status != Execution.Status.RUNNING:
            return False
        return apply_locked(execution, event)


def apply_locked(execution: Execution, event: Any) -> bool:
    """Apply an event to an execution whose row the caller has locked."""
    now = clock.now()
    before = execution.state
    result = asl.step(machines.of(execution), before, event, now, SYSTEM_RANDOM)
    if result.state is before and not result.events:
        return False
    _persist(execution, result, now)
    return True


def _persist(execution: Execution, result: asl.StepResult, now) -> bool:
    """Write a step's outcome. False when a new execution's name was taken: nothing written."""
    fresh = execution._state.adding  # nothing of a brand-new execution is stored yet
    follow_ups: list[Any] = []
    new_work: list[WorkItem] = []
    new_tokens: list[TaskToken] = []
    wake = False
    for command in result.commands:
        if isinstance(command, asl.InvokeTask):
            wake |= _schedule_task(execution, command, new_work, new_tokens, follow_ups, now)
        elif isinstance(command, asl.StartTimer):
            if not fresh:
                WorkItem.objects.filter(
                    execution=execution, kind=WorkItem.Kind.TIMER, key=command.timer_id
                ).delete()
            new_work.append(
                WorkItem(
                    execution=execution,
                    kind=WorkItem.Kind.TIMER,
                    key=command.timer_id,
                    due_at=command.fire_at,
                )
            )
            wake |= command.fire_at <= now
        elif isinstance(command, asl.CancelTimer) and not fresh:
            WorkItem.objects.filter(
                execution=execution, kind=WorkItem.Kind.TIMER, key=command.timer_id
            ).delete()
        elif isinstance(command, asl.CancelTask) and not fresh:
            _cancel_task(execution, command.task_id, now)
        elif isinstance(command, asl.ExecutionFinished):
            _finish(execution, command, now, fresh)

    execution.state = result.state
    execution.current_state = _current_state(result.events, execution.current_state)
    if execution.status != Execution.Status.RUNNING:
        execution.current_state = ""
    if new_tokens:
        execution.has_tokens = True
    if fresh:
        # A taken name (a unique constraint) inserts nothing, and the caller answers
        # ExecutionAlreadyExists. An IntegrityError instead would abort the transaction on
        # PostgreSQL, so the caller would need a savepoint: two more statements a start.
        # Nothing was written before this insert (a new execution has nothing to cancel).
        row = [getattr(execution, f.attname) for f in _EXECUTION_FIELDS]
        if not _insert(Execution, _EXECUTION_FIELDS, [row], ignore_conflicts=True):
            return False
        execution._state.adding = False
        execution._state.db = connection.alias
    else:
        execution.save(update_fields=_CHANGING_FIELDS)
    _insert(HistoryEvent, _HISTORY_FIELDS, _history_values(execution, result.events))
    if new_tokens:
        TaskToken.objects.bulk_create(new_tokens)
    if new_work:
        WorkItem.objects.bulk_create(new_work)
    if wake:
        transaction.on_commit(_wake_workers)
    for event in follow_ups:
        if execution.status == Execution.Status.RUNNING:
            apply_locked(execution, event)
    return True


def _schedule_task(
    execution, command: asl.InvokeTask, new_work, new_tokens, follow_ups, now
) -> bool:
    target = resources.route(command.resource)
    if target.kind == "activity":
        activity = Activity.objects.filter(tenant_id=execution.tenant_id, arn=target.name).first()
        if activity is None:
            follow_ups.append(
                asl.TaskFailed(
                    command.task_id,
                    "States.Runtime",
                    f"The activity '{target.name}' does not exist",
                )
            )
            return False
        new_tokens.append(
            TaskToken(
                token=command.task_token or new_token(),
                execution=execution,
                task_id=command.task_id,
                state_name=command.state_name,
                activity=activity,
                input=json.dumps(command.input, separators=(",", ":")),
                created_at=now,
            )
        )
        return False
    if command.task_token:
        new_tokens.append(
            TaskToken(
                token=command.task_token,
                execution=execution,
                task_id=command.task_id,
                state_name=command.state_name,
                created_at=now,
            )
        )
    new_work.append(
        WorkItem(
            execution=execution,
            kind=WorkItem.Kind.INVOKE,
            key=command.task_id,
            due_at=now,
            payload={
                "resource": command.resource,
                "input": command.input,
                "token": command.task_token,
                "state_name": command.state_name,
                "attempt": command.attempt,
                "wait_for_callback": command.wait_for_callback,
            },
        )
    )
    return True


def _finish(execution: Execution, command: asl.ExecutionFinished, now, fresh: bool) -> None:
    execution.status = command.status
    execution.stop_date = now
    if command.status == Execution.Status.SUCCEEDED:
        execution.output = json.dumps(command.output, separators=(",", ":"))
    execution.error = command.error
    execution.cause = command.cause
    if fresh:
        return
    WorkItem.objects.filter(execution=execution).delete()
    if execution.has_tokens:
        TaskToken.objects.filter(execution=execution, status=TaskToken.Status.OPEN).update(
            status=TaskToken.Status.CLOSED, closed_at=now
        )


def _cancel_task(execution: Execution, task_id: str, now) -> None:
    """A task stopped mattering (timeout, abort): its token and pending call go too."""
    if execution.has_tokens:
        TaskToken.objects.filter(
            execution=execution, task_id=task_id, status=TaskToken.Status.OPEN
        ).update(status=TaskToken.Status.CLOSED, closed_at=now)
    WorkItem.objects.filter(execution=execution, kind=WorkItem.Kind.INVOKE, key=task_id).delete()
    for hook in cancel_hooks:
        hook(execution, task_id)


def _current_state(events: list[dict], current: str) -> str:
    for event in events:
        kind = event["type"]
        if kind.endswith("StateEntered"):
            for key, value in event.items():
                if key.endswith("EventDetails") and isinstance(value, dict) and "name" in value:
                    current = value["name"]
    return current


def _history_values(execution: Execution, events: list[dict]) -> list[list]:
    """Rows of ``_HISTORY_FIELDS`` for the events."""
    rows = []
    for event in events:
        details = {k: v for k, v in event.items() if k not in _RESERVED_EVENT_KEYS} or None
        rows.append(
            [
                execution.pk,
                event["id"],
                event.get("previousEventId", 0),
                event["type"],
                event["timestamp"],
                details,
            ]
        )
    return rows


# The hot path's INSERTs skip the ORM's query compiler and model instances (most of a
# start's cost): plain multi-row INSERTs, each value adapted by its field as the ORM
# would (``get_db_prep_save``: JSON, dates, UUIDs). No model signals are involved: none
# are connected to these models. They run in the caller's transaction, like the ORM's.
_EXECUTION_FIELDS = tuple(Execution._meta.concrete_fields)
_HISTORY_FIELDS = tuple(
    HistoryEvent._meta.get_field(name)
    for name in ("execution", "event_id", "previous_event_id", "type", "timestamp", "details")
)
# psycopg parses a statement's placeholders once and caches it only up to 50 parameters;
# a longer one is parsed again on every call, which costs more than a second statement.
# SQLite has no such limit short of its max_query_params (999): there, one statement.
_MAX_PARAMS = {"postgresql": 50}

# How each field's values are adapted. The ORM only coerces (int(), str(), bool()) the
# values of these fields, so a value that already has the type goes to the driver as is.
_PLAIN = (
    (models.BooleanField, bool),
    (models.IntegerField, int),
    (models.CharField, str),
    (models.TextField, str),
)
_MEMO = "memo"  # hashable values that repeat in a batch (the execution, a step's time)
_ADAPT = "adapt"  # the rest (JSON): the field adapts each value


def _value_kind(field) -> type | str:
    if not field.is_relation:
        for field_class, python_type in _PLAIN:
            if isinstance(field, field_class):
                return python_type
    if isinstance(field, models.JSONField):
        return _ADAPT
    return _MEMO


def _prepared(fields: list, kinds: list, rows: list[list], db) -> list:
    """The rows' values as ``get_db_prep_save`` gives them, flattened, at less cost."""
    memo: dict = {}
    params = []
    append = params.append
    for row in rows:
        for index, (field, kind, value) in enumerate(zip(fields, kinds, row, strict=True)):
            if value is None or type(value) is kind:  # every field here saves None as is
                append(value)
            elif kind is _MEMO:
                key = (index, value)
                if key not in memo:
                    memo[key] = field.get_db_prep_save(value, db)
                append(memo[key])
            else:
                append(field.get_db_prep_save(value, db))
    return params


@functools.cache
def _statement(
    model, fields: tuple, vendor: str, ignore_conflicts: bool
) -> tuple[str, str, str, list, int]:
    """(``INSERT … VALUES `` head, one row's placeholders, tail, value kinds, rows a
    statement)."""
    db = connections[DEFAULT_DB_ALIAS]
    ops = db.ops
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    table = ops.quote_name(model._meta.db_table)
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    head = f"{ops.insert_statement(on_conflict)} {table} ({columns}) VALUES "
    tail = ops.on_conflict_suffix_sql(fields, on_conflict, None, None)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    max_params = _MAX_PARAMS.get(vendor) or db.features.max_query_params or 50
    rows = max(1, max_params // len(fields))
    return head, one, f" {tail}" if tail else "", [_value_kind(f) for f in fields], rows


def _insert(model, fields: tuple, rows: list[list], *, ignore_conflicts: bool = False) -> int:
    """Insert the rows; return how many were inserted (with ``ignore_conflicts``, a row
    that breaks a unique constraint is skipped: ON CONFLICT DO NOTHING)."""
    if not rows:
        return 0
    db = connections[DEFAULT_DB_ALIAS]  # the proxy's attribute lookups add up here
    head, one, tail, kinds, per_statement = _statement(model, fields, db.vendor, ignore_conflicts)
    inserted = 0
    with db.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params = _prepared(fields, kinds, chunk, db)
            cursor.execute(head + ", ".join([one] * len(chunk)) + tail, params)
            inserted += cursor.rowcount
    return inserted
