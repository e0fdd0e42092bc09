"""Scale-out: with REDIS_URL, a status change in one process reaches sockets of another.

A real ``docuflow serve`` runs with the Redis channel layer; a separate process (as a
standalone ``docuflow worker`` would be) publishes a status event; a real WebSocket
client connected to the server receives it.
"""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
import websockets

pytestmark = [pytest.mark.live, pytest.mark.redis]

REDIS_URL = os.environ.get("DOCUFLOW_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_env(tmp_path):
    if not _redis_answers():
        pytest.fail("Redis must answer on 127.0.0.1:6379 for the scale-out tests")
    env = {
        **os.environ,
        "DOCUFLOW_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "",
        "REDIS_URL": REDIS_URL,
        "LOG_LEVEL": "WARNING",
    }
    cli = [sys.executable, "-m", "docuflow.cli"]
    subprocess.run([*cli, "migrate", "-v", "0"], env=env, check=True)
    subprocess.run(
        [*cli, "tenant", "create", "redis-co", "--name", "Redis Co", "--admin-email",
         "admin@redis.test", "--admin-password", "a long test password"],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    return env, cli


def _shell(env, cli, code: str) -> str:
    result = subprocess.run(
        [*cli, "shell", "-c", code], env=env, check=True, capture_output=True, text=True
    )
    return result.stdout.strip().splitlines()[-1]


def test_an_event_from_another_process_reaches_the_socket(live_env):
    env, cli = live_env
    token = _shell(env, cli, (
        "from docuflow.accounts.models import User; from docuflow.accounts.services import issue_tokens; "
        "print(issue_tokens(User.objects.get(email='admin@redis.test'))['access'])"
    ))  # fmt: skip
    port = _free_port()
    server = subprocess.Popen([*cli, "serve", "--port", str(port), "--no-worker"], env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)

        async def scenario():
            url = f"ws://127.0.0.1:{port}/ws/documents/?token={token}"
            async with websockets.connect(url) as ws:
                await ws.send("ping")
                assert await asyncio.wait_for(ws.recv(), 5) == "pong"
                # Stay idle past redis-py's default 5 s read timeout: the socket must
                # survive the layer's idle blocking reads (channels_redis issue 422).
                await asyncio.sleep(7)
                await ws.send("ping")
                assert await asyncio.wait_for(ws.recv(), 5) == "pong"
                publisher = await asyncio.create_subprocess_exec(*cli, "shell", "-c", (
                    "from datetime import UTC, datetime; "
                    "from docuflow.notifications.fanout import send_to_group; "
                    "from docuflow.notifications.events import StatusEvent; "
                    "send_to_group(StatusEvent('redis-co', 'document', 'd-42', 'ARCHIVED', "
                    "'APPROVED', datetime(2026, 3, 1, tzinfo=UTC)))"
                ), env=env)  # fmt: skip
                assert await publisher.wait() == 0
                message = json.loads(await asyncio.wait_for(ws.recv(), 30))
                assert message == {
                    "type": "DOCUMENT_STATUS_UPDATE",
                    "document_id": "d-42",
                    "status": "ARCHIVED",
                    "updated_at": "2026-03-01T00:00:00Z",
                }

        asyncio.run(scenario())
    finally:
        server.terminate()
        server.wait(10)
