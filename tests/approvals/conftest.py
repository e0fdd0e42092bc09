"""Approvals fixtures: a fake clock, the worker, a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import socket
import threading

import pytest
from aiosmtpd.controller import Controller

from docuflow.engine import clock
from docuflow.engine.worker import Worker
from tests.engine.conftest import FakeClock

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fake_clock():
    fake = FakeClock()
    clock.set_source(fake)
    yield fake
    clock.set_source(None)


def drain(rounds: int = 50) -> None:
    """Run the workflow worker until nothing is due."""
    worker = Worker()
    for _ in range(rounds):
        if worker.run_once() == 0:
            return


class Inbox:
    """What the SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[dict] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        with self.lock:
            self.messages.append(
                {
                    "from": envelope.mail_from,
                    "to": list(envelope.rcpt_tos),
                    "data": envelope.content.decode("utf-8", "replace"),
                }
            )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[dict]:
        with self.lock:
            return [m for m in self.messages if address in m["to"]]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """A real SMTP server on a free port; Django's mail is pointed at it."""
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    yield inbox
    controller.stop()
