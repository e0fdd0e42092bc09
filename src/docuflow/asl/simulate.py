"""Drive :func:`~docuflow.asl.interpreter.step` to the end on a simulated clock.

The smallest possible imperative shell: InvokeTask commands go to a ``handler`` that
answers at once (or not at all), timers fire by jumping the clock forward. Used by the
local runner, the tests and the benchmark; the durable engine does the same with a
database and real time.
"""

from __future__ import annotations

import heapq
import random
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .definition import StateMachine
from .interpreter import (
    CancelTimer,
    ExecutionFinished,
    InvokeTask,
    StartExecution,
    StartTimer,
    TimerFired,
    step,
)

__all__ = ["Simulation", "simulate"]

Handler = Callable[[InvokeTask], Any]  # returns an event, a list of events, or None


@dataclass
class Simulation:
    status: str  # SUCCEEDED | FAILED | TIMED_OUT | ABORTED | RUNNING (nothing left to do)
    output: Any = None
    error: str | None = None
    cause: str | None = None
    history: list[dict] = field(default_factory=list)
    state: dict = field(default_factory=dict)
    invoked: list[InvokeTask] = field(default_factory=list)
    clock: datetime | None = None

    @property
    def event_types(self) -> list[str]:
        return [event["type"] for event in self.history]


def simulate(
    machine: StateMachine,
    execution_input: Any,
    handler: Handler | None = None,
    *,
    name: str = "StateMachine",
    execution_name: str = "simulation",
    start: datetime | None = None,
    rng: random.Random | None = None,
    region: str = "us-east-1",
    account: str = "123456789012",
    extra_events: Iterable[tuple[datetime, Any]] = (),
) -> Simulation:
    """Run one execution until it ends or nothing more can happen.

    ``extra_events`` are ``(when, event)`` pairs delivered when the clock reaches
    ``when`` (e.g. a StopExecution or a late TaskSucceeded), before timers due then.
    """
    clock = start or datetime(2026, 1, 1, tzinfo=UTC)
    rng = rng or random.Random(0)
    begin = StartExecution(
        input=execution_input,
        execution_arn=f"arn:aws:states:{region}:{account}:execution:{name}:{execution_name}",
        execution_name=execution_name,
        state_machine_arn=f"arn:aws:states:{region}:{account}:stateMachine:{name}",
        state_machine_name=name,
        role_arn=f"arn:aws:iam::{account}:role/StepFunctions",
    )
    sim = Simulation(status="RUNNING")
    ready: deque = deque()
    queue: list[tuple[datetime, int, int, Any]] = []  # (when, priority, seq, event)
    live: set[str] = set()
    seq = 0
    for when, event in extra_events:
        seq += 1
        heapq.heappush(queue, (when, 0, seq, event))

    result = step(machine, None, begin, clock, rng)
    while True:
        sim.history.extend(result.events)
        for command in result.commands:
            if isinstance(command, InvokeTask):
                sim.invoked.append(command)
                answer = handler(command) if handler else None
                if answer is None:
                    continue
                ready.extend(answer if isinstance(answer, list | tuple) else [answer])
            elif isinstance(command, StartTimer):
                seq += 1
                heapq.heappush(queue, (command.fire_at, 1, seq, TimerFired(command.timer_id)))
                live.add(command.timer_id)
            elif isinstance(command, CancelTimer):
                live.discard(command.timer_id)
            elif isinstance(command, ExecutionFinished):
                sim.status = command.status
                sim.output, sim.error, sim.cause = command.output, command.error, command.cause
        if sim.status != "RUNNING":
            break
        if ready:
            event = ready.popleft()
        else:
            while (
                queue and isinstance(queue[0][3], TimerFired) and queue[0][3].timer_id not in live
            ):
                heapq.heappop(queue)
            if not queue:
                break
            when, _, _, event = heapq.heappop(queue)
            if isinstance(event, TimerFired):
                live.discard(event.timer_id)
            clock = max(clock, when)
        result = step(machine, result.state, event, clock, rng)
    sim.state = result.state
    sim.clock = clock
    return sim
