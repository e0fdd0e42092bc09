"""OCR through the Tesseract command line (TSV output with per-word confidence)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from .errors import CORRUPT, RESOURCE_LIMIT, TIMEOUT, UNSUPPORTED, ExtractionFailed
from .layout import RawWord

_LANGUAGE = re.compile(r"^[A-Za-z_]{3,20}(\+[A-Za-z_]{3,20}){0,4}$")


@dataclass(slots=True)
class OcrPage:
    width: int  # pixels
    height: int
    words: list[RawWord]


def tesseract_binary() -> str:
    path = shutil.which("tesseract")
    if not path:
        raise ExtractionFailed(
            UNSUPPORTED, "OCR needs the tesseract program, which is not installed"
        )
    return path


def check_language(language: str) -> str:
    if not _LANGUAGE.match(language):
        raise ValueError(f"invalid OCR language {language!r} (e.g. 'eng' or 'eng+deu')")
    return language


def tesseract_command(image_path: str, language: str, dpi: int | None = None) -> list[str]:
    cmd = [tesseract_binary(), image_path, "stdout", "-l", check_language(language), "--psm", "3"]
    if dpi:
        cmd += ["--dpi", str(dpi)]
    return [*cmd, "tsv"]


def ocr_image(
    image_path: str, *, language: str = "eng", dpi: int | None = None, threads: int | None = None
) -> OcrPage:
    env = dict(os.environ)
    if threads:
        # Tesseract's own OpenMP threads fight our page-level parallelism.
        env["OMP_THREAD_LIMIT"] = str(threads)
    proc = subprocess.run(
        tesseract_command(image_path, language, dpi),
        capture_output=True,
        env=env,
        check=False,
    )
    if proc.returncode == -signal.SIGXCPU:  # RLIMIT_CPU is inherited from the sandbox
        raise ExtractionFailed(TIMEOUT, "OCR exceeded the CPU time limit")
    if proc.returncode in (-signal.SIGABRT, -signal.SIGKILL):  # failed allocation (RLIMIT_AS)
        raise ExtractionFailed(RESOURCE_LIMIT, "OCR ran out of memory")
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        tail = err[-1] if err else f"exit status {proc.returncode}"
        if "Failed loading language" in proc.stderr.decode("utf-8", "replace"):
            raise ExtractionFailed(UNSUPPORTED, f"OCR language {language!r} is not installed")
        raise ExtractionFailed(CORRUPT, f"OCR could not read the image: {tail}")
    return parse_tsv(proc.stdout.decode("utf-8", "replace"))


def parse_tsv(tsv: str) -> OcrPage:
    """Tesseract TSV: level, page, block, par, line, word, left, top, width, height, conf, text."""
    width = height = 0
    words: list[RawWord] = []
    rows = tsv.splitlines()
    for row in rows[1:]:
        parts = row.split("\t")
        if len(parts) < 12:
            continue
        level = parts[0]
        if level == "1":
            width, height = int(parts[8]), int(parts[9])
            continue
        if level != "5":
            continue
        text = parts[11].strip()
        conf = float(parts[10])
        if not text or conf < 0:
            continue
        left, top, w, h = (int(v) for v in parts[6:10])
        words.append(RawWord(text, left, top, left + w, top + h, conf))
    if width and height:
        for rw in words:
            rw.left, rw.right = rw.left / width, rw.right / width
            rw.top, rw.bottom = rw.top / height, rw.bottom / height
    return OcrPage(width, height, words)


def ocr_many(jobs, *, language: str, workers: int) -> dict[object, OcrPage]:
    """OCR ``(key, image_path, cleanup, dpi)`` jobs, ``workers`` tesseract processes at once.

    ``jobs`` may be a generator that renders pages lazily; at most 2 x workers rendered
    images wait on disk at any time. ``cleanup`` (or None) runs when a page is done;
    ``dpi`` (or None: read from the file or estimated by Tesseract) is the image's scale.
    """
    results: dict[object, OcrPage] = {}
    workers = max(1, workers)
    threads = 1 if workers > 1 else None
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: dict[Future, tuple] = {}
        try:
            for key, path, cleanup, dpi in jobs:
                while len(pending) >= 2 * workers:
                    _collect(pending, results, wait(pending, return_when=FIRST_COMPLETED).done)
                fut = pool.submit(ocr_image, path, language=language, dpi=dpi, threads=threads)
                pending[fut] = (key, cleanup)
            _collect(pending, results, list(pending))
        finally:
            for fut, (_, cleanup) in pending.items():
                fut.cancel()
                if cleanup:
                    cleanup()
    return results


def _collect(pending: dict, results: dict, done) -> None:
    for fut in done:
        key, cleanup = pending.pop(fut)
        try:
            results[key] = fut.result()
        finally:
            if cleanup:
                cleanup()
