"""The web client in a real browser: Debian's chromium, driven by playwright-core (Node),
against a live ``docuflow serve`` on a free port with a fresh SQLite data directory.

Each flow is a ``node --test`` file under ``frontend/e2e/``; screenshots of every screen,
at desktop and phone width, go to ``var/e2e-artifacts/`` (``DOCUFLOW_E2E_ARTIFACTS``).
The flows need the built client (``make install`` builds it) and ``frontend/node_modules``.
"""

from __future__ import annotations

import dataclasses
import os
import random
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.live, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
DIST = ROOT / "src" / "docuflow" / "web" / "dist"
CHROMIUM = os.environ.get("DOCUFLOW_E2E_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("DOCUFLOW_E2E_ARTIFACTS", ROOT / "var" / "e2e-artifacts"))
PASSWORD = "e2e-Password-9x!"
FLOWS = ["upload", "review", "rejected-file", "certification", "screens"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _invoice_pdf(path: Path) -> None:
    """An invoice under the second-stage amount, so one reviewer decides it."""
    from docuflow.extraction import testdata

    truth = testdata.random_invoice(random.Random(7))
    truth = dataclasses.replace(
        truth, total="842.50", items=[("Consulting hours", 5, "168.50", "842.50")]
    )
    testdata.invoice_pdf(path, truth)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    if (os.environ.get("DATABASE_URL") or "").startswith("postgres"):
        pytest.skip("the browser flows start their own SQLite server: they run once, on SQLite")
    missing = [
        str(p)
        for p in (
            DIST / "index.html",
            FRONTEND / "node_modules" / "playwright-core",
            Path(CHROMIUM),
        )
        if not p.exists()
    ]
    assert not missing, (
        f"missing {missing}: run `make install-dev` (builds the client, installs chromium)"
    )

    data = tmp_path_factory.mktemp("e2e")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DOCUFLOW_") and key not in ("DATABASE_URL", "REDIS_URL")
    }
    env.update(
        DOCUFLOW_DATA_DIR=str(data),
        DOCUFLOW_DEMO_PASSWORD=PASSWORD,
        DOCUFLOW_WORKER_POLL_SECONDS="0.2",
        LOG_LEVEL="WARNING",
    )
    docuflow = [sys.executable, "-m", "docuflow.cli"]
    subprocess.run([*docuflow, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    subprocess.run([*docuflow, "demo"], env=env, check=True, stdout=subprocess.DEVNULL)
    _invoice_pdf(data / "invoice.pdf")
    (data / "not-a-document.bin").write_bytes(random.Random(1).randbytes(4096))

    port = _free_port()
    log = (data / "server.log").open("w")
    server = subprocess.Popen(
        [*docuflow, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1).read()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start: {(data / 'server.log').read_text()}")
            time.sleep(0.2)
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    try:
        yield {
            **env,
            "DOCUFLOW_E2E_URL": base,
            "DOCUFLOW_E2E_PASSWORD": PASSWORD,
            "DOCUFLOW_E2E_ARTIFACTS": str(ARTIFACTS),
            "DOCUFLOW_E2E_INVOICE_PDF": str(data / "invoice.pdf"),
            "DOCUFLOW_E2E_GARBAGE_FILE": str(data / "not-a-document.bin"),
            "DOCUFLOW_E2E_CHROMIUM": CHROMIUM,
        }
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.mark.parametrize("flow", FLOWS)
def test_browser_flow(live, flow):
    result = subprocess.run(
        ["node", "--test", "--test-reporter=spec", f"e2e/{flow}.test.mjs"],
        cwd=FRONTEND,
        env=live,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, f"{flow} failed:\n{result.stdout}\n{result.stderr}"
