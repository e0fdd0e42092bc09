"""The worker: claims due work under a lease, runs handlers, delivers their results.

Any number of workers, in any process on any machine sharing the database, may run at
once. A claim takes due rows with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL (on
SQLite the single writer lock serializes claims) and stamps them with a lease. Handlers
run outside any transaction; their result is applied in the transaction that deletes
the work item, so it counts once. If a worker dies, its lease runs out and another
worker takes the item over.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.db import close_old_connections, connection, connections, transaction
from django.db.models import F, Q

from docuflow.asl import interpreter as asl
from docuflow.engine import clock, resources, transitions
from docuflow.engine.models import Execution, WorkItem

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=int(os.environ.get("DOCUFLOW_WORKER_LEASE_SECONDS", "20")))
POLL_SECONDS = float(os.environ.get("DOCUFLOW_WORKER_POLL_SECONDS", "0.5"))
BATCH = 32

# Requests get a connection each (CONN_MAX_AGE is 0); a worker's loop keeps its own this
# long (reconnecting on every pass cost ~1 ms on SQLite, ~10 ms on PostgreSQL), or until
# Django finds it unusable.
CONNECTION_SECONDS = 60.0

_wakeup = threading.Event()
# Where the worker runs in a child process of the server (``docuflow.runtime``), the
# wake-ups of work committed here are passed on to it.
_forward: Callable[[bytes], None] | None = None
WAKE_WORKER = b"w"

# Other apps' background loops that run wherever a worker runs (``docuflow serve`` and
# ``docuflow worker``): each is called once with the stop event by start_in_background.
background_starters: list[Callable[[threading.Event], None]] = []


def notify() -> None:
    """Work became due in this process: wake the worker now instead of at its poll."""
    _wakeup.set()
    forward_wakeup(WAKE_WORKER)


def forward_wakeup(loop: bytes) -> None:
    """Wake a loop (one byte names it) in the worker child of this server, if it has one."""
    if _forward is not None:
        _forward(loop)


def forward_wakeups(send: Callable[[bytes], None]) -> None:
    global _forward
    _forward = send


class Worker:
    def __init__(self, name: str | None = None, batch: int = BATCH) -> None:
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.batch = batch
        self._held: set[int] = set()
        self._held_lock = threading.Lock()

    # --- claiming ------------------------------------------------------------------

    def claim(self) -> list[WorkItem]:
        now = clock.now()
        with transaction.atomic():
            due = (
                WorkItem.objects.filter(due_at__lte=now)
                .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
                .order_by("due_at", "id")
            )
            if connection.features.has_select_for_update_skip_locked:
                due = due.select_for_update(skip_locked=True)
            items = list(
                due.select_related("execution").only(
                    *(f.name for f in WorkItem._meta.concrete_fields),
                    "execution__arn",
                    "execution__tenant_id",
                    "execution__status",
                )[: self.batch]
            )
            if not items:
                return []
            WorkItem.objects.filter(pk__in=[item.pk for item in items]).update(
                lease_owner=self.name, lease_until=now + LEASE, attempts=F("attempts") + 1
            )
        with self._held_lock:
            self._held.update(item.pk for item in items)
        return items

    def renew_leases(self) -> None:
        with self._held_lock:
            held = list(self._held)
        if held:
            WorkItem.objects.filter(pk__in=held, lease_owner=self.name).update(
                lease_until=clock.now() + LEASE
            )

    # --- processing ----------------------------------------------------------------

    def run_once(self) -> int:
        items = self.claim()
        for item in items:
            try:
                self.process(item)
            except Exception:  # one bad item must not stop the worker; its lease expires
                log.exception("work item %s failed", item.pk)
            finally:
                with self._held_lock:
                    self._held.discard(item.pk)
        return len(items)

    def process(self, item: WorkItem) -> None:
        if item.kind == WorkItem.Kind.TIMER:
            transitions.apply(item.execution_id, asl.TimerFired(item.key), consume_work=item.pk)
            return
        payload = item.payload
        execution = item.execution
        if execution.status != Execution.Status.RUNNING:
            WorkItem.objects.filter(pk=item.pk).delete()
            return
        ctx = resources.TaskContext(
            tenant_id=execution.tenant_id,
            execution_arn=execution.arn,
            state_name=payload["state_name"],
            task_id=item.key,
            attempt=payload["attempt"],
            task_token=payload.get("token"),
            idempotency_key=f"{execution.arn}#{item.key}#{payload['attempt']}",
            now=clock.now(),
        )
        outcome = resources.invoke(payload["resource"], payload["input"], ctx)
        if not outcome.ok:
            event = asl.TaskFailed(item.key, outcome.error, outcome.cause)
        elif payload.get("wait_for_callback"):
            event = asl.TaskSubmitted(item.key, outcome.output)
        else:
            event = asl.TaskSucceeded(item.key, outcome.output)
        transitions.apply(item.execution_id, event, consume_work=item.pk)

    def run_forever(self, stop: threading.Event | None = None) -> None:
        stop = stop or threading.Event()
        renewer = threading.Thread(target=self._renew_loop, args=(stop,), daemon=True)
        renewer.start()
        log.info("worker %s started", self.name)
        while not stop.is_set():
            _refresh_connections()
            try:
                done = self.run_once()
            except Exception:  # database briefly unavailable: wait and try again
                log.exception("worker %s could not claim work", self.name)
                done = 0
            if done == 0:
                _wakeup.wait(POLL_SECONDS)
                _wakeup.clear()
        connection.close()

    def _renew_loop(self, stop: threading.Event) -> None:
        while not stop.wait(LEASE.total_seconds() / 4):
            try:
                self.renew_leases()
            except Exception:
                log.exception("worker %s could not renew leases", self.name)
            finally:
                close_old_connections()


def _refresh_connections() -> None:
    """``close_old_connections`` for a long-lived loop: a working connection is kept."""
    for conn in connections.all(initialized_only=True):
        if (
            conn.connection is not None
            and getattr(conn, "_worker_kept", None) is not conn.connection
        ):
            conn._worker_kept = conn.connection  # Django set close_at at connect: set ours
            conn.close_at = time.monotonic() + CONNECTION_SECONDS
        conn.close_if_unusable_or_obsolete()


def start_in_background(threads: int | None = None) -> threading.Event:
    """A worker's daemon threads in this process (``docuflow worker``, and the child that
    ``docuflow serve`` starts). Four by default, on two cores: the threads spend much of
    their time waiting (for an extraction child, for SQLite's write lock), and the
    pipeline benchmark ran at 8.7 documents/s with two, 10.4-10.9 with four."""
    count = threads or int(os.environ.get("DOCUFLOW_WORKER_THREADS", "4"))
    stop = threading.Event()
    for index in range(count):
        worker = Worker()
        thread = threading.Thread(
            target=worker.run_forever, args=(stop,), daemon=True, name=f"docuflow-worker-{index}"
        )
        thread.start()
    for start in background_starters:
        start(stop)
    return stop


def run_forever() -> None:
    """``docuflow worker``: run until interrupted."""
    wait_until_stopped(start_in_background())


def wait_until_stopped(stop: threading.Event) -> None:
    """Block until ``stop`` is set, SIGTERM arrives or the user interrupts."""
    import signal

    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(1):
            pass
    except KeyboardInterrupt:
        stop.set()
