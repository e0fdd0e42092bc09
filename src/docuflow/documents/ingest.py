"""Receiving content: spooled to disk, hashed, size-checked and sniffed while it streams.

Nothing here holds a whole file in memory. ``Spool`` writes each chunk to a temporary
file next to the blobs, updates the SHA-256 of the whole and of each block, and stops
the moment the size limit is passed. ``inspect`` then decides the media type from the
bytes (libmagic for the first 64 KiB, and the zip's own ``[Content_Types].xml`` to tell
DOCX and XLSX from any other zip), never from the client's claim.
"""

from __future__ import annotations

import hashlib
import os
import threading
import unicodedata
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import magic
from rest_framework import exceptions

from docuflow.api.errors import PayloadTooLarge, UnprocessableEntity
from docuflow.documents import conf, storage

HEAD_BYTES = 64 * 1024
PARALLEL_MIN_BYTES = 256 * 1024  # smaller chunks are hashed inline: a thread hop costs more
MAX_CONTENT_TYPES_XML = 1024 * 1024


class UnsupportedType(exceptions.UnsupportedMediaType):
    def __init__(self, detail: str) -> None:
        exceptions.APIException.__init__(self, detail)


def too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"The file is larger than the limit of {limit} bytes.")


class _BlockHasher:
    """SHA-256 of each CHUNK-sized block, computed on a helper thread.

    hashlib releases the GIL while it hashes, so the blocks are hashed while the request
    thread hashes the whole file and writes it: the second hash costs no wall time on a
    machine with a spare core. At most one chunk is in flight, so memory stays bounded.
    """

    def __init__(self) -> None:
        self._hashes: list[str] = []
        self._block = hashlib.sha256()
        self._fill = 0
        self._pending: Future | None = None
        self._executor: ThreadPoolExecutor | None = None

    def _consume(self, chunk: bytes) -> None:
        view = memoryview(chunk)
        while view:
            take = min(len(view), conf.CHUNK - self._fill)
            self._block.update(view[:take])
            self._fill += take
            view = view[take:]
            if self._fill == conf.CHUNK:
                self._hashes.append(self._block.hexdigest())
                self._block = hashlib.sha256()
                self._fill = 0

    def feed(self, chunk: bytes) -> None:
        if len(chunk) < PARALLEL_MIN_BYTES:
            self._wait()
            self._consume(chunk)
            return
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="spool-hash")
        self._wait()
        self._pending = self._executor.submit(self._consume, chunk)

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def finish(self) -> list[str]:
        self._wait()
        self.close()
        if self._fill:
            self._hashes.append(self._block.hexdigest())
            self._block = hashlib.sha256()
            self._fill = 0
        return self._hashes

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None


class Spool:
    """A temporary file receiving an upload, with its running hashes and size."""

    def __init__(self, max_bytes: int | None = None) -> None:
        self.max_bytes = conf.max_upload_bytes() if max_bytes is None else max_bytes
        fd, self.path = storage.new_spool_file()
        self._file = os.fdopen(fd, "wb", buffering=0)
        self._sha = hashlib.sha256()
        self._blocks = _BlockHasher()
        self.block_hashes: list[str] = []
        self.size = 0
        self.head = bytearray()
        self.has_nul = False
        self.sha256 = ""
        self._open = True

    def write(self, chunk: bytes) -> None:
        if not chunk:
            return
        if self.size + len(chunk) > self.max_bytes:
            raise too_large(self.max_bytes)
        self._file.write(chunk)
        self.size += len(chunk)
        self._sha.update(chunk)
        if len(self.head) < HEAD_BYTES:
            self.head += chunk[: HEAD_BYTES - len(self.head)]
        if not self.has_nul and b"\x00" in chunk:
            self.has_nul = True
        self._blocks.feed(chunk)

    def finish(self) -> None:
        """The stream ended: close the file and seal the hashes."""
        if self._open:
            self._file.close()
            self._open = False
        self.block_hashes = self._blocks.finish()
        self.sha256 = self._sha.hexdigest()

    def discard(self) -> None:
        self._blocks.close()
        if self._open:
            self._file.close()
            self._open = False
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc_info) -> None:
        # Whatever happened, the temporary file never outlives the request: on success
        # commit() has moved it away already, and unlink is then a no-op.
        self.discard()


def receive_stream(read, spool: Spool, declared_length: int | None = None) -> Spool:
    """Copy ``read(n)`` into ``spool`` until it returns b"" (or the declared length)."""
    if declared_length is not None and declared_length > spool.max_bytes:
        raise too_large(spool.max_bytes)
    remaining = declared_length
    while remaining is None or remaining > 0:
        size = conf.CHUNK if remaining is None else min(conf.CHUNK, remaining)
        chunk = read(size)
        if not chunk:
            break
        if remaining is not None:
            remaining -= len(chunk)
        spool.write(chunk)
    if remaining:
        raise exceptions.ParseError("The request body ended before its declared length.")
    spool.finish()
    return spool


# --- media types --------------------------------------------------------------------------

_local = threading.local()

_MAGIC_TO_NAME = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpeg",
    "image/tiff": "tiff",
    "text/plain": "txt",
}
_OOXML_MAIN = {
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "word/document.xml",
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "xl/workbook.xml",
    ),
}


def _magic() -> magic.Magic:
    detector = getattr(_local, "magic", None)
    if detector is None:
        detector = _local.magic = magic.Magic(mime=True)
    return detector


def _office_kind(path: Path) -> str | None:
    """'docx', 'xlsx' or None, from the package's declared main part (not its name)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > MAX_CONTENT_TYPES_XML:
                return None
            declared = archive.read(info).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, NotImplementedError, EOFError):
        return None
    for kind, (main_type, main_part) in _OOXML_MAIN.items():
        if main_type in declared and main_part in names:
            return kind
    return None


def inspect(spool: Spool) -> str:
    """The media type of the spooled content, or 415 / 422."""
    if spool.size == 0:
        raise UnprocessableEntity({"file": ["The file is empty."]})
    allowed = conf.allowed_types()
    head = bytes(spool.head)
    if head.startswith(b"PK\x03\x04"):
        kind = _office_kind(spool.path)
        if kind is None:
            raise UnsupportedType(
                "The file is a zip archive but not a Word (DOCX) or Excel (XLSX) document."
            )
    else:
        detected = _magic().from_buffer(head)
        kind = _MAGIC_TO_NAME.get(detected)
        if kind == "txt" and spool.has_nul:
            kind = None
        if kind is None:
            raise UnsupportedType(
                f"Files of type {detected} are not accepted. "
                f"Accepted: {', '.join(name.upper() for name in allowed)}."
            )
    if kind not in allowed:
        raise UnsupportedType(
            f"{kind.upper()} files are not accepted here. "
            f"Accepted: {', '.join(name.upper() for name in allowed)}."
        )
    return allowed[kind]


# --- file names ---------------------------------------------------------------------------

EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/tiff": ".tiff",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "text/plain": ".txt",
}
_BIDI = {chr(c) for c in (0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))}
_RESERVED = set('<>:"|?*')
MAX_NAME_BYTES = 255


def clean_filename(raw: str | None) -> str:
    """A safe file name from the client's, or '' when none was given.

    A name carrying a path (``/``, ``\\``), a traversal (``..``), control or bidi-override
    characters is refused (422), not silently rewritten: the client learns its name was
    wrong. Otherwise the name is NFC-normalized, stripped, freed of characters that are
    unsafe on common filesystems, and shortened to 255 UTF-8 bytes keeping its extension.
    """
    if raw is None:
        return ""
    name = unicodedata.normalize("NFC", raw).strip()
    if not name:
        return ""
    if "/" in name or "\\" in name or name in (".", "..") or name.startswith(".."):
        raise UnprocessableEntity(
            {"filename": ["The file name must be a plain name, without a path or '..'."]}
        )
    if any(unicodedata.category(ch) == "Cc" or ch in _BIDI for ch in name):
        raise UnprocessableEntity(
            {"filename": ["The file name contains control or direction-override characters."]}
        )
    name = "".join("_" if ch in _RESERVED else ch for ch in name).lstrip(". ")
    if not name:
        return ""
    return _shorten(name)


def _shorten(name: str) -> str:
    if len(name.encode()) <= MAX_NAME_BYTES:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension.encode()) > 16:
        stem, extension = name, ""
    suffix = f".{extension}" if extension else ""
    budget = MAX_NAME_BYTES - len(suffix.encode())
    encoded = stem.encode()[:budget]
    return encoded.decode("utf-8", errors="ignore") + suffix


def default_filename(title: str, content_type: str) -> str:
    base = "".join(ch if ch.isalnum() or ch in "-_ " else "_" for ch in title).strip() or "document"
    extension = EXTENSIONS.get(content_type, "")
    return _shorten(base[:200] + extension)
