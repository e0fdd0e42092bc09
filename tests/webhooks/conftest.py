"""Webhook test fixtures: a real HTTP receiver on a free port, a test clock, documents."""

from __future__ import annotations

import http.server
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from docuflow.engine import clock


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


@dataclass
class Receiver:
    """``responses``: status codes answered in order (200 once they run out)."""

    url: str
    requests: list[Received] = field(default_factory=list)
    responses: list[int] = field(default_factory=list)
    delay: float = 0.0
    location: str = ""

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.requests


def _handler(receiver: Receiver):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            receiver.requests.append(
                Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            if receiver.delay:
                time.sleep(receiver.delay)
            code = receiver.responses.pop(0) if receiver.responses else 200
            self.send_response(code)
            if receiver.location:
                self.send_header("Location", receiver.location)
            answer = b"ok" if code < 300 else b"x" * 5000  # a long body is truncated
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            try:
                self.wfile.write(answer)
            except OSError:
                pass

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def receiver_factory():
    servers = []

    def make(path: str = "/hook") -> Receiver:
        receiver = Receiver(url="")
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        receiver.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
        servers.append(server)
        return receiver

    yield make
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver(receiver_factory):
    return receiver_factory()


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def fake_clock():
    fake = FakeClock()
    clock.set_source(fake)
    yield fake
    clock.set_source(None)


@pytest.fixture
def make_document():
    from docuflow.documents.models import Document

    def make(tenant, **fields):
        return Document.objects.create(
            tenant=tenant, title=fields.pop("title", "Invoice 1"), document_type="INVOICE", **fields
        )

    return make


@pytest.fixture
def webhook():
    """``webhook(admin, url, **fields)`` creates an endpoint; returns (endpoint, secret)."""
    from docuflow.webhooks import services

    def make(actor, url, **fields):
        return services.create_endpoint(actor, url=url, **fields)

    return make
