"""Run an extraction in a child process with CPU, memory, wall-clock and page limits.

The child is a fresh interpreter (``python -m docuflow.extraction.sandbox``): a parser
crash, a runaway allocation or an endless loop inside PDFium, Pillow, lxml or Tesseract
kills the child only. The request goes in as JSON on stdin and the result comes back as
JSON (never pickle, so a subverted child cannot run code in the parent). The child runs
in its own session so that on timeout the whole group, Tesseract included, is killed.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from .errors import CORRUPT, RESOURCE_LIMIT, TIMEOUT, ExtractionFailed
from .limits import Limits
from .model import Extraction, from_transport, paused_gc, to_transport
from .rules import validate_rules

_SRC_ROOT = str(Path(__file__).resolve().parents[2])  # the directory holding "docuflow"


def child_request(path, content_type, document_type, limits, rules, language) -> dict:
    """What a sandboxed child is asked to do (checked rules, absolute path, limits)."""
    if rules:
        errors = validate_rules(rules)
        if errors:
            raise ValueError("invalid extraction rules: " + "; ".join(errors))
    return {
        "path": os.path.abspath(os.fspath(path)),
        "content_type": content_type,
        "document_type": document_type,
        "limits": limits.to_dict(),
        "rules": rules,
        "language": language,
    }


def extract_safely(
    path: str | os.PathLike,
    content_type: str | None = None,
    *,
    document_type: str = "GENERIC",
    limits: Limits | None = None,
    rules: dict | None = None,
    language: str = "eng",
) -> Extraction:
    """Extract in a sandboxed child; returns the Extraction or raises ExtractionFailed."""
    limits = limits or Limits()
    request = child_request(path, content_type, document_type, limits, rules, language)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_SRC_ROOT, env.get("PYTHONPATH")) if p)
    proc = subprocess.Popen(
        [sys.executable, "-m", "docuflow.extraction.sandbox"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(json.dumps(request).encode(), timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.communicate()
        raise ExtractionFailed(TIMEOUT, f"extraction took longer than {limits.wall_seconds:g} s")
    finally:
        if proc.poll() is None:
            _kill_group(proc)
            proc.wait()
    _kill_group(proc)  # stray grandchildren (tesseract) if the child died abruptly
    return _result(proc.returncode, out, err, limits)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _result(returncode: int, out: bytes, err: bytes, limits: Limits) -> Extraction:
    reply = None
    if out:
        try:
            with paused_gc():
                reply = json.loads(out)
        except ValueError:
            reply = None
    if isinstance(reply, dict) and reply.get("ok") is True:
        return from_transport(reply["extraction"])
    if isinstance(reply, dict) and reply.get("ok") is False:
        raise ExtractionFailed(reply["code"], reply["message"])
    if returncode == -signal.SIGXCPU or returncode == -signal.SIGKILL and _cpu_hint(err):
        raise ExtractionFailed(
            TIMEOUT, f"extraction used more than {limits.cpu_seconds:g} s of CPU"
        )
    if returncode in (-signal.SIGKILL, -signal.SIGSEGV, -signal.SIGABRT, -signal.SIGBUS):
        # Most often the memory limit (allocation failures abort or fault in C code).
        raise ExtractionFailed(
            RESOURCE_LIMIT, f"extraction process died (signal {-returncode}); memory limit reached?"
        )
    tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] if err else []
    raise ExtractionFailed(
        CORRUPT, f"extraction process failed (exit {returncode}) {' '.join(tail)}".strip()
    )


def _cpu_hint(err: bytes) -> bool:
    return b"CPU time limit" in err


# -- child side ---------------------------------------------------------------------------


def _set_limits(limits: Limits) -> None:
    import resource

    cpu = max(1, int(limits.cpu_seconds + 0.999))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _child_main() -> int:
    # Libraries may print; keep the real stdout for our one JSON reply.
    gc.disable()  # short-lived process building one large acyclic result (see paused_gc)
    reply_fd = os.dup(1)
    os.dup2(2, 1)
    request = json.loads(sys.stdin.buffer.read())
    limits = Limits.from_dict(request["limits"])
    _set_limits(limits)
    try:
        from .extract import extract

        result = extract(
            request["path"],
            request["content_type"],
            document_type=request["document_type"],
            rules=request["rules"],
            limits=limits,
            language=request["language"],
            # Forked page workers only pay off with spare cores (2 busy cores: slower).
            parallel=(os.cpu_count() or 1) >= 4,
        )
        reply = {"ok": True, "extraction": to_transport(result)}
    except ExtractionFailed as exc:
        reply = {"ok": False, **exc.to_dict()}
    except MemoryError:
        reply = {"ok": False, "code": RESOURCE_LIMIT, "message": "memory limit reached"}
    except ImportError as exc:
        # The readers are installed, so a module that cannot load here could not be mapped
        # into memory under the limit ("failed to map segment from shared object").
        message = f"memory limit reached while loading a reader: {exc}"[:500]
        reply = {"ok": False, "code": RESOURCE_LIMIT, "message": message}
    except RecursionError:
        reply = {"ok": False, "code": CORRUPT, "message": "document structure nested too deeply"}
    except Exception as exc:  # a reader choked on a malformed file
        reply = {"ok": False, "code": CORRUPT, "message": f"{type(exc).__name__}: {exc}"[:500]}
    data = json.dumps(reply).encode()
    with os.fdopen(reply_fd, "wb") as fh:
        fh.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(_child_main())
