"""Starting the workflow worker, embedded in ``serve`` or standalone.

The engine app provides the worker; this module is the one place the CLI asks for it.

``docuflow serve`` runs its embedded worker in a child process (``docuflow worker
--for-server``): the worker's handlers and the HTTP requests then run under two
interpreters, each with its own GIL, instead of taking turns on one core. Two pipes tie
the pair together, so the embedded default needs nothing beyond the machine:

- worker → server: each status event as a JSON line; the server hands it to its channel
  layer, whose WebSockets live in the server process;
- server → worker: a byte whenever the server committed due work (``w``: a started
  execution, a callback; ``h``: a webhook delivery), so the loop that takes it runs at
  once instead of at its poll.

The server restarts a worker that died (after a second), and the worker stops when the
server's end of the pipe closes, whatever way the server ended.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import subprocess
import sys
import threading
import time

log = logging.getLogger(__name__)

RESTART_SECONDS = 1.0
STOP_SECONDS = 10.0


def _engine_available() -> bool:
    return importlib.util.find_spec("docuflow.engine") is not None


def run_worker_forever() -> None:
    if not _engine_available():
        raise SystemExit("error: this build has no workflow engine")
    from docuflow.engine.worker import run_forever

    run_forever()


# --- the server's side -----------------------------------------------------------------------


class WorkerProcess:
    """``docuflow serve``'s worker child: started, relayed to, restarted, stopped."""

    def __init__(self) -> None:
        self._stopping = threading.Event()
        self._process: subprocess.Popen | None = None
        self._wake_fd: int | None = None
        self._wake_lock = threading.Lock()  # no write to a descriptor being closed
        self._supervisor = threading.Thread(
            target=self._supervise, daemon=True, name="docuflow-worker-process"
        )

    def start(self) -> None:
        from docuflow.engine import worker

        worker.forward_wakeups(self._wake)
        self._supervisor.start()

    def stop(self) -> None:
        """Close the wake pipe (the worker's signal to stop) and wait for it to exit."""
        self._stopping.set()
        self._close_wake_pipe()
        process = self._process
        if process is not None:
            try:
                process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _supervise(self) -> None:
        while not self._stopping.is_set():
            events_read, events_write = os.pipe()
            wake_read, wake_write = os.pipe()
            os.set_blocking(wake_write, False)  # a full pipe already means "wake up"
            command = [sys.executable, "-m", "docuflow.cli", "worker", "--for-server",
                       f"{events_write},{wake_read}"]  # fmt: skip
            self._process = subprocess.Popen(command, pass_fds=(events_write, wake_read))
            os.close(events_write)
            os.close(wake_read)
            self._wake_fd = wake_write
            self._relay_events(events_read)  # until the worker's end closes
            code = self._process.wait()
            if self._stopping.is_set():
                return
            self._close_wake_pipe()
            log.error("the embedded worker exited (%s); restarting it", code)
            time.sleep(RESTART_SECONDS)

    def _wake(self, loop: bytes) -> None:
        with self._wake_lock:
            if self._wake_fd is None:
                return
            try:
                os.write(self._wake_fd, loop)
            except OSError:  # full (a wake-up is pending) or the worker is gone (restart)
                pass

    def _close_wake_pipe(self) -> None:
        with self._wake_lock:
            fd, self._wake_fd = self._wake_fd, None
            if fd is not None:
                os.close(fd)

    @staticmethod
    def _relay_events(fd: int) -> None:
        from docuflow.notifications import fanout

        with os.fdopen(fd, "rb") as stream:
            for line in stream:
                try:
                    group, message = json.loads(line)
                    fanout.deliver(group, message)
                except Exception:  # one bad event must not stop the relay
                    log.exception("status event from the worker not delivered")


def start_embedded_worker() -> WorkerProcess | None:
    if not _engine_available():
        return None
    process = WorkerProcess()
    process.start()
    return process


# --- the worker's side -----------------------------------------------------------------------


def run_worker_for_server(fds: str) -> None:
    """``docuflow worker --for-server EVENTS,WAKE``: the child ``WorkerProcess`` starts."""
    from docuflow.engine import worker
    from docuflow.notifications import fanout

    events_fd, wake_fd = (int(fd) for fd in fds.split(","))
    events = os.fdopen(events_fd, "wb", buffering=0)
    lock = threading.Lock()

    def send(group: str, message: dict) -> None:
        line = json.dumps([group, message], separators=(",", ":")).encode() + b"\n"
        with lock:  # one line at a time, whichever worker thread sends it
            events.write(line)

    fanout.relay_to(send)
    stop = worker.start_in_background()

    def woken() -> None:
        wakers = {worker.WAKE_WORKER: worker.notify}
        if importlib.util.find_spec("docuflow.webhooks") is not None:
            from docuflow.webhooks import delivery

            wakers[delivery.WAKE_SENDER] = delivery.wake
        while chunk := os.read(wake_fd, 4096):  # empty: the server is gone
            for loop, wake in wakers.items():
                if loop in chunk:
                    wake()
        stop.set()

    threading.Thread(target=woken, daemon=True, name="docuflow-wake").start()
    worker.wait_until_stopped(stop)
