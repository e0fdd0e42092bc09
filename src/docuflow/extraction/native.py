"""The text layer's per-word loop in C (``_wordboxes.c``), loaded through ctypes.

From Python, boxing a word costs two ctypes calls into PDFium (~0.5 µs each, more than
everything else done per word); the C loop does the whole page in one call. It needs no
Python headers and does not link PDFium (the caller passes the function's address), so
any C compiler builds it: ``scripts/install-system-packages.sh`` does so at install, and
a missing or outdated library is built on first use. Without a compiler (or with
``DOCUFLOW_NO_NATIVE=1``) ``pdf.py`` runs the same loops in Python, with the same results.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from functools import cache
from pathlib import Path

_SOURCE = Path(__file__).with_name("_wordboxes.c")


def library_path() -> Path:
    """Where the library for this source and this platform lives (the name says both)."""
    digest = hashlib.sha256(_SOURCE.read_bytes()).hexdigest()[:12]
    platform = sysconfig.get_platform().replace("-", "_")
    name = f"wordboxes-{digest}-{platform}{sysconfig.get_config_var('SHLIB_SUFFIX') or '.so'}"
    home = Path(__file__).with_name("_build")
    if os.access(home, os.W_OK) or (home / name).exists():
        return home / name
    cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache_home / "docuflow" / name


def build(target: Path | None = None) -> Path:
    """Compile the library (atomically: concurrent builders cannot load a partial file)."""
    target = target or library_path()
    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if not compiler:
        raise OSError("no C compiler (cc) found")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    os.close(fd)
    try:
        subprocess.run(
            [compiler, "-O2", "-shared", "-fPIC", "-o", tmp, str(_SOURCE), "-lm"],
            check=True,
            capture_output=True,
            timeout=120,
        )
        os.replace(tmp, target)
        for stale in target.parent.glob(f"wordboxes-*{target.suffix}"):
            if stale != target:  # built from an older source (a process may still map it:
                stale.unlink(missing_ok=True)  # unlinking does not disturb that)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return target


@cache
def library():
    """The C helper (``word_boxes``, ``char_angles``, ``upright_quarter``), or None where it cannot be built
    or loaded."""
    if os.environ.get("DOCUFLOW_NO_NATIVE"):
        return None
    try:
        path = library_path()
        if not path.exists():
            build(path)
        lib = ctypes.CDLL(str(path))
    except (OSError, subprocess.SubprocessError):
        return None
    p, i = ctypes.c_void_p, ctypes.c_int
    lib.word_boxes.restype = i
    lib.word_boxes.argtypes = [p, p, p, i, p, p, p, p]
    lib.char_angles.restype = None
    lib.char_angles.argtypes = [p, p, p, i, p]
    lib.upright_quarter.restype = i
    lib.upright_quarter.argtypes = [p, p, p, i]
    return lib


if __name__ == "__main__":  # python -m docuflow.extraction.native: build ahead of use
    try:
        print(build())
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"not built ({exc}); the text layer will use the Python loop", file=sys.stderr)
        sys.exit(1)
