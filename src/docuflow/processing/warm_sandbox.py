"""Extraction sandboxes forked from a warm parent instead of started as fresh interpreters.

``docuflow.extraction.extract_safely`` starts ``python -m docuflow.extraction.sandbox``
for every document: a fresh interpreter that imports pypdf, PDFium, Pillow, dateutil …
again each time. That start-up cost ~280 ms of CPU per document (with compiled bytecode;
~700 ms without), against ~4 ms for extracting a one-page text PDF: the largest single
cost of the whole pipeline (``bench/pipeline.py``).

Here one *zygote* process (``python -c …``, no Django, no database) imports the
extraction library once. For each extraction it forks a small monitor, which forks the
extraction child and reports the child's pid and exit status. The child runs the very
same code as a fresh sandbox (``sandbox._child_main``): its own session, the CPU and
memory limits set in the child, the request as JSON on stdin and the reply as JSON on
stdout (never pickle). A crash or a limit kills only that child; on timeout its whole
process group is killed; its result is judged by the same ``sandbox._result``. The
zygote exits when this process goes away (its control socket closes) and is started
again if it dies. Where it cannot run, ``extract_safely`` is used.
"""

from __future__ import annotations

import gc
import io
import json
import logging
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from docuflow.extraction import extract_safely, sandbox
from docuflow.extraction.errors import TIMEOUT, ExtractionFailed
from docuflow.extraction.limits import Limits
from docuflow.extraction.model import Extraction

log = logging.getLogger(__name__)

_SRC_ROOT = str(Path(__file__).resolve().parents[2])
_lock = threading.Lock()
_zygote: tuple[subprocess.Popen, socket.socket] | None = None


class ZygoteUnavailable(Exception):
    pass


def extract_warm(
    path,
    content_type: str | None = None,
    *,
    document_type: str = "GENERIC",
    limits: Limits | None = None,
    rules: dict | None = None,
    language: str = "eng",
) -> Extraction:
    """``extract_safely``'s contract (the Extraction, or ``ExtractionFailed``)."""
    limits = limits or Limits()
    kwargs = dict(document_type=document_type, limits=limits, rules=rules, language=language)
    request = sandbox.child_request(path, content_type, document_type, limits, rules, language)
    try:
        returncode, out, err = _run(json.dumps(request).encode(), limits)
    except ZygoteUnavailable as exc:
        log.warning("warm extraction unavailable (%s); starting a fresh sandbox", exc)
        return extract_safely(path, content_type, **kwargs)
    return sandbox._result(returncode, out, err, limits)


# --- parent side -------------------------------------------------------------------------------


def _control() -> socket.socket:
    global _zygote
    if _zygote is not None and _zygote[0].poll() is None:
        return _zygote[1]
    ours, theirs = socket.socketpair()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_SRC_ROOT, env.get("PYTHONPATH")) if p)
    code = f"from docuflow.processing.warm_sandbox import _zygote_main; _zygote_main({theirs.fileno()})"
    try:
        process = subprocess.Popen(
            [sys.executable, "-c", code],
            pass_fds=[theirs.fileno()],
            env=env,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        raise ZygoteUnavailable(str(exc)) from exc
    finally:
        theirs.close()
    _zygote = (process, ours)
    return ours


def _run(request: bytes, limits: Limits) -> tuple[int, bytes, bytes]:
    req_r, req_w = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    job, job_theirs = socket.socketpair()
    try:
        with _lock:
            try:
                socket.send_fds(_control(), [b"x"], [job_theirs.fileno(), req_r, out_w, err_w])
            except OSError as exc:
                raise ZygoteUnavailable(str(exc)) from exc
    except BaseException:
        for fd in (req_w, out_r, err_r):
            os.close(fd)
        job.close()
        raise
    finally:
        for fd in (req_r, out_w, err_w):
            os.close(fd)
        job_theirs.close()
    deadline = time.monotonic() + limits.wall_seconds
    with job:
        reader = job.makefile("rb")
        job.settimeout(max(1.0, limits.wall_seconds))
        try:
            pid = int(reader.readline() or b"0")
        except (OSError, ValueError):
            pid = 0
        if not pid:
            for fd in (req_w, out_r, err_r):
                os.close(fd)
            raise ZygoteUnavailable("the zygote did not start the extraction")
        try:
            with os.fdopen(req_w, "wb") as fh:
                fh.write(request)
        except BrokenPipeError:
            pass
        out, err, finished = _collect(out_r, err_r, deadline)
        if not finished:
            _kill_group(pid)
        job.settimeout(10)
        try:
            returncode = int(reader.readline() or b"1")
        except (OSError, ValueError):
            returncode = -signal.SIGKILL
        _kill_group(pid)  # stray grandchildren (tesseract) if the child died abruptly
    if not finished:
        raise ExtractionFailed(TIMEOUT, f"extraction took longer than {limits.wall_seconds:g} s")
    return returncode, out, err


def _collect(out_r: int, err_r: int, deadline: float) -> tuple[bytes, bytes, bool]:
    """Read the child's stdout and stderr until both close, or the deadline passes."""
    chunks: dict[int, list[bytes]] = {out_r: [], err_r: []}
    open_fds = [out_r, err_r]
    try:
        while open_fds:
            left = deadline - time.monotonic()
            if left <= 0:
                return b"", b"", False
            ready, _, _ = select.select(open_fds, [], [], left)
            for fd in ready:
                data = os.read(fd, 1 << 16)
                if data:
                    chunks[fd].append(data)
                else:
                    open_fds.remove(fd)
    finally:
        os.close(out_r)
        os.close(err_r)
    return b"".join(chunks[out_r]), b"".join(chunks[err_r]), True


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


# --- the zygote (no Django here) -------------------------------------------------------------------


WARM_MODULES = ("pypdf", "pypdfium2", "PIL.Image", "dateutil.parser")
# The text of the PDF the zygote reads once: what an invoice's first page says.
SAMPLE_LINES = (
    "INVOICE",
    "Invoice Number: INV-2024-0001",
    "Date: 2024-01-31",
    "Vendor Name: Example Supplies Ltd",
    "Customer Name: Example Customer",
    "Description Qty Unit Price Amount",
    "Paper 2 10.00 20.00",
    "Total Amount: 20.00",
)


def _zygote_main(fd: int) -> None:
    import importlib
    import pkgutil

    import docuflow.extraction

    # The warm part: the library and what its readers import lazily on first use.
    for info in pkgutil.iter_modules(docuflow.extraction.__path__, "docuflow.extraction."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    _read_sample()
    # What the forks inherit stays shared with them until written to: keep the garbage
    # collector from writing to it (a full collection in a child would copy the heap).
    gc.collect()
    gc.freeze()

    control = socket.socket(fileno=fd)
    while True:
        _reap()  # finished monitors (waited for, so their CPU time is accounted)
        if not select.select([control], [], [], 1.0)[0]:
            continue
        try:
            message, fds, _, _ = socket.recv_fds(control, 16, 4)
        except OSError:
            return
        if not message:  # the server went away
            return
        if len(fds) != 4:
            for each in fds:
                os.close(each)
            continue
        if os.fork() == 0:
            control.close()
            _monitor(*fds)
        for each in fds:
            os.close(each)


def _read_sample() -> None:
    """Read one small PDF, so what the readers build on first use (PDFium's state, compiled
    patterns, parsers' caches) is built here once, not in every child: ~5 ms of CPU each."""
    import tempfile

    from docuflow.extraction import extract

    try:
        with tempfile.TemporaryDirectory(prefix="docuflow-zygote-") as folder:
            path = Path(folder) / "sample.pdf"
            path.write_bytes(sample_pdf(SAMPLE_LINES))
            extract(path, "application/pdf", document_type="INVOICE")
    except Exception:  # a cold child is slower, not wrong
        log.warning("the extraction zygote could not read its sample", exc_info=True)


def sample_pdf(lines) -> bytes:
    """A one-page PDF with ``lines`` of text (Helvetica, a standard font: no font file)."""
    shown = " ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '"
        for line in lines
    )
    content = f"BT /F1 11 Tf 14 TL 72 740 Td {shown} ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(pdf)


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _monitor(job: int, req_r: int, out_w: int, err_w: int) -> None:
    """Forks the extraction child, reports its pid, waits, reports its exit code."""
    code = 1
    try:
        pid = os.fork()
        if pid == 0:
            os.close(job)
            _child(req_r, out_w, err_w)
        for each in (req_r, out_w, err_w):
            os.close(each)
        os.write(job, f"{pid}\n".encode())
        _, status = os.waitpid(pid, 0)
        os.write(job, f"{os.waitstatus_to_exitcode(status)}\n".encode())
        code = 0
    finally:
        os._exit(code)


def _child(req_r: int, out_w: int, err_w: int) -> None:
    code = 1
    try:
        os.setsid()  # its own process group: a timeout kills it and anything it started
        for fd, target in ((req_r, 0), (out_w, 1), (err_w, 2)):
            os.dup2(fd, target)
            os.close(fd)
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False))
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False))
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False))
        code = sandbox._child_main()
    finally:
        os._exit(code)
