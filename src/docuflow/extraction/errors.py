"""Typed failures of the extraction library.

Every way a document can fail to extract ends in one ``ExtractionFailed`` with a short,
stable ``code`` that callers (the workflow, the API) can branch on and show to users.
"""

from __future__ import annotations

PASSWORD_PROTECTED = "password_protected"  # noqa: S105 (an error code)
CORRUPT = "corrupt"
TOO_LARGE = "too_large"
TIMEOUT = "timeout"
UNSUPPORTED = "unsupported"
RESOURCE_LIMIT = "resource_limit"

ERROR_CODES = frozenset(
    {PASSWORD_PROTECTED, CORRUPT, TOO_LARGE, TIMEOUT, UNSUPPORTED, RESOURCE_LIMIT}
)


class ExtractionFailed(Exception):
    """The document could not be extracted; ``code`` is one of ``ERROR_CODES``."""

    def __init__(self, code: str, message: str) -> None:
        if code not in ERROR_CODES:
            raise ValueError(f"unknown extraction error code {code!r}")
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}

    def __reduce__(self):  # keep code/message when pickled across processes
        return (type(self), (self.code, self.message))
