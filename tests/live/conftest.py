"""A live ``docuflow serve`` (uvicorn, embedded workflow worker) for the approval tests.

One server per test module (module-scoped fixtures), SQLite and local storage in a
temporary data directory, e-mail sent over SMTP to a real aiosmtpd server in this
process, and a worker poll of 0.1 s. Tenants and members are created once per module
by one ``docuflow shell`` call; everything the tests check goes through HTTP, e-mail
and WebSocket.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller

from docuflow.extraction import testdata as td
from tests.approvals.conftest import Inbox

PASSWORD = "live-password-Zq8!x"
CLI = [sys.executable, "-m", "docuflow.cli"]
DOCS = "/api/v1/documents/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the server ------------------------------------------------------------------------------


@dataclass
class Live:
    base: str
    port: int
    env: dict
    data: Path
    process: subprocess.Popen
    tokens: dict[str, str] = field(default_factory=dict)  # e-mail -> access token
    ids: dict[str, str] = field(default_factory=dict)  # e-mail -> user id

    def client(self, email_address: str | None = None) -> httpx.Client:
        headers = {}
        if email_address is not None:
            headers["Authorization"] = f"Bearer {self.tokens[email_address]}"
        return httpx.Client(base_url=self.base, headers=headers, timeout=60)

    def ws_url(self, email_address: str | None) -> str:
        query = f"?token={self.tokens[email_address]}" if email_address else ""
        return f"ws://127.0.0.1:{self.port}/ws/documents/{query}"


def start_server(data: Path, extra_env: dict, tenants: dict, *, workers: int = 1) -> Live:
    """Migrate, create ``tenants`` ({slug: {email: role}}) with an access token for each
    member, serve; returns the server."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DOCUFLOW_", "EMAIL_")) and key not in ("DATABASE_URL", "REDIS_URL")
    }
    port = free_port()
    env.update(
        DOCUFLOW_DATA_DIR=str(data),
        DATABASE_URL="",
        DOCUFLOW_PUBLIC_URL=f"http://127.0.0.1:{port}",
        DOCUFLOW_WORKER_POLL_SECONDS="0.1",
        DOCUFLOW_LOGIN_RATE_IP="1000/min",
        DOCUFLOW_LOGIN_RATE_ACCOUNT="1000/min",
        DOCUFLOW_EXTRACTION_TIMEOUT="60",
        LOG_LEVEL="WARNING",
        **extra_env,
    )
    setup = subprocess.run(  # one Django start-up: migrate, then the tenants
        [*CLI, "shell", "-c", _SETUP % json.dumps({"tenants": tenants, "password": PASSWORD})],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    created = json.loads(setup.stdout.strip().splitlines()[-1])
    args = ["serve", "--port", str(port), "--workers", str(workers)]
    log = (data / "server.log").open("wb")
    process = subprocess.Popen([*CLI, *args], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            httpx.get(f"{base}/healthz", timeout=2)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                tail = (data / "server.log").read_text(errors="replace")[-3000:]
                pytest.fail(f"the server did not start:\n{tail}")
            time.sleep(0.2)
    return Live(base, port, env, data, process, created["tokens"], created["ids"])


def stop_server(live: Live) -> None:
    live.process.terminate()
    try:
        live.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        live.process.kill()


_SETUP = """
import json
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from docuflow.accounts import services
from docuflow.accounts.models import User
spec = json.loads(%r)
tokens, ids = {}, {}
for slug, members in spec["tenants"].items():
    admin = next(e for e, r in members.items() if r == "ADMIN")
    tenant, _, _ = services.create_tenant(slug, slug.title(), admin, admin_password=spec["password"])
    for address, role in members.items():
        if address != admin:
            services.add_member(tenant, email=address, role=role, password=spec["password"])
    for user in User.objects.filter(tenant=tenant):
        tokens[user.email] = services.issue_tokens(user)["access"]
        ids[user.email] = str(user.pk)
print(json.dumps({"tokens": tokens, "ids": ids}))
"""


@pytest.fixture(scope="module")
def smtp_server():
    """A real SMTP server (aiosmtpd) for the module's live server."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()


# --- WebSocket ---------------------------------------------------------------------------------


class Socket:
    """A real WebSocket client (``websockets``) reading on a thread; keeps every message."""

    def __init__(self, url: str) -> None:
        from websockets.sync.client import connect

        self.ws = connect(url, open_timeout=15).__enter__()  # closed by close()
        self.messages: list[str] = []
        self.closed = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            for message in self.ws:
                with self._cond:
                    self.messages.append(message)
                    self._cond.notify_all()
        except ConnectionClosed:
            pass
        finally:
            with self._cond:
                self.closed = True
                self._cond.notify_all()

    def send(self, text: str) -> None:
        self.ws.send(text)

    def wait(self, predicate, timeout: float = 30) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self), timeout)

    def statuses(self, document_id: str) -> list[str]:
        found = []
        with self._cond:
            messages = list(self.messages)
        for raw in messages:
            if raw == "pong":
                continue
            body = json.loads(raw)
            if body.get("type") == "DOCUMENT_STATUS_UPDATE" and body["document_id"] == document_id:
                found.append(body["status"])
        return found

    def close(self) -> None:
        self.ws.close()
        self._thread.join(5)

    def __enter__(self) -> Socket:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --- documents and mail --------------------------------------------------------------------------


def invoice_bytes(tmp: Path, number: str = "INV-2026-00042", total_items=None) -> bytes:
    items = total_items or [("Printer paper", 40, "6.25", "250.00"), ("Desk lamp", 2, "45.00", "90.00")]
    total = sum(float(amount) for *_, amount in items)
    truth = td.InvoiceTruth(
        invoice_number=number,
        date="2026-03-02",
        total=f"{total:.2f}",
        currency="USD",
        vendor_name="Northwind Traders",
        vendor_address=["221 Market Street", "Springfield, IL 62704"],
        customer_name="Acme Corporation",
        items=items,
    )
    return td.invoice_pdf(tmp / f"{number}.pdf", truth).read_bytes()


def memo_bytes(tmp: Path) -> bytes:
    return td.text_pdf(tmp / "memo.pdf", [["nothing to see here"]]).read_bytes()


CORRUPT_PDF = b"%PDF-1.7\nthis is not a pdf at all"


def upload(client: httpx.Client, content: bytes, title: str, document_type: str = "INVOICE"):
    answer = client.post(
        DOCS,
        files={"file": (f"{title}.pdf", content, "application/pdf")},
        data={"title": title, "document_type": document_type},
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def wait_status(client: httpx.Client, doc_id: str, wanted: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        doc = client.get(f"{DOCS}{doc_id}/").json()
        if doc["status"] == wanted:
            return doc
        if time.monotonic() > deadline:
            raise AssertionError(f"document {doc_id} is {doc['status']}, not {wanted}")
        time.sleep(0.1)


def wait_for(predicate, timeout: float = 60, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        found = predicate()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def mail_text(message: dict) -> tuple[str, str]:
    """(subject, body) of a received message."""
    parsed = email.message_from_string(message["data"], policy=email.policy.default)
    return str(parsed["subject"]), parsed.get_body(("plain",)).get_content()


def mails(inbox: Inbox, address: str, subject_has: str) -> list[tuple[str, str]]:
    found = [mail_text(m) for m in inbox.to(address)]
    return [(s, b) for s, b in found if subject_has in s]


LINK = re.compile(r"(?P<verb>Approve|Reject):\s+(?P<url>http://\S+/approve/\S+/)")


def links(body: str) -> dict[str, str]:
    return {m["verb"].lower(): m["url"] for m in LINK.finditer(body)}
