"""Sending a document version: ranges, conditional requests, and verified bytes.

Every byte sent has been checked first. At upload the vault stores the SHA-256 of each
1 MiB block besides the hash of the whole file; a download reads whole blocks, hashes
each, and yields it only when it matches. So a corrupted blob can never be delivered as
if it were good, a ``Range`` request costs at most one extra block at each end, and the
check never needs the whole file in memory. The first block is read and checked before
the response starts: a mismatch there (every file up to 1 MiB) is a clean 500
``integrity_error``; a mismatch further on aborts the transfer, which the client sees as
a truncated body (its ``Content-Length`` is never reached), never as a complete file.

Under ASGI the body is an async iterator (each block read in a worker thread), because
Django would otherwise collect a synchronous iterator whole in memory before sending.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator
from urllib.parse import quote

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.http import http_date, quote_etag

from docuflow.api.errors import envelope
from docuflow.documents import storage
from docuflow.documents.models import DocumentVersion

log = logging.getLogger(__name__)

_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


class IntegrityFailure(Exception):
    pass


def parse_range(header: str | None, size: int) -> tuple[int, int] | None | str:
    """(start, end-exclusive), None for the whole file, or "unsatisfiable".

    Malformed headers and multi-range requests are ignored (the whole file is sent),
    as RFC 9110 allows.
    """
    if not header:
        return None
    match = _RANGE.match(header)
    if not match:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix: the last N bytes
        length = int(last)
        if length == 0:
            return "unsatisfiable"
        return (max(0, size - length), size)
    start = int(first)
    end = size if not last else min(int(last) + 1, size)
    if last and int(last) < start:
        return None
    if start >= size:
        return "unsatisfiable"
    return (start, end)


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """RFC 6266: an ASCII fallback in ``filename`` and the exact name in ``filename*``."""
    fallback = (
        "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\%;' else "_" for ch in filename)
        or "download"
    )
    header = f'{disposition}; filename="{fallback}"'
    if fallback != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header


def verified_blocks(version: DocumentVersion, start: int, end: int) -> Iterator[bytes]:
    """The bytes start..end of the version, each block checked against its hash."""
    block_size = version.block_size
    first_block = start // block_size
    last_block = (end - 1) // block_size
    read_from = first_block * block_size
    read_to = min(version.size, (last_block + 1) * block_size)
    index = first_block
    offset = read_from
    buffer = bytearray()
    chunks = storage.get_storage().read(version.storage_key, read_from, read_to)
    try:
        for chunk in chunks:
            if not buffer and (
                len(chunk) == block_size or (chunk and offset + len(chunk) == read_to)
            ):
                # The usual case: the store hands over exactly one block; no copying.
                yield _checked(version, index, chunk, offset, start, end)
                index += 1
                offset += len(chunk)
                continue
            buffer += chunk
            while len(buffer) >= block_size or (buffer and offset + len(buffer) >= read_to):
                block = bytes(buffer[:block_size])
                del buffer[:block_size]
                yield _checked(version, index, block, offset, start, end)
                index += 1
                offset += len(block)
        if offset < read_to:
            raise IntegrityFailure(f"{version.storage_key} is shorter than recorded")
    finally:
        close = getattr(chunks, "close", None)
        if close:
            close()


def _checked(version, index, block, offset, start, end) -> bytes:
    expected = version.block_hashes[index] if index < len(version.block_hashes) else None
    if hashlib.sha256(block).hexdigest() != expected:
        raise IntegrityFailure(f"{version.storage_key} block {index} does not match its hash")
    first, last = max(0, start - offset), max(0, min(len(block), end - offset))
    return block if (first, last) == (0, len(block)) else block[first:last]


async def _as_async(iterator: Iterator[bytes]):
    step = sync_to_async(next, thread_sensitive=False)
    try:
        while True:
            chunk = await step(iterator, None)
            if chunk is None:
                return
            yield chunk
    finally:
        await sync_to_async(iterator.close, thread_sensitive=False)()


def _integrity_error() -> JsonResponse:
    return JsonResponse(
        envelope(
            500,
            "integrity_error",
            "The stored file failed its integrity check and was not sent.",
        ),
        status=500,
    )


def respond(request, version: DocumentVersion, on_send=None) -> HttpResponse:
    """The response for a GET or HEAD of ``version``.

    ``on_send(byte_range)`` is called once the response is known to carry content (to
    record the download); it is not called for 304, 416 or HEAD.
    """
    etag = quote_etag(version.sha256)
    headers = {
        "ETag": etag,
        "Accept-Ranges": "bytes",
        "Last-Modified": http_date(version.created_at.timestamp()),
        "Cache-Control": "private, no-cache",
        "Content-Disposition": content_disposition(version.filename),
        "X-Content-Type-Options": "nosniff",
    }
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match and (if_none_match.strip() == "*" or etag in if_none_match):
        return HttpResponse(status=304, headers=headers)

    byte_range = parse_range(request.headers.get("Range"), version.size)
    if_range = request.headers.get("If-Range")
    if byte_range is not None and if_range and if_range.strip() != etag:
        byte_range = None  # the client's copy is stale: send it the whole new one
    if byte_range == "unsatisfiable":
        response = JsonResponse(
            envelope(416, "range_not_satisfiable", "The requested range is outside the file."),
            status=416,
        )
        response["Content-Range"] = f"bytes */{version.size}"
        return response

    start, end = byte_range if byte_range else (0, version.size)
    status = 206 if byte_range else 200
    headers["Content-Length"] = str(end - start)
    if byte_range:
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{version.size}"
    if request.method == "HEAD":
        response = HttpResponse(status=status, content_type=version.content_type, headers=headers)
        return response

    body = verified_blocks(version, start, end)
    try:
        first = next(body, b"")
    except IntegrityFailure:
        log.error("integrity check failed for %s", version.storage_key, exc_info=True)
        return _integrity_error()
    except storage.StorageError:
        log.exception("could not read %s", version.storage_key)
        return JsonResponse(
            envelope(503, "storage_unavailable", "The document store is unavailable."),
            status=503,
        )
    if on_send is not None:
        on_send(byte_range if byte_range else None)
    content = _prepend(first, body)
    if isinstance(getattr(request, "_request", request), ASGIRequest):
        content = _as_async(content)
    return StreamingHttpResponse(
        content, status=status, content_type=version.content_type, headers=headers
    )


def _prepend(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    try:
        if first:
            yield first
        yield from rest
    except IntegrityFailure:
        log.error("integrity check failed mid-transfer; aborting the response", exc_info=True)
        raise
    finally:
        rest.close()
