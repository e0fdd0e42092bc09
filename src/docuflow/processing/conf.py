"""Settings of the processing stage (extraction limits, OCR language).

Each value comes from Django settings first, then the environment, then the default.
They are functions, so a changed setting takes effect at once (tests rely on that).
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from docuflow.extraction import Limits
from docuflow.extraction.limits import MIB


def _value(name: str, default):
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return value


def _number(name: str, default: float, minimum: float, kind=float):
    raw = _value(name, default)
    try:
        value = kind(raw)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def extraction_timeout() -> float:
    """Wall-clock and CPU seconds one extraction may use (DOCUFLOW_EXTRACTION_TIMEOUT)."""
    return _number("DOCUFLOW_EXTRACTION_TIMEOUT", 120, 0.1)


def extraction_memory_mb() -> int:
    return _number("DOCUFLOW_EXTRACTION_MEMORY_MB", 1024, 64, int)


def extraction_max_pages() -> int:
    return _number("DOCUFLOW_EXTRACTION_MAX_PAGES", 500, 1, int)


def ocr_language() -> str:
    language = str(_value("DOCUFLOW_OCR_LANGUAGE", "eng")).strip()
    # Tesseract language names: "eng", "deu+eng", "chi_sim" …
    if not language or not all(part.replace("_", "").isalnum() for part in language.split("+")):
        raise ImproperlyConfigured(f"DOCUFLOW_OCR_LANGUAGE is not a language list: {language!r}")
    return language


def limits() -> Limits:
    seconds = extraction_timeout()
    return Limits(
        wall_seconds=seconds,
        cpu_seconds=seconds,
        memory_bytes=extraction_memory_mb() * MIB,
        max_pages=extraction_max_pages(),
    )
