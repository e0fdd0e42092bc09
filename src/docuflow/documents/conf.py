"""The vault's settings.

Each value is read from Django settings first (so tests and deployments may set them
there) and from the environment otherwise. They are functions, not module constants, so
a changed setting takes effect without re-importing anything.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

#: Names accepted in DOCUFLOW_ALLOWED_TYPES, with the media type each one stands for.
KNOWN_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "tiff": "image/tiff",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "txt": "text/plain",
}
DEFAULT_ALLOWED = "pdf,png,jpeg,tiff,docx,xlsx,txt"


def _value(name: str, default: str) -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return value


def _int(name: str, default: int, minimum: int = 1) -> int:
    raw = _value(name, str(default))
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def storage_backend() -> str:
    backend = str(_value("DOCUFLOW_STORAGE_BACKEND", "local")).strip().lower()
    if backend not in ("local", "s3"):
        raise ImproperlyConfigured(f"DOCUFLOW_STORAGE_BACKEND must be local or s3, not {backend!r}")
    return backend


def storage_root() -> Path:
    """Where the local backend keeps blobs (and where every backend spools uploads)."""
    raw = _value("DOCUFLOW_STORAGE_DIR", "")
    return Path(raw).resolve() if raw else Path(settings.DATA_DIR) / "documents"


def s3_bucket() -> str:
    return str(_value("DOCUFLOW_S3_BUCKET", "docuflow-documents"))


def s3_region() -> str:
    return str(_value("DOCUFLOW_S3_REGION", os.environ.get("AWS_DEFAULT_REGION", "us-east-1")))


def s3_endpoint_url() -> str | None:
    return str(_value("DOCUFLOW_S3_ENDPOINT_URL", "")) or None


def max_upload_bytes() -> int:
    return _int("DOCUFLOW_MAX_UPLOAD_BYTES", 104_857_600)


def allowed_types() -> dict[str, str]:
    """The allow-list as ``{name: media type}``."""
    raw = _value("DOCUFLOW_ALLOWED_TYPES", DEFAULT_ALLOWED)
    names = [part.strip().lower() for part in str(raw).split(",") if part.strip()]
    unknown = [name for name in names if name not in KNOWN_TYPES]
    if unknown:
        raise ImproperlyConfigured(
            f"DOCUFLOW_ALLOWED_TYPES has unknown names {unknown}; known: {sorted(KNOWN_TYPES)}"
        )
    return {name: KNOWN_TYPES[name] for name in names}


def upload_url_expires() -> int:
    """Lifetime of an upload URL handed out by ``POST /documents/`` (the seed's 900 s)."""
    return _int("DOCUFLOW_UPLOAD_URL_EXPIRES", 900)


DOWNLOAD_URL_DEFAULT_EXPIRES = 3600
DOWNLOAD_URL_MAX_EXPIRES = 604_800
CHUNK = 1024 * 1024  # bytes read or written at a time, and the size of a verified block
