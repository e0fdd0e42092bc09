"""Upload and download a large file through the vault's HTTP API, beside ``cp``.

    .venv/bin/python bench/vault_stream.py [--size-mib 1024] [--work-dir var/bench-vault]

The bench starts its own ``docuflow serve`` (local storage, its own data directory under
``--work-dir``, embedded worker on), creates a tenant, then in the same run and on the
same disk:

1. ``cp`` copies the test file (the physical baseline);
2. the file is uploaded with ``PUT /api/v1/documents/{id}/content/`` (streamed from disk,
   1 MiB blocks); the server spools, hashes, sniffs, fsyncs and commits it;
3. it is downloaded with ``GET /api/v1/documents/{id}/download/`` into a file (every
   block verified against its SHA-256 by the server), and compared with the original.

``cp`` runs before each server run and after the last; the fastest is the baseline.
The server fsyncs each upload before it answers; ``cp`` does not. A second baseline runs
the same transfers through a bare uvicorn app that stores and checks nothing: the most
any Python ASGI server can do on the machine, whatever the application.

It prints the throughput of each (MB/s, 10^6 bytes), the ratios to ``cp`` (goal >= 0.5),
and the server process's resident memory (VmRSS) before and after, and its peak
(VmHWM) (goal: growth <= 64 MiB). The file is text (TXT is on the allow-list) made of
random lines, so nothing compresses or repeats in a way a cache could exploit.

``--malloc both`` (the default) runs the server twice: once with glibc's malloc as is,
once with ``MALLOC_MMAP_THRESHOLD_``/``MALLOC_TRIM_THRESHOLD_``/``MALLOC_TOP_PAD_`` raised
(``TUNED`` below). Every 64 KiB-1 MiB buffer the HTTP server and Django allocate per chunk
is otherwise a fresh mmap whose pages fault in on first touch; on virtual machines where a
page fault is slow that, not hashing or disk, bounds the throughput. The tuned run shows
what a deployment gains by setting those variables for ``docuflow serve``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BLOCK = 1024 * 1024
PASSWORD = "bench-password-Zq8!x"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_file(path: Path, size: int) -> str:
    """Random text lines, written in 1 MiB blocks; returns the SHA-256."""
    digest = hashlib.sha256()
    with open(path, "wb") as handle:
        written = 0
        while written < size:
            raw = base64.b64encode(os.urandom(BLOCK * 3 // 4))
            block = b"\n".join(raw[i : i + 76] for i in range(0, len(raw), 77))[: size - written]
            handle.write(block)
            digest.update(block)
            written += len(block)
    return digest.hexdigest()


def rss_kib(pid: int) -> dict[str, int]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


def request(port: int, method: str, path: str, body=None, headers=None, token=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600, blocksize=BLOCK)
    headers = dict(headers or {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if isinstance(body, dict):
        body = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    connection.request(method, path, body=body, headers=headers)
    return connection, connection.getresponse()


def call_json(port, method, path, body=None, token=None, expect=(200, 201)):
    connection, response = request(port, method, path, body, token=token)
    data = response.read()
    connection.close()
    if response.status not in expect:
        raise SystemExit(f"{method} {path} -> {response.status}: {data[:500]!r}")
    return json.loads(data) if data else None


TUNED = {
    "MALLOC_MMAP_THRESHOLD_": str(32 * BLOCK),
    "MALLOC_TRIM_THRESHOLD_": str(256 * BLOCK),
    "MALLOC_TOP_PAD_": str(64 * BLOCK),
}


def wait_ready(port: int, server: subprocess.Popen) -> None:
    deadline = time.time() + 60
    while True:
        try:
            call_json(port, "GET", "/healthz")
            return
        except (ConnectionError, OSError):
            if time.time() > deadline or server.poll() is not None:
                raise SystemExit("the server did not start:\n" + server.stderr.read().decode())
            time.sleep(0.2)


def time_cp(source: Path, work: Path) -> float:
    subprocess.run(["sync"], check=False)
    started = time.perf_counter()
    subprocess.run(["cp", str(source), str(work / "cp-copy.txt")], check=True)
    seconds = time.perf_counter() - started
    (work / "cp-copy.txt").unlink()
    return seconds


BARE_ASGI = """
import os

PATH = os.environ["BENCH_SOURCE"]


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    if scope["method"] == "PUT":  # receive and discard: nothing stored, hashed or checked
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        return
    size = os.path.getsize(PATH)
    headers = [(b"content-length", str(size).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    with open(PATH, "rb") as handle:
        while chunk := handle.read(1 << 20):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b""})
"""


def run_bare(env: dict, work: Path, source: Path, size: int) -> dict:
    """The same transfers through a bare uvicorn app: the ceiling of any Python ASGI stack."""
    (work / "bare_asgi.py").write_text(BARE_ASGI)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bare_asgi:app", "--app-dir", str(work)]
        + ["--port", str(port), "--log-level", "warning"],
        env=dict(env, BENCH_SOURCE=str(source)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.time() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    raise SystemExit("uvicorn did not start:\n" + server.stderr.read().decode())
                time.sleep(0.2)
        started = time.perf_counter()
        with open(source, "rb") as body:
            connection, response = request(
                port, "PUT", "/", body, headers={"Content-Length": str(size)}
            )
            response.read()
            connection.close()
        upload = time.perf_counter() - started
        target = work / "bare-download.bin"
        started = time.perf_counter()
        connection, response = request(port, "GET", "/")
        with open(target, "wb") as out:
            while chunk := response.read(BLOCK):
                out.write(chunk)
        connection.close()
        download = time.perf_counter() - started
        target.unlink()
    finally:
        server.terminate()
        server.wait(timeout=20)
    return {"upload": upload, "download": download}


def run_server(env: dict, work: Path, source: Path, size: int, expected: str) -> dict:
    """Start a server, upload and download once; the timings and memory readings."""
    docuflow = str(Path(sys.executable).parent / "docuflow")
    port = free_port()
    server = subprocess.Popen(
        [docuflow, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_ready(port, server)
        login = call_json(
            port,
            "POST",
            "/api/v1/auth/login/",
            {"email": "admin@bench.test", "password": PASSWORD},
        )
        token = login["access"]
        # Warm up through the same paths, so imports and caches are loaded before the
        # "before" memory reading.
        subprocess.run(["sync"], check=False)
        warm = call_json(port, "POST", "/api/v1/documents/", {"title": "warm-up"}, token=token)
        warm_path = f"/api/v1/documents/{warm['id']}/"
        call_json(port, "PUT", warm_path + "content/", b"warm up\n" * 200_000, token=token)
        connection, response = request(port, "GET", warm_path + "download/", token=token)
        response.read()
        connection.close()
        time.sleep(0.5)
        before = rss_kib(server.pid)

        doc = call_json(port, "POST", "/api/v1/documents/", {"title": "big"}, token=token)
        path = f"/api/v1/documents/{doc['id']}/"
        started = time.perf_counter()
        with open(source, "rb") as body:
            connection, response = request(
                port,
                "PUT",
                path + "content/",
                body,
                headers={
                    "Content-Length": str(size),
                    "Content-Type": "text/plain",
                    "Content-Disposition": 'attachment; filename="big.txt"',
                },
                token=token,
            )
            answer = response.read()
            connection.close()
        upload_seconds = time.perf_counter() - started
        if response.status != 200:
            raise SystemExit(f"upload failed: {response.status} {answer[:500]!r}")
        stored = json.loads(answer)
        assert stored["sha256"] == expected and stored["file_size"] == size, stored
        after_upload = rss_kib(server.pid)

        target = work / "downloaded.txt"
        started = time.perf_counter()
        connection, response = request(port, "GET", path + "download/", token=token)
        if response.status != 200:
            raise SystemExit(f"download failed: {response.status} {response.read()[:500]!r}")
        with open(target, "wb") as out:
            while chunk := response.read(BLOCK):
                out.write(chunk)
        connection.close()
        download_seconds = time.perf_counter() - started
        after_download = rss_kib(server.pid)

        got = hashlib.sha256()
        with open(target, "rb") as handle:
            while chunk := handle.read(BLOCK):
                got.update(chunk)
        assert got.hexdigest() == expected, "the downloaded file differs"
        target.unlink()
        call_json(port, "DELETE", path, token=token, expect=(204,))
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    return {
        "upload": upload_seconds,
        "download": download_seconds,
        "before": before,
        "after_upload": after_upload,
        "after_download": after_download,
    }


def sha256_rate(megabytes: int = 256) -> float:
    """MB/s of hashlib's SHA-256 on this machine: the floor of a checked transfer."""
    block = os.urandom(1 << 20)
    digest = hashlib.sha256()
    start = time.perf_counter()
    for _ in range(megabytes):
        digest.update(block)
    return megabytes * len(block) / (time.perf_counter() - start) / 1e6


def report(label: str, size: int, cp_seconds: float, result: dict, bare: dict) -> bool:
    def rate(seconds: float) -> float:
        return size / seconds / 1e6

    cp_rate = rate(cp_seconds)
    ok = True
    print(f"-- server malloc: {label}")
    for name in ("upload", "download"):
        speed = rate(result[name])
        ratio = speed / cp_rate
        ok &= ratio >= 0.5
        verdict = "met" if ratio >= 0.5 else "NOT met"
        print(
            f"{name:9} {result[name]:7.2f} s  {speed:8.1f} MB/s  ratio to cp {ratio:.2f}"
            f"  (goal >= 0.5: {verdict}); {bare[name] / result[name]:.2f}x bare uvicorn"
        )
    mib = 1024.0
    before, up, down = result["before"], result["after_upload"], result["after_download"]
    growth_upload = (up["VmRSS"] - before["VmRSS"]) / mib
    growth_download = (down["VmRSS"] - before["VmRSS"]) / mib
    # VmHWM is the process's peak since it started; count only a new peak.
    peak_growth = max(0.0, (down["VmHWM"] - max(before["VmHWM"], before["VmRSS"])) / mib)
    print(
        f"server VmRSS before {before['VmRSS'] / mib:.1f} MiB, after upload "
        f"{up['VmRSS'] / mib:.1f} (+{growth_upload:.1f}), after download "
        f"{down['VmRSS'] / mib:.1f} (+{growth_download:.1f}); peak VmHWM "
        f"{before['VmHWM'] / mib:.1f} -> {down['VmHWM'] / mib:.1f} MiB (+{peak_growth:.1f})"
    )
    worst = max(growth_upload, growth_download, peak_growth)
    ok &= worst <= 64
    verdict = "met" if worst <= 64 else "NOT met"
    print(f"memory growth goal <= 64 MiB: {verdict} (worst +{worst:.1f} MiB)")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--work-dir", default=str(ROOT / "var" / "bench-vault"))
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument(
        "--malloc",
        choices=["default", "tuned", "both"],
        default="both",
        help="glibc malloc settings of the server: as is, tuned, or a run of each",
    )
    args = parser.parse_args()

    size = args.size_mib * BLOCK
    work = Path(args.work_dir).resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    docuflow = str(Path(sys.executable).parent / "docuflow")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("MALLOC_") and key != "DOCUFLOW_STORAGE_DIR"
    }
    env.update(
        {
            "DOCUFLOW_DATA_DIR": str(work / "data"),
            "DATABASE_URL": "",
            "DOCUFLOW_STORAGE_BACKEND": "local",
            "DOCUFLOW_MAX_UPLOAD_BYTES": str(size + BLOCK),
            "LOG_LEVEL": "WARNING",
            # Django's ASGI handler spools request bodies to the temp dir: same disk.
            "TMPDIR": str(work),
        }
    )
    try:
        print(f"== vault stream bench: {args.size_mib} MiB, work dir {work}")
        source = work / "source.txt"
        started = time.perf_counter()
        expected = make_file(source, size)
        print(f"test file written in {time.perf_counter() - started:.1f} s")
        subprocess.run([docuflow, "migrate", "--no-input", "-v", "0"], env=env, check=True)
        subprocess.run(
            [docuflow, "tenant", "create", "bench", "--name", "Bench"]
            + ["--admin-email", "admin@bench.test", "--admin-password", PASSWORD],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        modes = ["default", "tuned"] if args.malloc == "both" else [args.malloc]
        # The baseline: cp of the same file on the same disk, in the same run, before
        # each server run and after the last. The fastest cp is the baseline (the
        # hardest one to match), since the disk's speed varies with its write-back state.
        cp_runs = []
        results = []
        for mode in modes:
            cp_runs.append(time_cp(source, work))
            server_env = dict(env, **TUNED) if mode == "tuned" else env
            results.append((mode, run_server(server_env, work, source, size, expected)))
        cp_runs.append(time_cp(source, work))
        bare = run_bare(env, work, source, size)
        cp_seconds = min(cp_runs)
        listed = ", ".join(f"{size / seconds / 1e6:.0f}" for seconds in cp_runs)
        print(
            f"cp        {cp_seconds:7.2f} s  {size / cp_seconds / 1e6:8.1f} MB/s  (runs: {listed} MB/s)"
        )
        print(
            f"bare uvicorn (no Django; nothing stored or checked): upload "
            f"{size / bare['upload'] / 1e6:.1f} MB/s ({size / bare['upload'] / 1e6 / (size / cp_seconds / 1e6):.2f}x cp), "
            f"download {size / bare['download'] / 1e6:.1f} MB/s "
            f"({cp_seconds / bare['download']:.2f}x cp)"
        )
        sha_rate = sha256_rate()
        print(
            f"SHA-256 alone, one core: {sha_rate:.1f} MB/s ({sha_rate / (size / cp_seconds / 1e6):.2f}x cp):"
            " every byte is hashed on the way in and verified on the way out, so no"
            " upload or download can beat this"
        )
        ok = True
        for mode, result in results:
            if mode == "default":
                label = "glibc defaults"
            else:
                label = "tuned (" + " ".join(f"{k}={v}" for k, v in TUNED.items()) + ")"
            ok &= report(label, size, cp_seconds, result, bare)
        print(f"load average {os.getloadavg()[0]:.1f} at the end")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
