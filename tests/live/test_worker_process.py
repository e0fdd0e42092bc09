"""``docuflow serve``'s embedded worker runs in a child process (docuflow.runtime).

Checked on a live server: the worker child's status events reach the server's sockets,
a worker that dies is replaced and the pipeline goes on, and the worker never outlives
its server, however the server ends.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.live.conftest import (
    Socket,
    invoice_bytes,
    start_server,
    stop_server,
    upload,
    wait_for,
    wait_status,
)

pytestmark = pytest.mark.live

UPLOADER, REVIEWER = "uploader@wp.test", "reviewer@wp.test"
TENANTS = {"wp-co": {"admin@wp.test": "ADMIN", REVIEWER: "REVIEWER", UPLOADER: "UPLOADER"}}


def worker_children(server_pid: int) -> list[int]:
    """Pids of the server's ``docuflow worker --for-server`` children."""
    found = []
    for task in Path(f"/proc/{server_pid}/task").iterdir():
        try:  # a thread or a child may end while we look
            for pid in (task / "children").read_text().split():
                if b"--for-server" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0"):
                    found.append(int(pid))
        except FileNotFoundError:
            continue
    return found


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"  # exited, not yet reaped


@pytest.fixture
def live(tmp_path):
    server = start_server(tmp_path / "data", {"EMAIL_URL": "console://"}, TENANTS)
    try:
        yield server
    finally:
        stop_server(server)


def test_a_killed_worker_is_replaced_and_its_events_reach_the_sockets(live, tmp_path):
    (first,) = wait_for(lambda: worker_children(live.process.pid), 30, "the worker child")
    os.kill(first, signal.SIGKILL)
    (second,) = wait_for(
        lambda: [pid for pid in worker_children(live.process.pid) if pid != first],
        30,
        "a new worker child",
    )
    assert second != first and gone(first)

    # The new worker runs the pipeline, and its events come through the server's socket.
    with Socket(live.ws_url(UPLOADER)) as socket:
        doc = upload(live.client(UPLOADER), invoice_bytes(tmp_path), "after the restart")
        wait_status(live.client(REVIEWER), doc["id"], "PENDING_APPROVAL")
        assert socket.wait(
            lambda s: s.statuses(doc["id"]) == ["EXTRACTING", "VALIDATING", "PENDING_APPROVAL"], 30
        ), socket.statuses(doc["id"])


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_the_worker_does_not_outlive_its_server(live, how):
    (child,) = wait_for(lambda: worker_children(live.process.pid), 30, "the worker child")
    live.process.send_signal(how)
    live.process.wait(30)
    deadline = time.monotonic() + 15
    while not gone(child):
        assert time.monotonic() < deadline, f"worker {child} still runs after its server"
        time.sleep(0.1)
