"""Reading configuration from the environment.

Kept apart from ``settings.py`` so the parsing rules (booleans, URLs, secrets on disk)
are small, testable functions and the settings module reads as a list of decisions.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ValueError(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def read_or_create_secret(path: Path, *, nbytes: int = 50) -> str:
    """Return the secret stored at ``path``, creating it (mode 0600) on first use.

    The file is created with O_EXCL so two processes starting at once agree on one
    secret: the loser of the race reads the winner's file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        value = path.read_text().strip()
        if not value:
            raise RuntimeError(f"secret file {path} is empty; delete it to regenerate") from None
        return value
    value = secrets.token_urlsafe(nbytes)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


def email_settings(url: str) -> dict[str, object]:
    """Translate ``EMAIL_URL`` into Django e-mail settings.

    ``console://`` (default) prints mail; ``smtp://user:pass@host:port`` sends it, with
    ``?tls=1`` for STARTTLS; ``smtps://`` uses implicit TLS. ``?from=`` sets the sender.
    """
    parts = urlsplit(url or "console://")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    sender = query.get("from", "DocuFlow <no-reply@docuflow.local>")
    if parts.scheme in ("", "console"):
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            "DEFAULT_FROM_EMAIL": sender,
        }
    if parts.scheme == "memory":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "DEFAULT_FROM_EMAIL": sender,
        }
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError(f"EMAIL_URL scheme must be console, smtp or smtps, not {parts.scheme!r}")
    implicit_tls = parts.scheme == "smtps"
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if implicit_tls else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": implicit_tls,
        "EMAIL_USE_TLS": not implicit_tls and query.get("tls", "0").lower() in TRUE_WORDS,
        "EMAIL_TIMEOUT": 10,
        "DEFAULT_FROM_EMAIL": sender,
    }
