"""Documents per second through the whole pipeline, beside the physical limit, in one run.

A live ``docuflow serve`` on the embedded default (SQLite, local storage, the embedded
workflow worker, console e-mail) runs the shipped multi-stage review workflow. N
generated text-layer invoice PDFs are uploaded over HTTP (multipart, a bounded number in
flight); a scripted reviewer listens on the WebSocket and approves each document as soon
as it is PENDING_APPROVAL (``POST /documents/{id}/approve/``); a document is done when
its ARCHIVED status arrives. Printed: documents/s, p50/p95 end-to-end latency (upload
start → ARCHIVED), total time, where the documents ended.

Baselines, in the same run, on the same PDFs, on all cores:
1. ``pdftotext`` (Poppler), one process per file: the physical limit of reading the text;
2. DocuFlow's extraction library in process (``extract`` + ``validate``, no sandbox, no
   database, no HTTP): what extraction alone costs us.

Goal (issue 7): 5,000 documents end to end in under 10 minutes on this machine.

Usage: .venv/bin/python bench/pipeline.py [--documents N] [--quick] [--in-flight W]
       [--uploaders U] [--reviewers R] [--worker-threads T]
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
from _live import live_server, percentile  # noqa: E402

try:
    import docuflow.extraction  # noqa: F401
except ImportError:  # running from a checkout without an installed package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import httpx  # noqa: E402

PASSWORD = "a long bench password"
TERMINAL = {"ARCHIVED", "REJECTED", "VALIDATION_FAILED", "EXTRACTION_FAILED"}
LAYOUTS = (0, 1, 2, 3)


# --- documents ---------------------------------------------------------------------------------


def _make_one(args) -> str:
    from docuflow.extraction import testdata as td

    folder, index = args
    truth = td.random_invoice(random.Random(index))
    path = Path(folder) / f"invoice-{index:05d}.pdf"
    td.invoice_pdf(path, truth, layout=LAYOUTS[index % len(LAYOUTS)])
    return str(path)


def make_pdfs(folder: Path, count: int, jobs: int) -> list[Path]:
    with ProcessPoolExecutor(jobs) as pool:
        return [
            Path(p)
            for p in pool.map(_make_one, [(str(folder), i) for i in range(count)], chunksize=32)
        ]


def _pdftotext(path: str) -> int:
    return subprocess.run(
        ["pdftotext", "-q", path, "-"], capture_output=True, check=True
    ).returncode


def _library(path: str) -> bool:
    from docuflow.extraction import extract
    from docuflow.extraction.validation import validate

    result = extract(path, "application/pdf", document_type="INVOICE")
    return bool(validate(result, "INVOICE")["passed"])


def baseline(fn, paths: list[Path], jobs: int) -> tuple[float, list]:
    start = time.perf_counter()
    with ProcessPoolExecutor(jobs) as pool:
        results = list(pool.map(fn, [str(p) for p in paths], chunksize=16))
    return time.perf_counter() - start, results


# --- the pipeline --------------------------------------------------------------------------------


class Run:
    """Uploads, a scripted reviewer, and the WebSocket that tells both what happened."""

    def __init__(self, base: str, tokens: dict, in_flight: int, reviewers: int) -> None:
        self.base, self.tokens = base, tokens
        self.window = threading.Semaphore(in_flight)
        self.lock = threading.Lock()
        self.started: dict[str, float] = {}  # document id -> upload start
        self.seen: dict[str, dict[str, float]] = {}  # document id -> status -> when
        self.finished: dict[str, str] = {}  # document id -> terminal status
        self.approve_queue: queue.Queue = queue.Queue()
        self.asked: set[str] = set()
        self.all_done = threading.Event()
        self.expected = 0
        self.retries = 0
        self.tries: dict[str, int] = {}
        self.approve_errors: list[str] = []
        self.reviewers = [
            threading.Thread(target=self._review, daemon=True) for _ in range(reviewers)
        ]

    def client(self, who: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.base, headers={"Authorization": f"Bearer {self.tokens[who]}"}, timeout=120
        )

    # WebSocket: status messages of every document of the tenant.
    def listen(self, ready: threading.Event) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            self._listen(ready)
        except ConnectionClosed:  # the server stopped at the end of the run
            pass

    def _listen(self, ready: threading.Event) -> None:
        from websockets.sync.client import connect

        url = (
            self.base.replace("http://", "ws://")
            + f"/ws/documents/?token={self.tokens['reviewer']}"
        )
        with connect(url, open_timeout=30, max_queue=None) as ws:
            ready.set()
            for raw in ws:
                if raw == "pong":
                    continue
                body = json.loads(raw)
                if body.get("type") == "DOCUMENT_STATUS_UPDATE":
                    self.on_status(body["document_id"], body["status"], time.perf_counter())

    def on_status(self, doc_id: str, status: str, when: float) -> None:
        with self.lock:
            self.seen.setdefault(doc_id, {}).setdefault(status, when)
            ask = status == "PENDING_APPROVAL" and doc_id not in self.asked
            if ask:
                self.asked.add(doc_id)
            done = status in TERMINAL and doc_id not in self.finished
            if done:
                self.finished[doc_id] = status
        if ask:
            self.approve_queue.put(doc_id)
        if done:
            self.window.release()
            if len(self.finished) >= self.expected:
                self.all_done.set()

    # The scripted reviewer: approves what is waiting; retries while the task is being
    # created (PENDING_APPROVAL is announced just before the human task exists).
    def _review(self) -> None:
        with self.client("reviewer") as api:
            while True:
                doc_id = self.approve_queue.get()
                if doc_id is None:
                    return
                try:
                    answer = api.post(
                        f"/api/v1/documents/{doc_id}/approve/", json={"notes": "bench"}
                    )
                except httpx.HTTPError as exc:  # try again shortly; never lose the document
                    self.approve_errors.append(f"{type(exc).__name__}: {exc}")
                    threading.Timer(1.0, self.approve_queue.put, (doc_id,)).start()
                    continue
                if answer.status_code == 409 and "not waiting for a decision" in answer.text:
                    with self.lock:
                        self.retries += 1
                        tries = self.tries[doc_id] = self.tries.get(doc_id, 0) + 1
                    delay = min(0.1 * 2 ** (tries - 1), 2.0)
                    threading.Timer(delay, self.approve_queue.put, (doc_id,)).start()
                elif answer.status_code != 200:
                    self.approve_errors.append(f"{answer.status_code} {answer.text[:200]}")

    # A sweep that finds what the WebSocket missed (a lost message must not hang the run).
    def sweep(self, stop: threading.Event) -> None:
        with self.client("reviewer") as api:
            while not stop.wait(2.0):
                with self.lock:
                    unfinished = [d for d in self.started if d not in self.finished]
                for doc_id in unfinished[:200]:
                    with self.lock:
                        age = time.perf_counter() - self.started[doc_id]
                    if age < 30:
                        continue
                    try:
                        status = api.get(f"/api/v1/documents/{doc_id}/").json().get("status")
                    except (httpx.HTTPError, ValueError):
                        continue
                    if status == "PENDING_APPROVAL" and age > 60:
                        self.approve_queue.put(doc_id)  # still waiting: ask again
                    if status:
                        self.on_status(doc_id, status, time.perf_counter())

    def upload_all(self, paths: list[Path], uploaders: int) -> None:
        self.expected = len(paths)
        local = threading.local()

        def send(path: Path) -> None:
            if not hasattr(local, "api"):
                local.api = self.client("uploader")
            self.window.acquire()
            content = path.read_bytes()
            start = time.perf_counter()
            answer = local.api.post(
                "/api/v1/documents/",
                files={"file": (path.name, content, "application/pdf")},
                data={"title": path.stem, "document_type": "INVOICE"},
            )
            if answer.status_code != 201:
                raise RuntimeError(f"upload failed: {answer.status_code} {answer.text[:300]}")
            with self.lock:
                self.started[answer.json()["id"]] = start

        with ThreadPoolExecutor(uploaders) as pool:
            for future in [pool.submit(send, p) for p in paths]:
                future.result()


def pipeline(paths: list[Path], args) -> dict:
    extra_env = {
        # A normal install caches compiled bytecode; where PYTHONDONTWRITEBYTECODE is set
        # and the venv holds none (uv does not compile by default), every extraction
        # sandbox would recompile its imports. The server gets a private cache instead.
        "PYTHONDONTWRITEBYTECODE": "",
        "PYTHONPYCACHEPREFIX": str(Path(tempfile.gettempdir()) / "docuflow-bench-pycache"),
        "DOCUFLOW_ACCESS_TOKEN_LIFETIME": "7200",
        "DOCUFLOW_LOGIN_RATE_IP": "1000/min",
        "DOCUFLOW_WORKER_THREADS": str(args.worker_threads),
    }
    with live_server("", worker=True, extra_env=extra_env) as server:
        server.run("tenant", "update", "bench", "--documents-limit", str(len(paths) + 100))
        base = server.url
        admin = httpx.post(
            f"{base}/api/v1/auth/login/", json={"email": "bench@bench.test", "password": PASSWORD}
        ).json()["access"]
        headers = {"Authorization": f"Bearer {admin}"}
        tokens = {"admin": admin}
        for role in ("uploader", "reviewer"):
            created = httpx.post(
                f"{base}/api/v1/tenants/members/",
                headers=headers,
                json={"email": f"{role}@bench.test", "role": role.upper(), "password": PASSWORD},
            )
            created.raise_for_status()
            tokens[role] = httpx.post(
                f"{base}/api/v1/auth/login/",
                json={"email": f"{role}@bench.test", "password": PASSWORD},
            ).json()["access"]
        # One review stage for every invoice (no MANAGER stage above 10,000).
        httpx.patch(
            f"{base}/api/v1/approvals/settings/",
            headers=headers,
            json={"second_stage_amount": "999999999"},
        ).raise_for_status()

        run = Run(base, tokens, args.in_flight, args.reviewers)
        ready = threading.Event()
        threading.Thread(target=run.listen, args=(ready,), daemon=True).start()
        ready.wait(30)
        for thread in run.reviewers:
            thread.start()
        stop = threading.Event()
        threading.Thread(target=run.sweep, args=(stop,), daemon=True).start()
        worker_pid = _worker_child(server.process.pid)
        spies = []
        if args.py_spy:  # the HTTP server process, and its worker child with the extraction
            for pid, out, tree in ((server.process.pid, args.py_spy, []),
                                   (worker_pid, args.py_spy + ".worker", ["--subprocesses"])):
                spies.append(subprocess.Popen(
                    [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(pid),
                     *tree, "--rate", "50", "--format", "raw", "--nonblocking",
                     *(["--gil"] if args.gil else []), "-o", out],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                ))  # fmt: skip
        cpu0 = _cpu_of(server.process.pid)
        own0 = _cpu_of(server.process.pid, tree=False)
        worker0 = _cpu_of(worker_pid, tree=False)
        bench0 = _own_cpu()
        start = time.perf_counter()
        run.upload_all(paths, args.uploaders)
        uploaded = time.perf_counter() - start
        if not run.all_done.wait(args.timeout):
            print(f"!! timed out: {len(run.finished)} of {len(paths)} documents finished")
        total = time.perf_counter() - start
        server_cpu = _cpu_of(server.process.pid) - cpu0
        server_own = _cpu_of(server.process.pid, tree=False) - own0
        worker_own = _cpu_of(worker_pid, tree=False) - worker0
        bench_cpu = _own_cpu() - bench0
        for spy in spies:
            spy.send_signal(2)
            spy.wait(60)
        stop.set()
        for _ in run.reviewers:
            run.approve_queue.put(None)
    latencies = [
        run.seen[d]["ARCHIVED"] - run.started[d]
        for d, status in run.finished.items()
        if status == "ARCHIVED" and d in run.started and "ARCHIVED" in run.seen.get(d, {})
    ]
    stages = {}
    for d in run.started:
        seen = run.seen.get(d, {})
        if "PENDING_APPROVAL" in seen and "ARCHIVED" in seen:
            stages.setdefault("upload → PENDING_APPROVAL", []).append(
                seen["PENDING_APPROVAL"] - run.started[d]
            )
            stages.setdefault("PENDING_APPROVAL → ARCHIVED", []).append(
                seen["ARCHIVED"] - seen["PENDING_APPROVAL"]
            )
    ends: dict[str, int] = {}
    for status in run.finished.values():
        ends[status] = ends.get(status, 0) + 1
    return {
        "total": total,
        "uploaded": uploaded,
        "latencies": latencies,
        "stages": stages,
        "ends": ends,
        "retries": run.retries,
        "errors": run.approve_errors,
        "server_cpu": server_cpu,
        "server_own": server_own,
        "worker_own": worker_own,
        "bench_cpu": bench_cpu,
    }


def _cpu_of(pid: int, *, tree: bool = True) -> float:
    """CPU seconds of the server's process tree: each live process and its reaped
    children (the extraction zygote's monitors and sandboxes included); with
    ``tree=False`` the server process alone (its threads, not its children)."""
    ticks = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            if not tree:
                return sum(int(v) for v in fields[11:13]) / os.sysconf("SC_CLK_TCK")
            ticks += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def _worker_child(server_pid: int) -> int:
    """The pid of the server's embedded worker (``docuflow worker --for-server``)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for task in Path(f"/proc/{server_pid}/task").iterdir():
            try:  # a thread or a child may end while we look
                for pid in (task / "children").read_text().split():
                    if b"--for-server" in Path(f"/proc/{pid}/cmdline").read_bytes():
                        return int(pid)
            except FileNotFoundError:
                continue
        time.sleep(0.1)
    raise SystemExit("the server has no embedded worker process")


def _own_cpu() -> float:
    """CPU seconds of this benchmark process (its uploaders, reviewers, WebSocket)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=5000)
    parser.add_argument("--quick", action="store_true", help="200 documents")
    parser.add_argument(
        "--in-flight", type=int, default=64, help="documents in the pipeline at once"
    )
    parser.add_argument("--uploaders", type=int, default=4, help="concurrent upload connections")
    parser.add_argument("--reviewers", type=int, default=2, help="concurrent reviewer connections")
    parser.add_argument(
        "--worker-threads", type=int, default=int(os.environ.get("DOCUFLOW_WORKER_THREADS", "4"))
    )
    parser.add_argument("--timeout", type=float, default=3600, help="seconds to wait for the end")
    parser.add_argument("--py-spy", metavar="FILE", help="profile the server (collapsed stacks)")
    parser.add_argument(
        "--gil", action="store_true", help="with --py-spy: sample only the thread holding the GIL"
    )
    args = parser.parse_args()
    count = 200 if args.quick else args.documents
    jobs = os.cpu_count() or 1
    print(f"# {count} documents, {jobs} CPUs, load average {os.getloadavg()[0]:.1f} at start")

    folder = Path(tempfile.mkdtemp(prefix="docuflow-pipeline-"))
    try:
        t0 = time.perf_counter()
        paths = make_pdfs(folder, count, jobs)
        size = sum(p.stat().st_size for p in paths) / len(paths)
        print(
            f"generated {count} invoice PDFs ({size / 1024:.1f} KiB each) in {time.perf_counter() - t0:.1f} s"
        )

        pdftotext_s, _ = baseline(_pdftotext, paths, jobs)
        library_s, passed = baseline(_library, paths, jobs)
        print(
            f"pdftotext, {jobs} processes:                 {count / pdftotext_s:8.1f} docs/s ({pdftotext_s:.1f} s)"
        )
        print(
            f"extraction library in process, {jobs} procs:  {count / library_s:8.1f} docs/s "
            f"({library_s:.1f} s; {sum(passed)} of {count} pass validation)"
        )

        result = pipeline(paths, args)
        total = result["total"]
        rate = count / total
        lat = result["latencies"]
        print(
            f"pipeline (serve, embedded worker x{args.worker_threads}, SQLite): "
            f"{rate:8.1f} docs/s  total {total:.1f} s (uploads done after {result['uploaded']:.1f} s)"
        )
        if lat:
            print(
                f"end-to-end latency upload → ARCHIVED: p50 {percentile(lat, 50):.2f} s, "
                f"p95 {percentile(lat, 95):.2f} s (in flight at most {args.in_flight})"
            )
        for name, values in result["stages"].items():
            print(
                f"  {name:<28} p50 {percentile(values, 50):.2f} s, p95 {percentile(values, 95):.2f} s"
            )
        print(
            f"ended: {json.dumps(result['ends'], sort_keys=True)}; approve retries {result['retries']}"
        )
        if result["errors"]:
            print(f"approve errors: {len(result['errors'])}, first: {result['errors'][0]}")
        print(
            f"server CPU {result['server_cpu']:.0f} s = {result['server_cpu'] / count * 1000:.0f} ms "
            f"per document (its whole process tree)"
        )
        extraction = result["server_cpu"] - result["server_own"] - result["worker_own"]
        print(
            f"  per document: HTTP server process {result['server_own'] / count * 1000:.0f} ms, "
            f"its worker process {result['worker_own'] / count * 1000:.0f} ms, "
            f"extraction children {extraction / count * 1000:.0f} ms; "
            f"this benchmark's clients {result['bench_cpu'] / count * 1000:.0f} ms"
        )
        print(
            f"ratio pipeline / pdftotext: {rate / (count / pdftotext_s):.3f}x; "
            f"pipeline / extraction library: {rate / (count / library_s):.3f}x"
        )
        goal = count / 5000 * 600
        verdict = "meets" if total <= goal else "misses"
        print(f"goal: 5,000 in 600 s ({5000 / 600:.1f} docs/s): {verdict} it at {rate:.1f} docs/s")
        print(f"# load average {os.getloadavg()[0]:.1f} at the end")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
