"""The pure ASL interpreter: ``step(machine, state, event, now, rng) -> StepResult``.

Functional core of the durable engine (DESIGN.md principle 2). One call applies one
incoming event to an execution and returns

* the new execution ``state`` — a plain JSON-serialisable dict that fully describes a
  paused execution (store it, reload it in another process, call ``step`` again);
* the history ``events`` it produced, shaped like ``GetExecutionHistory`` events
  (``timestamp`` is ``now`` as an aware datetime; see :mod:`docuflow.asl.history`);
* the ``commands`` the caller must carry out, in order.

It never sleeps, does I/O, reads the clock (``now`` is given) or uses global randomness
(``rng`` is given; pass ``random.SystemRandom()`` in production, task tokens come from
it). Pure states run to completion inside one call; the execution stops only on a task,
a timer, or its end.

Events in: ``StartExecution`` (with ``state=None``), ``TaskSucceeded``, ``TaskFailed``,
``TaskSubmitted`` (optional: the submit call of a callback/.sync task returned),
``TaskHeartbeat``, ``TaskStarted`` (optional, activities: a worker took the task),
``TimerFired``, ``StopExecution``. An event that does not apply — a
duplicate, an unknown or already finished task or timer, anything after the end —
returns the *same* state object with no events and no commands, so nothing is ever
advanced twice.

Commands out: ``InvokeTask`` (run it, answer with the task id), ``CancelTask`` (its
outcome no longer matters), ``StartTimer`` (fire ``TimerFired`` at ``fire_at``),
``CancelTimer``, ``ExecutionFinished`` (always last). Task and timer ids are unique
within one execution (``task-N``, ``timer-N``, ``execution-timeout``).

Execution state layout (``version`` 1) — callers may read ``status`` (RUNNING |
SUCCEEDED | FAILED | TIMED_OUT | ABORTED), ``output``, ``error``, ``cause``, ``tasks``
(outstanding task ids) and ``timers`` (pending timer ids); everything else is private.
``root`` is the top-level *frame*: one running thread of states (the execution, a
Parallel branch or a Map iteration) with its current state name and raw input. A frame
blocked on a Map or Parallel keeps its running children inside ``wait.children``; the
``tasks``/``timers`` indexes map ids to the frame path (child indexes from the root).
A frame's ``vars`` holds the workflow variables its states assigned (see
:mod:`docuflow.asl.variables`); a child frame records its ``path`` to find the outer ones.
"""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from . import errors as E
from .choice import parse_timestamp
from .definition import (
    ABSENT,
    ChoiceState,
    FailState,
    MapState,
    ParallelState,
    PassState,
    State,
    StateMachine,
    SucceedState,
    TaskState,
    WaitState,
)
from .errors import StatesError
from .history import (
    DETAILS_KEY,
    HISTORY_LIMIT,
    dumps,
    error_details,
    format_time,
    payload_too_large,
)
from .intrinsics import evaluate as evaluate_intrinsic
from .intrinsics import is_intrinsic
from .jsonata_query import UNDEFINED, expression_text, is_expression
from .jsonata_query import evaluate as evaluate_jsonata
from .paths import PathNotFoundError, apply_result_path, select
from .templates import resolve
from .variables import assigned_details, check_assignment_sizes, resolve_jsonata

__all__ = [
    "CancelTask",
    "CancelTimer",
    "ExecutionFinished",
    "InvokeTask",
    "StartExecution",
    "StartTimer",
    "StateMachine",
    "StepResult",
    "StopExecution",
    "TaskFailed",
    "TaskHeartbeat",
    "TaskStarted",
    "TaskSubmitted",
    "TaskSucceeded",
    "TimerFired",
    "step",
]

STATE_VERSION = 1
# Backoff grows geometrically; keep it within a year (AWS's MaxDelaySeconds bound) so a
# huge MaxAttempts cannot overflow the clock.
_MAX_RETRY_DELAY = 31_622_400
EXECUTION_TIMER = "execution-timeout"

# --------------------------------------------------------------------------- events in


@dataclass(frozen=True, slots=True)
class StartExecution:
    input: Any
    execution_arn: str
    execution_name: str
    state_machine_arn: str
    state_machine_name: str
    role_arn: str = ""
    start_time: datetime | None = None  # defaults to ``now``
    redrive_count: int = 0


@dataclass(frozen=True, slots=True)
class TaskSucceeded:
    task_id: str
    output: Any


@dataclass(frozen=True, slots=True)
class TaskFailed:
    task_id: str
    error: str | None = None
    cause: str | None = None


@dataclass(frozen=True, slots=True)
class TaskSubmitted:
    """Optional: the submit call of a ``.waitForTaskToken``/``.sync`` task returned."""

    task_id: str
    output: Any


@dataclass(frozen=True, slots=True)
class TaskHeartbeat:
    task_id: str


@dataclass(frozen=True, slots=True)
class TaskStarted:
    """Optional, activities only: a worker took the task (GetActivityTask)."""

    task_id: str
    worker_name: str | None = None


@dataclass(frozen=True, slots=True)
class TimerFired:
    timer_id: str


@dataclass(frozen=True, slots=True)
class StopExecution:
    error: str | None = None
    cause: str | None = None


# --------------------------------------------------------------------------- commands out


@dataclass(frozen=True, slots=True)
class InvokeTask:
    task_id: str  # unique within the execution; report the outcome with this id
    resource: str  # the Task's Resource ARN as written
    input: Any  # resolved Parameters payload (the effective input when no Parameters)
    task_token: str | None  # set for .waitForTaskToken and activities; also in the payload
    state_name: str
    attempt: int  # 1 for the first try, 2 for the first retry, …
    timeout_seconds: int | None
    heartbeat_seconds: int | None
    wait_for_callback: bool
    sync: bool


@dataclass(frozen=True, slots=True)
class StartTimer:
    timer_id: str
    fire_at: datetime


@dataclass(frozen=True, slots=True)
class CancelTimer:
    timer_id: str


@dataclass(frozen=True, slots=True)
class CancelTask:
    """An outstanding task no longer matters (timed out, aborted, execution ended).

    Its late outcome would be ignored anyway; this lets the caller expire its task token
    and withdraw any human task it created.
    """

    task_id: str


@dataclass(frozen=True, slots=True)
class ExecutionFinished:
    status: str  # SUCCEEDED | FAILED | TIMED_OUT | ABORTED
    output: Any = None
    error: str | None = None
    cause: str | None = None


@dataclass(frozen=True, slots=True)
class StepResult:
    state: dict
    events: list[dict]
    commands: list[Any]


# --------------------------------------------------------------------------- entry point


def step(
    machine: StateMachine,
    state: dict | None,
    event: Any,
    now: datetime,
    rng: random.Random,
) -> StepResult:
    """Apply ``event`` to the execution ``state`` (None before StartExecution).

    The given ``state`` is not modified; the returned one is a new dict. An event that
    does not apply (duplicate, stale, unknown id, execution already finished) returns the
    state unchanged with no events and no commands.
    """
    if now.tzinfo is None:
        raise ValueError("step() needs a timezone-aware 'now' (UTC)")
    if isinstance(event, StartExecution):
        if state:
            return StepResult(state, [], [])
        run = _Run(machine, _new_state(machine, event, now), now, rng)
        run.start(event)
        return run.result()
    if not state or state.get("status") != "RUNNING":
        return StepResult(state or {}, [], [])
    run = _Run(machine, _copy_state(state), now, rng)
    try:
        changed = run.apply(event)
    except _HistoryFull:
        run.terminate("FAILED", E.RUNTIME, _HISTORY_CAUSE)
        changed = True
    if not changed:
        return StepResult(state, [], [])
    return run.result()


_HISTORY_CAUSE = f"The execution reached the maximum number of history events ({HISTORY_LIMIT})."


class _HistoryFull(Exception):
    pass


def _copy_state(state: dict) -> dict:
    """Copy what a step may mutate (bookkeeping), share what it never does (data).

    Inputs, outputs, items and the context are JSON data the interpreter treats as
    immutable. Child frames are copied lazily, when the step first touches them
    (``_Run.child``), so a step costs O(frames on its path), not O(state size).
    """
    copy = dict(state)
    copy["tasks"] = dict(state.get("tasks") or {})
    copy["timers"] = dict(state.get("timers") or {})
    if state.get("root") is not None:
        copy["root"] = _copy_frame(state["root"])
    return copy


def _copy_frame(frame: dict) -> dict:
    copy = dict(frame)
    if "retries" in copy:
        copy["retries"] = dict(copy["retries"])
    wait = copy.get("wait")
    if wait:
        wait = copy["wait"] = dict(wait)
        if "children" in wait:
            wait["children"] = dict(wait["children"])  # the frames inside: copy on access
        if "results" in wait:
            wait["results"] = list(wait["results"])
    return copy


def _region(arn: str) -> str:
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 and parts[3] else "us-east-1"


def _new_state(machine: StateMachine, start: StartExecution, now: datetime) -> dict:
    started = start.start_time or now
    return {
        "version": STATE_VERSION,
        "status": "RUNNING",
        "execution_arn": start.execution_arn,
        "region": _region(start.state_machine_arn),
        "context": {
            "Execution": {
                "Id": start.execution_arn,
                "Input": start.input,
                "Name": start.execution_name,
                "RoleArn": start.role_arn,
                "StartTime": format_time(started),
                "RedriveCount": start.redrive_count,
            },
            "StateMachine": {"Id": start.state_machine_arn, "Name": start.state_machine_name},
        },
        "last_event_id": 0,
        "seq": 0,
        "tasks": {},
        "timers": {},
        "root": None,
    }


# --------------------------------------------------------------------------- the run


_TASK_EVENTS = {
    # kind -> (scheduled, started, succeeded, failed, timed out)
    "lambda": (
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionSucceeded",
        "LambdaFunctionFailed",
        "LambdaFunctionTimedOut",
    ),
    "activity": (
        "ActivityScheduled",
        "ActivityStarted",
        "ActivitySucceeded",
        "ActivityFailed",
        "ActivityTimedOut",
    ),
}
_SERVICE_EVENTS = ("TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskFailed", "TaskTimedOut")

_NO_CATCH = (ChoiceState, WaitState, PassState, SucceedState, FailState)
_RETRIABLE = (TaskState, MapState, ParallelState)


class _Run:
    """One ``step`` call: mutates its private copy of the state, collects events/commands."""

    def __init__(self, machine: StateMachine, st: dict, now: datetime, rng: random.Random):
        self.machine = machine
        self.programs = machine.programs
        self.st = st
        self.now = now
        self.now_iso = format_time(now)
        self.rng = rng
        self.events: list[dict] = []
        self.commands: list[Any] = []
        self._json_cache: dict[int, tuple[Any, str]] = {}
        # Frames already private to this step (see _copy_state); the given state keeps
        # the originals alive for the whole call, so ids cannot be reused meanwhile.
        self._owned: set[int] = set()

    def result(self) -> StepResult:
        return StepResult(self.st, self.events, self.commands)

    # ----------------------------------------------------------------- plumbing

    def json(self, value: Any) -> str:
        # A state's output is the next state's input: encode each object once.
        key = id(value)
        hit = self._json_cache.get(key)
        if hit is not None and hit[0] is value:
            return hit[1]
        text = dumps(value)
        self._json_cache[key] = (value, text)
        return text

    def emit(self, frame: dict | None, kind: str, details: dict | None = None) -> int:
        st = self.st
        event_id = st["last_event_id"] + 1
        if event_id >= HISTORY_LIMIT and not kind.startswith("Execution"):
            raise _HistoryFull
        st["last_event_id"] = event_id
        event = {
            "timestamp": self.now,
            "type": kind,
            "id": event_id,
            "previousEventId": frame["prev"] if frame is not None else 0,
        }
        if details is not None:
            event[DETAILS_KEY[kind]] = details
        self.events.append(event)
        if frame is not None:
            frame["prev"] = event_id
        return event_id

    def new_id(self, prefix: str) -> str:
        self.st["seq"] += 1
        return f"{prefix}-{self.st['seq']}"

    def start_timer(self, path: list[int], kind: str, seconds: float, **extra: Any) -> str:
        timer_id = self.new_id("timer")
        self.st["timers"][timer_id] = {"path": path, "kind": kind, **extra}
        self.commands.append(StartTimer(timer_id, self.now + timedelta(seconds=seconds)))
        return timer_id

    def cancel_timer(self, timer_id: str | None) -> None:
        if timer_id and self.st["timers"].pop(timer_id, None) is not None:
            self.commands.append(CancelTimer(timer_id))

    def frame_at(self, path: list[int]) -> dict:
        frame = self.st["root"]
        for index in path:
            frame = self.child(frame["wait"], str(index))
        return frame

    def _frame_or_none(self, path: list[int] | None) -> dict | None:
        if path is None:
            return None
        try:
            return self.frame_at(path)
        except (KeyError, TypeError):  # indexes out of step with frames: treat as stale
            return None

    def child(self, wait: dict, key: str) -> dict:
        """The child frame under ``key``, copied first if this step has not yet done so."""
        frame = wait["children"][key]
        if id(frame) not in self._owned:
            frame = wait["children"][key] = _copy_frame(frame)
            self._owned.add(id(frame))
        return frame

    def state_of(self, frame: dict) -> State:
        return self.programs[frame["prog"]].states[frame["state"]]

    def context(self, frame: dict, task_token: str | None = None) -> dict:
        ctx = self.st["context"]
        state = {"EnteredTime": frame["entered"], "Name": frame["state"]}
        if type(self.state_of(frame)) in _RETRIABLE:
            # AWS keeps a retry counter only for the states that can retry.
            state["RetryCount"] = frame["rc"]
        out = {
            "Execution": ctx["Execution"],
            "State": state,
            "StateMachine": ctx["StateMachine"],
        }
        if task_token is not None:
            out["Task"] = {"Token": task_token}
        return out

    def path_value(self, path: str | None, data: Any, frame: dict, field: str) -> Any:
        """InputPath / OutputPath / ItemsPath …: null gives {}, a miss is States.Runtime."""
        if path == "$":
            return data
        if path is None:
            return {}
        try:
            return select(path, data, self.context(frame), self.vars_of(frame))
        except PathNotFoundError:
            raise StatesError(
                E.RUNTIME,
                f"Invalid path '{path}' : No results for path: {_bracket_path(path)}",
            )

    # ----------------------------------------------------------------- variables and JSONata

    def vars_of(self, frame: dict) -> dict:
        """The variables ``frame``'s states see: its own over those of enclosing frames."""
        child_path = frame.get("path")
        if not child_path:
            return frame.get("vars") or {}
        merged = dict(self.st["root"].get("vars") or {})
        outer = self.st["root"]
        for index in child_path:
            outer = outer["wait"]["children"].get(str(index)) or frame
            merged.update(outer.get("vars") or {})
        return merged

    def states_var(self, frame: dict, ctx: dict, **extra: Any) -> dict:
        """``$states`` for a JSONata state: input, context, and result or errorOutput."""
        return {"input": frame["input"], "context": ctx, **extra}

    def query(self, frame: dict, template: Any, field: str, states: dict) -> Any:
        """Evaluate a JSONata template; an error records EvaluationFailed (as AWS does)."""
        variables = self.vars_of(frame)

        def evaluate(text: str, where: str) -> Any:
            return evaluate_jsonata(
                text, states, variables, field=where, now=self.now, rng=self.rng
            )

        try:
            return resolve_jsonata(template, evaluate, field)
        except StatesError as exc:
            raise self.evaluation_failed(frame, exc, field)

    def query_value(self, frame: dict, value: Any, field: str, states: dict) -> Any:
        """One expression-or-literal field (TimeoutSeconds, Condition …); may be UNDEFINED."""
        if not is_expression(value):
            return value
        try:
            return evaluate_jsonata(
                expression_text(value),
                states,
                self.vars_of(frame),
                field=field,
                now=self.now,
                rng=self.rng,
            )
        except StatesError as exc:
            raise self.evaluation_failed(frame, exc, field)

    def evaluation_failed(self, frame: dict, exc: StatesError, field: str) -> StatesError:
        if exc.error != E.QUERY_EVALUATION_ERROR:
            return exc
        cause = (
            f"An error occurred while executing the state '{frame['state']}' "
            f"(entered at the event id #{frame.get('eid', 0)}). {exc.cause}"
        )
        # AWS names the exact field (``Output/a/b[0]``) and links the event to the one
        # before the state was entered, not to the latest one.
        location = getattr(exc, "location", None) or field
        frame["prev"] = frame.get("eprev", frame["prev"])
        self.emit(
            frame,
            "EvaluationFailed",
            {"error": exc.error, "cause": cause, "location": location, "state": frame["state"]},
        )
        return StatesError(exc.error, cause)

    def typed(self, frame: dict, value: Any, field: str, expected: str) -> Any:
        """Check an expression field's result type (number, integer, string, boolean …)."""
        if value is UNDEFINED:
            problem = "returned nothing (undefined)."
        else:
            ok = {
                "boolean": type(value) is bool,
                "string": type(value) is str,
                "array": type(value) is list,
                "number": type(value) in (int, float),
                "integer": type(value) is int,
            }[expected]
            if ok:
                return value
            problem = (
                f"returned an unexpected result type. Expected '{expected}', but was "
                f"'{_json_kind(value)}' for value: {self.json(value)}"
            )
        raise self.evaluation_failed(
            frame,
            StatesError(
                E.QUERY_EVALUATION_ERROR,
                f"The JSONata expression specified for the field '{field}' {problem}",
            ),
            field,
        )

    def assign(self, frame: dict, block: Any, data: Any, ctx: dict, states: dict | None) -> dict:
        """Evaluate an Assign block; returns {name: value}, committed later by exit()."""
        if block is ABSENT or block is None:
            return {}
        if states is not None:  # JSONata
            assigned = self.query(frame, block, "Assign", states)
        else:
            assigned = resolve(
                block, data, ctx, self.rng, field="Assign", variables=self.vars_of(frame)
            )
        return assigned

    def commit(self, frame: dict, assigned: dict) -> dict | None:
        """Store assigned variables in ``frame``; return the history details for them."""
        if not assigned:
            return None
        texts = check_assignment_sizes(assigned)
        frame["vars"] = {**(frame.get("vars") or {}), **assigned}  # copy: states are shared
        return assigned_details(texts)

    def resolve(self, template: Any, data: Any, ctx: dict, field: str, frame: dict) -> Any:
        return resolve(template, data, ctx, self.rng, field=field, variables=self.vars_of(frame))

    def check_size(self, text: str, what: str, frame: dict) -> None:
        if payload_too_large(text):
            raise StatesError(
                E.DATA_LIMIT_EXCEEDED,
                f"The {what} for the state '{frame['state']}' exceeds the maximum number of "
                f"bytes service limit ({262_144}).",
            )

    # ----------------------------------------------------------------- top level

    def start(self, start: StartExecution) -> None:
        st = self.st
        text = self.json(start.input)
        self.emit(
            None,
            "ExecutionStarted",
            {"input": text, "inputDetails": {"truncated": False}, "roleArn": start.role_arn},
        )
        if payload_too_large(text):
            self.finish_execution(
                "FAILED",
                error=E.DATA_LIMIT_EXCEEDED,
                cause="The execution input exceeds the maximum number of bytes service limit.",
            )
            return
        if self.machine.timeout_seconds:
            st["timers"][EXECUTION_TIMER] = {"path": [], "kind": "execution"}
            self.commands.append(
                StartTimer(
                    EXECUTION_TIMER, self.now + timedelta(seconds=self.machine.timeout_seconds)
                )
            )
        root = {"prog": "", "state": self.machine.start_at, "input": start.input, "prev": 0}
        root["todo"] = "enter"
        st["root"] = root
        try:
            self.drive(root, [])
            self.settle(root, [])
        except _HistoryFull:
            self.terminate("FAILED", E.RUNTIME, _HISTORY_CAUSE)

    def apply(self, event: Any) -> bool:
        st = self.st
        if isinstance(
            event, TaskSucceeded | TaskFailed | TaskSubmitted | TaskHeartbeat | TaskStarted
        ):
            path = st["tasks"].get(event.task_id)
            frame = self._frame_or_none(path)
            if frame is None:
                return False
            wait = frame.get("wait")
            if not wait or wait.get("task_id") != event.task_id:
                return False
            if isinstance(event, TaskHeartbeat):
                return self.heartbeat(frame, path, wait)
            if isinstance(event, TaskStarted):
                return self.activity_started(frame, path, wait, event.worker_name)
            if isinstance(event, TaskSubmitted):
                return self.submitted(frame, wait, event.output)
            if isinstance(event, TaskSucceeded):
                self.task_succeeded(frame, path, wait, event.output)
            else:
                self.task_failed(frame, path, wait, event.error, event.cause)
            self.drive(frame, path)
            self.settle(frame, path)
            return True
        if isinstance(event, TimerFired):
            timer = st["timers"].pop(event.timer_id, None)
            if timer is None:
                return False
            if timer["kind"] == "execution":
                self.terminate("TIMED_OUT", None, None, fired=event.timer_id)
                return True
            path = timer["path"]
            frame = self._frame_or_none(path)
            if frame is None:
                return True  # an orphaned timer: dropping it is the whole change
            self.timer_fired(frame, path, event.timer_id, timer)
            self.drive(frame, path)
            self.settle(frame, path)
            return True
        if isinstance(event, StopExecution):
            self.terminate("ABORTED", event.error, event.cause)
            return True
        raise TypeError(f"unknown event {event!r}")

    def settle(self, frame: dict, path: list[int]) -> None:
        """After ``frame`` ran: bubble finished frames up into their Map/Parallel parents."""
        while "done" in frame:
            if not path:
                done = frame["done"]
                if "output" in done:
                    self.finish_execution("SUCCEEDED", output=done["output"], frame=frame)
                else:
                    self.finish_execution(
                        "FAILED", error=done["error"], cause=done["cause"], frame=frame
                    )
                return
            parent_path = path[:-1]
            parent = self.frame_at(parent_path)
            wait = parent["wait"]
            del wait["children"][str(path[-1])]
            self.child_finished(parent, parent_path, path[-1], frame)
            self.after_children(parent, parent_path)
            self.drive(parent, parent_path)
            frame, path = parent, parent_path

    def finish_execution(
        self,
        status: str,
        output: Any = None,
        error: str | None = None,
        cause: str | None = None,
        frame: dict | None = None,
    ) -> None:
        st = self.st
        self.cancel_timer(EXECUTION_TIMER)
        if status == "SUCCEEDED":
            self.emit(
                frame,
                "ExecutionSucceeded",
                {"output": self.json(output), "outputDetails": {"truncated": False}},
            )
            st["output"] = output
            self.commands.append(ExecutionFinished("SUCCEEDED", output=output))
        else:
            self.emit(frame, "ExecutionFailed", error_details(error, cause))
            st["error"], st["cause"] = error, cause
            self.commands.append(ExecutionFinished("FAILED", error=error, cause=cause))
        st["status"] = status
        st["root"] = None

    def terminate(
        self, status: str, error: str | None, cause: str | None, fired: str | None = None
    ) -> None:
        """Time out, abort or fail the whole execution: cancel everything outstanding."""
        st = self.st
        # Work issued earlier in this same step is withdrawn rather than cancelled.
        fresh = {c.timer_id for c in self.commands if isinstance(c, StartTimer)}
        fresh |= {c.task_id for c in self.commands if isinstance(c, InvokeTask)}
        self.commands = [c for c in self.commands if not isinstance(c, InvokeTask | StartTimer)]
        for timer_id in list(st["timers"]):
            if timer_id != fired and timer_id not in fresh:
                self.commands.append(CancelTimer(timer_id))
        for task_id in list(st["tasks"]):
            if task_id not in fresh:
                self.commands.append(CancelTask(task_id))
        st["timers"], st["tasks"] = {}, {}
        root = st.get("root")
        frame = {"prev": _last_prev(root)} if root else None
        if status == "TIMED_OUT":
            self.emit(frame, "ExecutionTimedOut", error_details(error, cause))
        elif status == "ABORTED":
            self.emit(frame, "ExecutionAborted", error_details(error, cause))
        else:
            self.emit(frame, "ExecutionFailed", error_details(error, cause))
        st["status"] = status
        st["error"], st["cause"] = error, cause
        st["root"] = None
        self.commands.append(ExecutionFinished(status, error=error, cause=cause))

    # ----------------------------------------------------------------- running frames

    def drive(self, frame: dict, path: list[int]) -> None:
        """Run ``frame`` until it blocks or finishes."""
        while True:
            todo = frame.pop("todo", None)
            if todo is None:
                return
            if todo == "enter":
                self.enter(frame, path)
            else:  # "run": retry the current state without a new Entered event
                self.run_state(frame, path, self.state_of(frame))

    def enter(self, frame: dict, path: list[int]) -> None:
        state = self.state_of(frame)
        frame["entered"] = self.now_iso
        frame["rc"] = 0
        frame.pop("retries", None)
        frame["eprev"] = frame["prev"]
        frame["eid"] = self.emit(
            frame,
            state.type + "StateEntered",
            {
                "name": state.name,
                "input": self.json(frame["input"]),
                "inputDetails": {"truncated": False},
            },
        )
        self.run_state(frame, path, state)

    def run_state(self, frame: dict, path: list[int], state: State) -> None:
        try:
            kind = type(state)
            if kind is PassState:
                self.run_pass(frame, state)
            elif kind is TaskState:
                self.run_task(frame, path, state)
            elif kind is ChoiceState:
                self.run_choice(frame, state)
            elif kind is WaitState:
                self.run_wait(frame, path, state)
            elif kind is SucceedState:
                self.run_succeed(frame, state)
            elif kind is FailState:
                self.run_fail(frame, state)
            elif kind is ParallelState:
                self.run_parallel(frame, path, state)
            elif kind is MapState:
                self.run_map(frame, path, state)
        except StatesError as exc:
            self.fail(frame, path, state, exc.error, exc.cause)

    def exit(
        self,
        frame: dict,
        state: State,
        output: Any,
        assigned: dict | None = None,
        next_state: Any = ABSENT,
    ) -> None:
        """Leave ``state`` with ``output`` and its assignments: go to Next, or finish."""
        text = self.json(output)
        self.check_size(text, "output", frame)
        variables = self.commit(frame, assigned) if assigned else None
        details: dict[str, Any] = {"name": state.name}
        if variables:
            details.update(variables)
        details["output"] = text
        details["outputDetails"] = {"truncated": False}
        self.emit(frame, state.type + "StateExited", details)
        self.goto(frame, state.next if next_state is ABSENT else next_state, output)

    def goto(self, frame: dict, next_state: str | None, output: Any) -> None:
        frame["wait"] = None
        if next_state is None:
            frame["done"] = {"output": output}
        else:
            frame["state"] = next_state
            frame["input"] = output
            frame["todo"] = "enter"

    # ----------------------------------------------------------------- errors

    def fail(
        self,
        frame: dict,
        path: list[int],
        state: State,
        error: str,
        cause: str | None,
        failed_event: str | None = None,
    ) -> None:
        """Apply Retry, then Catch, to a state failure; else fail the frame."""
        frame["wait"] = None
        if not isinstance(state, _NO_CATCH) and error != E.RUNTIME:
            # A failure coming out of a branch/iteration also answers to States.BranchFailed.
            from_branch = failed_event is not None
            if self.retry(frame, path, state, error, from_branch):
                return
            if failed_event:
                self.emit(frame, failed_event)
            for catcher in state.catch:
                if _matches(catcher.error_equals, error, from_branch):
                    payload = (
                        {"Error": error} if cause is None else {"Error": error, "Cause": cause}
                    )
                    try:
                        output, assigned = self.caught(frame, state, catcher, payload)
                        self.exit(frame, state, output, assigned, next_state=catcher.next)
                    except StatesError as exc:
                        error, cause = exc.error, exc.cause
                        break
                    return
        elif failed_event:
            self.emit(frame, failed_event)
        frame["done"] = {"error": error, "cause": cause}

    def retry(
        self, frame: dict, path: list[int], state: State, error: str, from_branch: bool = False
    ) -> bool:
        for index, retrier in enumerate(state.retry):
            if not _matches(retrier.error_equals, error, from_branch):
                continue
            counts = frame.setdefault("retries", {})
            attempts = counts.get(str(index), 0)
            if attempts >= retrier.max_attempts:
                return False
            try:
                delay = retrier.interval_seconds * retrier.backoff_rate**attempts
            except OverflowError:
                delay = _MAX_RETRY_DELAY
            delay = min(delay, _MAX_RETRY_DELAY)
            if retrier.max_delay_seconds is not None:
                delay = min(delay, retrier.max_delay_seconds)
            if retrier.jitter_strategy == "FULL":
                delay = self.rng.random() * delay
            counts[str(index)] = attempts + 1
            frame["rc"] += 1
            if delay > 0:
                timer_id = self.start_timer(path, "retry", delay)
                frame["wait"] = {"kind": "retry", "timer_id": timer_id}
            else:
                frame["todo"] = "run"
            return True
        return False

    # ----------------------------------------------------------------- simple states

    def caught(self, frame: dict, state: State, catcher: Any, payload: dict) -> tuple[Any, dict]:
        """A catcher's output and assignments for the error output ``payload``."""
        ctx = self.context(frame)
        if state.language == "JSONata":
            states = self.states_var(frame, ctx, errorOutput=payload)
            assigned = self.assign(frame, catcher.assign, None, ctx, states)
            if catcher.output is ABSENT:
                return payload, assigned
            return self.query(frame, catcher.output, "Output", states), assigned
        assigned = self.assign(frame, catcher.assign, payload, ctx, None)
        return apply_result_path(frame["input"], catcher.result_path, payload), assigned

    def finish_jsonata(self, frame: dict, state: State, states: dict, default: Any) -> None:
        """A JSONata state's end: Assign and Output (both see the old variables), then exit."""
        assigned = self.assign(frame, state.assign, None, states["context"], states)
        output = default
        if state.output is not ABSENT:
            output = self.query(frame, state.output, "Output", states)
        self.exit(frame, state, output, assigned)

    def run_pass(self, frame: dict, state: PassState) -> None:
        raw = frame["input"]
        if state.language == "JSONata":
            states = self.states_var(frame, self.context(frame), result=raw)
            self.finish_jsonata(frame, state, states, raw)
            return
        data = self.path_value(state.input_path, raw, frame, "InputPath")
        ctx = self.context(frame)
        if state.parameters is not ABSENT:
            result = self.resolve(state.parameters, data, ctx, "Parameters", frame)
        elif state.result is not ABSENT:
            result = state.result
        else:
            result = data
        assigned = self.assign(frame, state.assign, result, ctx, None)
        output = apply_result_path(raw, state.result_path, result)
        output = self.path_value(state.output_path, output, frame, "OutputPath")
        self.exit(frame, state, output, assigned)

    def run_succeed(self, frame: dict, state: SucceedState) -> None:
        raw = frame["input"]
        if state.language == "JSONata":
            states = self.states_var(frame, self.context(frame))
            self.finish_jsonata(frame, state, states, raw)
            return
        data = self.path_value(state.input_path, raw, frame, "InputPath")
        self.exit(frame, state, self.path_value(state.output_path, data, frame, "OutputPath"))

    def run_choice(self, frame: dict, state: ChoiceState) -> None:
        raw = frame["input"]
        ctx = self.context(frame)
        if state.language == "JSONata":
            self.run_choice_jsonata(frame, state, ctx)
            return
        data = self.path_value(state.input_path, raw, frame, "InputPath")
        variables = self.vars_of(frame)
        target, block = state.default, state.assign
        for rule in state.choices:
            if rule.matches(data, ctx, variables):
                target, block = rule.next, rule.assign
                break
        self._no_match(state, target)
        assigned = self.assign(frame, block, data, ctx, None)
        output = self.path_value(state.output_path, data, frame, "OutputPath")
        self.exit(frame, state, output, assigned, next_state=target)

    def run_choice_jsonata(self, frame: dict, state: ChoiceState, ctx: dict) -> None:
        states = self.states_var(frame, ctx)
        target, assign, output = state.default, state.assign, state.output
        prefix = "Output"
        for index, rule in enumerate(state.choices):
            field = f"Choices[{index}]/Condition"
            matched = self.query_value(frame, rule.condition, field, states)
            if self.typed(frame, matched, field, "boolean"):
                target = rule.next
                assign = ABSENT if rule.assign is None else rule.assign
                output = ABSENT if rule.output is None else rule.output
                prefix = f"Choices[{index}]/Output"
                break
        self._no_match(state, target)
        assigned = self.assign(frame, assign, None, ctx, states)
        result = frame["input"]
        if output is not ABSENT:
            result = self.query(frame, output, prefix, states)
        self.exit(frame, state, result, assigned, next_state=target)

    def _no_match(self, state: ChoiceState, target: str | None) -> None:
        if target is None:
            raise StatesError(
                E.NO_CHOICE_MATCHED,
                f"No Choice rule of state '{state.name}' matched and it has no Default.",
            )

    def run_wait(self, frame: dict, path: list[int], state: WaitState) -> None:
        raw = frame["input"]
        ctx = self.context(frame)
        if state.language == "JSONata":
            states = self.states_var(frame, ctx)
            if state.seconds is not None:
                value = self.query_value(frame, state.seconds, "Seconds", states)
                seconds = float(self.typed(frame, value, "Seconds", "integer"))
            else:
                stamp = self.query_value(frame, state.timestamp, "Timestamp", states)
                seconds = self._until(self.typed(frame, stamp, "Timestamp", "string"))
            assigned = self.assign(frame, state.assign, None, ctx, states)
            output = raw
            if state.output is not ABSENT:
                output = self.query(frame, state.output, "Output", states)
            self._wait(frame, path, state, seconds, output, assigned)
            return
        data = self.path_value(state.input_path, raw, frame, "InputPath")
        if state.seconds is not None:
            seconds = float(state.seconds)
        elif state.seconds_path is not None:
            value = self.path_value(state.seconds_path, data, frame, "SecondsPath")
            if type(value) not in (int, float) or value < 0:
                raise StatesError(
                    E.RUNTIME,
                    f"The SecondsPath parameter does not reference a valid integer value: {value!r}",
                )
            seconds = float(value)
        else:
            stamp = state.timestamp
            if stamp is None:
                stamp = self.path_value(state.timestamp_path, data, frame, "TimestampPath")
            seconds = self._until(stamp)
        assigned = self.assign(frame, state.assign, data, ctx, None)
        output = self.path_value(state.output_path, data, frame, "OutputPath")
        self._wait(frame, path, state, seconds, output, assigned)

    def _until(self, stamp: Any) -> float:
        when = parse_timestamp(stamp)
        if when is None:
            raise StatesError(
                E.RUNTIME,
                f"The TimestampPath parameter does not reference a valid ISO-8601 "
                f"extended offset date-time format string: {stamp!r}",
            )
        return (when - self.now).total_seconds()

    def _wait(
        self, frame: dict, path: list[int], state: WaitState, seconds: float, output, assigned
    ) -> None:
        if seconds <= 0:
            self.exit(frame, state, output, assigned)
            return
        timer_id = self.start_timer(path, "wait", seconds)
        frame["wait"] = {"kind": "wait", "timer_id": timer_id, "output": output}
        if assigned:
            frame["wait"]["assigned"] = assigned

    def run_fail(self, frame: dict, state: FailState) -> None:
        raw = frame["input"]
        error, cause = state.error, state.cause
        if state.language == "JSONata":
            states = self.states_var(frame, self.context(frame))
            if error is not None:
                value = self.query_value(frame, error, "Error", states)
                error = self.typed(frame, value, "Error", "string")
            if cause is not None:
                value = self.query_value(frame, cause, "Cause", states)
                cause = self.typed(frame, value, "Cause", "string")
        if state.error_path is not None:
            error = self._fail_field(state.error_path, raw, frame, "ErrorPath")
        if state.cause_path is not None:
            cause = self._fail_field(state.cause_path, raw, frame, "CausePath")
        frame["wait"] = None
        frame["done"] = {"error": error, "cause": cause}

    def _fail_field(self, path: str, raw: Any, frame: dict, field: str) -> str:
        # ErrorPath / CausePath take a reference path or an intrinsic function.
        variables = self.vars_of(frame)
        if is_intrinsic(path):
            value = evaluate_intrinsic(
                path, raw, self.context(frame), self.rng, field=field, variables=variables
            )
        else:
            try:
                value = select(path, raw, self.context(frame), variables)
            except PathNotFoundError:
                raise StatesError(E.RUNTIME, f"Invalid path '{path}' in {field}: no results")
        if type(value) is not str:
            raise StatesError(E.RUNTIME, f"The {field} '{path}' must reference a string")
        return value

    # ----------------------------------------------------------------- tasks

    def run_task(self, frame: dict, path: list[int], state: TaskState) -> None:
        raw = frame["input"]
        res = state.resource
        token = _new_token(self.rng) if res.wait_for_callback else None
        ctx = self.context(frame, token)
        if state.language == "JSONata":
            states = self.states_var(frame, ctx)
            payload = raw
            if state.arguments is not ABSENT:
                payload = self.query(frame, state.arguments, "Arguments", states)
            timeout = self._query_seconds(frame, state.timeout_seconds, "TimeoutSeconds", states)
            heartbeat = self._query_seconds(
                frame, state.heartbeat_seconds, "HeartbeatSeconds", states
            )
        else:
            data = self.path_value(state.input_path, raw, frame, "InputPath")
            if state.parameters is not ABSENT:
                payload = self.resolve(state.parameters, data, ctx, "Parameters", frame)
            else:
                payload = data
            timeout = self._seconds(state.timeout_seconds, state.timeout_seconds_path, data, frame)
            heartbeat = self._seconds(
                state.heartbeat_seconds, state.heartbeat_seconds_path, data, frame
            )
        text = self.json(payload)
        self.check_size(text, "input", frame)
        task_id = self.new_id("task")
        scheduled, started = _TASK_EVENTS.get(res.kind, _SERVICE_EVENTS)[:2]
        if res.kind == "lambda" or res.kind == "activity":
            details: dict[str, Any] = {
                "resource": res.arn,
                "input": text,
                "inputDetails": {"truncated": False},
            }
            if timeout is not None:
                details["timeoutInSeconds"] = timeout
            if heartbeat is not None and res.kind == "activity":
                details["heartbeatInSeconds"] = heartbeat
        else:
            details = {
                "resourceType": res.resource_type,
                "resource": res.resource,
                "region": self.st["region"],
                "parameters": text,
            }
            if timeout is not None:
                details["timeoutInSeconds"] = timeout
            if heartbeat is not None:
                details["heartbeatInSeconds"] = heartbeat
        self.emit(frame, scheduled, details)
        if res.kind == "lambda":
            self.emit(frame, started)
        elif res.kind == "activity":
            pass  # ActivityStarted comes with the TaskStarted event (a worker took it)
        else:
            self.emit(frame, started, {"resourceType": res.resource_type, "resource": res.resource})
        wait: dict[str, Any] = {"kind": "task", "task_id": task_id}
        if timeout is not None:
            wait["timeout_timer"] = self.start_timer(path, "timeout", timeout, task_id=task_id)
        if heartbeat is not None:
            wait["heartbeat"] = heartbeat
            wait["heartbeat_timer"] = self.start_timer(
                path, "heartbeat", heartbeat, task_id=task_id
            )
        frame["wait"] = wait
        self.st["tasks"][task_id] = path
        self.commands.append(
            InvokeTask(
                task_id=task_id,
                resource=res.arn,
                input=payload,
                task_token=token,
                state_name=state.name,
                attempt=frame["rc"] + 1,
                timeout_seconds=timeout,
                heartbeat_seconds=heartbeat,
                wait_for_callback=res.wait_for_callback,
                sync=res.sync,
            )
        )

    def _query_seconds(self, frame: dict, value: Any, field: str, states: dict) -> int | None:
        if value is None:
            return None
        seconds = self.typed(frame, self.query_value(frame, value, field, states), field, "integer")
        if seconds <= 0:
            raise self.evaluation_failed(
                frame,
                StatesError(
                    E.QUERY_EVALUATION_ERROR,
                    f"The value of the field '{field}' must be a positive integer, got {seconds}",
                ),
                field,
            )
        return seconds

    def _seconds(self, fixed: int | None, path: str | None, data: Any, frame: dict) -> int | None:
        if path is None:
            return fixed
        value = self.path_value(path, data, frame, "TimeoutSecondsPath")
        if type(value) is not int or value <= 0:
            raise StatesError(
                E.RUNTIME, f"The value at '{path}' must be a positive integer, got {value!r}"
            )
        return value

    def _end_task(self, wait: dict, cancel: bool = False) -> None:
        self.st["tasks"].pop(wait["task_id"], None)
        if cancel:  # the task's outcome no longer matters: let the caller drop it
            self.commands.append(CancelTask(wait["task_id"]))
        self.cancel_timer(wait.get("timeout_timer"))
        self.cancel_timer(wait.get("heartbeat_timer"))

    def _task_details(self, state: TaskState, extra: dict) -> dict:
        res = state.resource
        if res.kind == "lambda" or res.kind == "activity":
            return extra
        return {"resourceType": res.resource_type, "resource": res.resource, **extra}

    def task_succeeded(self, frame: dict, path: list[int], wait: dict, output: Any) -> None:
        state = self.state_of(frame)
        self._end_task(wait)
        text = self.json(output)
        kind = _TASK_EVENTS.get(state.resource.kind, _SERVICE_EVENTS)[2]
        self.emit(
            frame,
            kind,
            self._task_details(state, {"output": text, "outputDetails": {"truncated": False}}),
        )
        try:
            self.check_size(text, "result", frame)
            self.finish_result(frame, state, output)
        except StatesError as exc:
            self.fail(frame, path, state, exc.error, exc.cause)

    def finish_result(self, frame: dict, state: State, result: Any) -> None:
        """Task, Map and Parallel: from the raw result to the state's output and exit."""
        ctx = self.context(frame)
        if state.language == "JSONata":
            self.finish_jsonata(frame, state, self.states_var(frame, ctx, result=result), result)
            return
        assigned = self.assign(frame, state.assign, result, ctx, None)  # sees the raw result
        if state.result_selector is not ABSENT:
            result = self.resolve(state.result_selector, result, ctx, "ResultSelector", frame)
        combined = apply_result_path(frame["input"], state.result_path, result)
        output = self.path_value(state.output_path, combined, frame, "OutputPath")
        self.exit(frame, state, output, assigned)

    def task_failed(
        self, frame: dict, path: list[int], wait: dict, error: str | None, cause: str | None
    ) -> None:
        state = self.state_of(frame)
        self._end_task(wait)
        error = error or E.TASK_FAILED  # AWS reports States.TaskFailed for an unnamed failure
        kind = _TASK_EVENTS.get(state.resource.kind, _SERVICE_EVENTS)[3]
        self.emit(frame, kind, self._task_details(state, error_details(error, cause)))
        self.fail(frame, path, state, error, cause)

    def submitted(self, frame: dict, wait: dict, output: Any) -> bool:
        state = self.state_of(frame)
        if state.resource.kind != "service" or wait.get("submitted"):
            return False
        wait["submitted"] = True
        self.emit(
            frame,
            "TaskSubmitted",
            self._task_details(
                state, {"output": self.json(output), "outputDetails": {"truncated": False}}
            ),
        )
        return True

    def activity_started(
        self, frame: dict, path: list[int], wait: dict, worker_name: str | None
    ) -> bool:
        if self.state_of(frame).resource.kind != "activity" or wait.get("started"):
            return False
        wait["started"] = True
        details = {"workerName": worker_name} if worker_name is not None else None
        self.emit(frame, "ActivityStarted", details)
        self.heartbeat(frame, path, wait)  # the heartbeat clock runs from the pick-up
        return True

    def heartbeat(self, frame: dict, path: list[int], wait: dict) -> bool:
        seconds = wait.get("heartbeat")
        if seconds is None:
            return False
        self.cancel_timer(wait.get("heartbeat_timer"))
        wait["heartbeat_timer"] = self.start_timer(
            path, "heartbeat", seconds, task_id=wait["task_id"]
        )
        return True

    def timer_fired(self, frame: dict, path: list[int], timer_id: str, timer: dict) -> None:
        wait = frame.get("wait") or {}
        kind = timer["kind"]
        if kind == "wait" and wait.get("timer_id") == timer_id:
            state = self.state_of(frame)
            try:
                self.exit(frame, state, wait["output"], wait.get("assigned"))
            except StatesError as exc:
                self.fail(frame, path, state, exc.error, exc.cause)
        elif kind == "retry" and wait.get("timer_id") == timer_id:
            frame["wait"] = None
            frame["todo"] = "run"
        elif kind in ("timeout", "heartbeat") and wait.get("task_id") == timer.get("task_id"):
            state = self.state_of(frame)
            self._end_task(wait, cancel=True)
            event = _TASK_EVENTS.get(state.resource.kind, _SERVICE_EVENTS)[4]
            self.emit(frame, event, self._task_details(state, {"error": E.TIMEOUT}))
            self.fail(frame, path, state, E.TIMEOUT, None)

    # ----------------------------------------------------------------- Parallel and Map

    def run_parallel(self, frame: dict, path: list[int], state: ParallelState) -> None:
        if state.language == "JSONata":
            data = frame["input"]
            if state.arguments is not ABSENT:
                states = self.states_var(frame, self.context(frame))
                data = self.query(frame, state.arguments, "Arguments", states)
        else:
            data = self.path_value(state.input_path, frame["input"], frame, "InputPath")
            if state.parameters is not ABSENT:
                data = self.resolve(
                    state.parameters, data, self.context(frame), "Parameters", frame
                )
        self.emit(frame, "ParallelStateStarted")
        total = len(state.branches)
        frame["wait"] = {
            "kind": "parallel",
            "children": {},
            "results": [None] * total,
            "launched": 0,
            "total": total,
            "items": None,
            "branch_input": data,
            "failed": 0,
            "tolerated": [0, None],
        }
        self.launch_children(frame, path, state)
        self.after_children(frame, path)

    def run_map(self, frame: dict, path: list[int], state: MapState) -> None:
        if state.item_reader is not ABSENT:
            raise StatesError(E.ITEM_READER_FAILED, "ItemReader is not supported by this engine")
        if state.language == "JSONata":
            data = frame["input"]
            items, max_concurrency, tolerated_count, tolerated_pct, inputs = self._map_jsonata(
                frame, state
            )
            ctx = self.context(frame)
        else:
            data = self.path_value(state.input_path, frame["input"], frame, "InputPath")
            items = self.path_value(state.items_path, data, frame, "ItemsPath")
            if type(items) is not list:
                raise StatesError(
                    E.RUNTIME,
                    f"Invalid path '{state.items_path}': The Map state's ItemsPath must "
                    f"reference a JSON array, got {self.json(items)[:200]}",
                )
            max_concurrency = state.max_concurrency
            if state.max_concurrency_path is not None:
                max_concurrency = self._count(state.max_concurrency_path, data, frame)
            tolerated_count = state.tolerated_failure_count
            if state.tolerated_failure_count_path is not None:
                tolerated_count = self._count(state.tolerated_failure_count_path, data, frame)
            tolerated_pct = state.tolerated_failure_percentage
            if state.tolerated_failure_percentage_path is not None:
                tolerated_pct = self._number(state.tolerated_failure_percentage_path, data, frame)
            ctx = self.context(frame)
            if state.item_selector is not ABSENT:
                inputs = []
                for index, item in enumerate(items):
                    ctx["Map"] = {"Item": {"Index": index, "Value": item}}
                    inputs.append(
                        self.resolve(state.item_selector, data, ctx, "ItemSelector", frame)
                    )
            else:
                inputs = items
        if state.item_batcher is not ABSENT:
            inputs = self._batches(state.item_batcher, inputs, data, frame, ctx)
        total = len(inputs)
        self.emit(frame, "MapStateStarted", {"length": total})
        if tolerated_count is None and tolerated_pct is None:
            tolerated = [0, None]
        else:
            tolerated = [tolerated_count, tolerated_pct]
        frame["wait"] = {
            "kind": "map",
            "children": {},
            "results": [None] * total,
            "launched": 0,
            "total": total,
            "items": inputs,
            "max": max_concurrency or 0,
            "failed": 0,
            "tolerated": tolerated,
        }
        self.launch_children(frame, path, state)
        self.after_children(frame, path)

    def _map_jsonata(self, frame: dict, state: MapState) -> tuple:
        """Items, MaxConcurrency, tolerated failures and the iteration inputs of a JSONata Map."""
        ctx = self.context(frame)
        states = self.states_var(frame, ctx)
        items = frame["input"]
        if state.items is not ABSENT:
            items = self.query(frame, state.items, "Items", states)
        self.typed(frame, items, "Items", "array")
        counts = []
        for value, field, kind in (
            (state.max_concurrency, "MaxConcurrency", "integer"),
            (state.tolerated_failure_count, "ToleratedFailureCount", "integer"),
            (state.tolerated_failure_percentage, "ToleratedFailurePercentage", "number"),
        ):
            if is_expression(value):
                value = self.typed(
                    frame, self.query_value(frame, value, field, states), field, kind
                )
                if value < 0 or (kind == "number" and value > 100):
                    raise self.evaluation_failed(
                        frame,
                        StatesError(
                            E.QUERY_EVALUATION_ERROR,
                            f"The value of the field '{field}' is out of range: {value}",
                        ),
                        field,
                    )
            counts.append(value)
        inputs = items
        if state.item_selector is not ABSENT:
            inputs = []
            for index, item in enumerate(items):
                item_ctx = {**ctx, "Map": {"Item": {"Index": index, "Value": item}}}
                item_states = self.states_var(frame, item_ctx)
                inputs.append(self.query(frame, state.item_selector, "ItemSelector", item_states))
        return items, counts[0], counts[1], counts[2], inputs

    def _count(self, path: str, data: Any, frame: dict) -> int:
        value = self.path_value(path, data, frame, path)
        if type(value) is not int or value < 0:
            raise StatesError(E.RUNTIME, f"The value at '{path}' must be a non-negative integer")
        return value

    def _number(self, path: str, data: Any, frame: dict) -> float:
        value = self.path_value(path, data, frame, path)
        if type(value) not in (int, float) or not 0 <= value <= 100:
            raise StatesError(E.RUNTIME, f"The value at '{path}' must be a number from 0 to 100")
        return value

    def _batches(self, batcher: dict, inputs: list, data: Any, frame: dict, ctx: dict) -> list:
        max_items = batcher.get("MaxItemsPerBatch")
        if "MaxItemsPerBatchPath" in batcher:
            max_items = self._count(batcher["MaxItemsPerBatchPath"], data, frame)
        max_bytes = batcher.get("MaxInputBytesPerBatch")
        if "MaxInputBytesPerBatchPath" in batcher:
            max_bytes = self._count(batcher["MaxInputBytesPerBatchPath"], data, frame)
        batch_input = batcher.get("BatchInput", ABSENT)
        if batch_input is not ABSENT:
            batch_input = self.resolve(batch_input, data, ctx, "BatchInput", frame)
        batches: list[list] = []
        current: list = []
        size = 0
        for item in inputs:
            item_size = len(self.json(item).encode())
            full = (max_items and len(current) >= max_items) or (
                max_bytes and current and size + item_size > max_bytes
            )
            if full:
                batches.append(current)
                current, size = [], 0
            current.append(item)
            size += item_size
        if current:
            batches.append(current)
        if batch_input is ABSENT:
            return [{"Items": batch} for batch in batches]
        return [{"BatchInput": batch_input, "Items": batch} for batch in batches]

    def launch_children(self, frame: dict, path: list[int], state: State) -> None:
        wait = frame["wait"]
        is_map = wait["kind"] == "map"
        limit = wait.get("max") or 0
        while wait["launched"] < wait["total"] and "error" not in wait:
            if limit and len(wait["children"]) >= limit:
                return
            index = wait["launched"]
            wait["launched"] = index + 1
            if is_map:
                program = state.processor
                child_input = wait["items"][index]
            else:
                program = state.branches[index]
                child_input = wait["branch_input"]
            child_path = [*path, index]
            child = {
                "prog": program.id,
                "state": program.start_at,
                "input": child_input,
                "prev": frame["prev"],
                "index": index,
                "path": child_path,  # how vars_of() finds the enclosing frames' variables
            }
            self._owned.add(id(child))
            wait["children"][str(index)] = child
            if is_map:
                self.emit(child, "MapIterationStarted", {"index": index, "name": state.name})
            child["todo"] = "enter"
            self.drive(child, child_path)
            if "done" in child:
                del wait["children"][str(index)]
                self.child_finished(frame, path, index, child)

    def child_finished(self, frame: dict, path: list[int], index: int, child: dict) -> None:
        state = self.state_of(frame)
        wait = frame["wait"]
        done = child["done"]
        is_map = wait["kind"] == "map"
        frame["prev"] = child["prev"]
        if "output" in done:
            wait["results"][index] = done["output"]
            if is_map:
                self.emit(frame, "MapIterationSucceeded", {"index": index, "name": state.name})
            return
        if is_map:
            self.emit(frame, "MapIterationFailed", {"index": index, "name": state.name})
        wait["failed"] += 1
        wait["results"][index] = _error_output(done["error"], done["cause"])
        tolerated_count, tolerated_pct = wait["tolerated"]
        exceeded = (tolerated_count is not None and wait["failed"] > tolerated_count) or (
            tolerated_pct is not None and wait["failed"] * 100 > tolerated_pct * wait["total"]
        )
        if not exceeded or "error" in wait:
            return
        if tolerated_count == 0 and tolerated_pct is None:
            wait["error"], wait["cause"] = done["error"], done["cause"]
        else:
            wait["error"] = E.EXCEED_TOLERATED_FAILURE_THRESHOLD
            wait["cause"] = "The specified tolerated failure threshold was exceeded"
        for key in sorted(wait["children"], key=int):
            self.abort_frame(self.child(wait, key), is_map, state.name)
        wait["children"] = {}

    def abort_frame(self, frame: dict, is_iteration: bool, map_name: str) -> None:
        """Abort a running branch or iteration: drop its tasks and timers, record it."""
        wait = frame.get("wait") or {}
        state = self.state_of(frame)
        kind = wait.get("kind")
        if kind == "task":
            self._end_task(wait, cancel=True)
        elif kind in ("wait", "retry"):
            self.cancel_timer(wait.get("timer_id"))
        elif kind in ("map", "parallel"):
            for key in sorted(wait["children"], key=int):
                self.abort_frame(self.child(wait, key), kind == "map", state.name)
            wait["children"] = {}
        self.emit(frame, state.type + "StateAborted")
        if is_iteration:
            self.emit(frame, "MapIterationAborted", {"index": frame["index"], "name": map_name})
        frame["wait"] = None

    def after_children(self, frame: dict, path: list[int]) -> None:
        wait = frame["wait"]
        if wait is None or wait["kind"] not in ("map", "parallel"):
            return
        state = self.state_of(frame)
        if "error" not in wait:
            self.launch_children(frame, path, state)
        if wait["children"] or (wait["launched"] < wait["total"] and "error" not in wait):
            return  # still running
        kind = "MapState" if wait["kind"] == "map" else "ParallelState"
        if "error" in wait:
            self.fail(
                frame, path, state, wait["error"], wait["cause"], failed_event=kind + "Failed"
            )
            return
        self.emit(frame, kind + "Succeeded")
        results = wait["results"]
        frame["wait"] = None
        try:
            self.finish_result(frame, state, results)
        except StatesError as exc:
            self.fail(frame, path, state, exc.error, exc.cause)


# --------------------------------------------------------------------------- helpers


def _matches(names: tuple[str, ...], error: str, from_branch: bool = False) -> bool:
    """AWS's ErrorEquals rules for Retry and Catch.

    A Parallel/Map failure keeps the failing branch's own error name (as AWS reports
    it); ``States.BranchFailed`` additionally matches any such branch failure.
    """
    for name in names:
        if name == E.BRANCH_FAILED and from_branch and error not in E.TERMINAL_ERRORS:
            return True
        if name == error:
            return True
        if name == E.ALL and error not in E.TERMINAL_ERRORS:
            return True
        if name == E.TASK_FAILED and error not in _NOT_TASK_FAILED:
            return True
    return False


# States.TaskFailed is a wildcard for task errors, but not for timeouts or terminal errors.
_NOT_TASK_FAILED = frozenset({E.TIMEOUT, E.HEARTBEAT_TIMEOUT, *E.TERMINAL_ERRORS})


def _error_output(error: str, cause: str | None) -> dict:
    return {"Error": error} if cause is None else {"Error": error, "Cause": cause}


def _new_token(rng: random.Random) -> str:
    # 48 random bytes from the injected rng: pass random.SystemRandom() in production.
    return base64.urlsafe_b64encode(rng.getrandbits(384).to_bytes(48, "big")).decode()


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if type(value) is bool:
        return "boolean"
    if type(value) in (int, float):
        return "number"
    if type(value) is str:
        return "string"
    return "array" if type(value) is list else "object"


def _last_prev(frame: dict) -> int:
    return frame.get("prev", 0) if frame else 0


def _bracket_path(path: str) -> str:
    # "$.a.b" -> "$['a']['b']", the form AWS prints in InputPath/OutputPath failures.
    if not path.startswith("$.") or any(c in path for c in "[]*?@()"):
        return path
    return "$" + "".join(f"['{part}']" for part in path[2:].split("."))
