"""Live status with the Redis channel layer (``REDIS_URL``) on a live server.

The server runs ``--workers 2``: two uvicorn processes hold the sockets, and the
embedded workflow worker runs in the parent process. Status changes made by the worker
(extraction, archive) and by an HTTP request (the approval) reach every socket only
through Redis; each of two clients gets each status exactly once.
"""

from __future__ import annotations

import os
import socket
import time
import uuid

import pytest

from tests.live.conftest import (
    DOCS,
    Socket,
    invoice_bytes,
    start_server,
    stop_server,
    upload,
    wait_status,
)

pytestmark = [pytest.mark.live, pytest.mark.slow, pytest.mark.redis]

REDIS_URL = os.environ.get("DOCUFLOW_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SLUG = f"redis-{uuid.uuid4().hex[:8]}"  # the tenant group is unique to this run
ADMIN, REVIEWER, UPLOADER = (f"{r}@{SLUG}.test" for r in ("admin", "reviewer", "uploader"))
HAPPY = ["EXTRACTING", "VALIDATING", "PENDING_APPROVAL", "APPROVED", "ARCHIVED"]


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.fail("Redis must answer on 127.0.0.1:6379 for the Redis live tests")
    server = start_server(
        tmp_path_factory.mktemp("live-redis"),
        {"REDIS_URL": REDIS_URL, "EMAIL_URL": "console://"},
        {SLUG: {ADMIN: "ADMIN", REVIEWER: "REVIEWER", UPLOADER: "UPLOADER"}},
        workers=2,
    )
    try:
        yield server
    finally:
        stop_server(server)


def test_two_clients_each_get_every_status_once_through_redis(live, tmp_path):
    reviewer, uploader = live.client(REVIEWER), live.client(UPLOADER)
    with Socket(live.ws_url(UPLOADER)) as first, Socket(live.ws_url(REVIEWER)) as second:
        for client in (first, second):  # both sockets are joined before anything happens
            client.send("ping")
            assert client.wait(lambda s: "pong" in s.messages, 10)
        doc = upload(uploader, invoice_bytes(tmp_path), "Through Redis")
        wait_status(reviewer, doc["id"], "PENDING_APPROVAL")
        answer = reviewer.post(f"{DOCS}{doc['id']}/approve/", json={"notes": "ok"})
        assert answer.status_code == 200, answer.text
        wait_status(reviewer, doc["id"], "ARCHIVED")
        for client in (first, second):
            assert client.wait(lambda s: s.statuses(doc["id"]) == HAPPY, 30), client.statuses(
                doc["id"]
            )
        time.sleep(0.5)  # and nothing twice
        assert first.statuses(doc["id"]) == second.statuses(doc["id"]) == HAPPY
