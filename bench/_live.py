"""Start a live DocuFlow server for a benchmark, with a tenant, a user and an access key."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUFLOW = [sys.executable, "-m", "docuflow.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def threads(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


def postgres_url(database: str) -> str | None:
    """Create a fresh PostgreSQL database for the run, if a server answers locally."""
    try:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            c.execute(f'CREATE DATABASE "{database}"')
    except Exception:
        return None
    return f"postgres://postgres@127.0.0.1:5432/{database}"


class LiveServer:
    def __init__(self, env: dict, port: int, process: subprocess.Popen, key: dict) -> None:
        self.env, self.port, self.process, self.key = env, port, process, key
        self.url = f"http://127.0.0.1:{port}"

    def client(self, region: str = "us-east-1"):
        import boto3
        from botocore.config import Config

        return boto3.client(
            "stepfunctions",
            endpoint_url=f"{self.url}/sfn",
            region_name=region,
            aws_access_key_id=self.key["AccessKeyId"],
            aws_secret_access_key=self.key["SecretAccessKey"],
            config=Config(retries={"max_attempts": 0}, max_pool_connections=32),
        )

    def run(self, *args: str) -> str:
        result = subprocess.run(
            [*DOCUFLOW, *args], env=self.env, check=True, capture_output=True, text=True
        )
        return result.stdout


@contextmanager
def live_server(database_url: str = "", *, worker: bool = True, extra_env: dict | None = None):
    data_dir = Path(tempfile.mkdtemp(prefix="docuflow-bench-"))
    env = {
        **os.environ,
        "DOCUFLOW_DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }
    def run(*a):
        return subprocess.run(
            [*DOCUFLOW, *a], env=env, check=True, capture_output=True, text=True
        )
    run("migrate", "--no-input", "-v", "0")
    run("tenant", "create", "bench", "--name", "Bench", "--admin-email", "bench@bench.test",
        "--admin-password", "a long bench password")  # fmt: skip
    key = json.loads(run("access-key", "create", "--user", "bench@bench.test", "--json").stdout)
    port = free_port()
    args = ["serve", "--port", str(port)] + ([] if worker else ["--no-worker"])
    process = subprocess.Popen([*DOCUFLOW, *args], env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.1)
        yield LiveServer(env, port, process, key)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(data_dir, ignore_errors=True)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]
