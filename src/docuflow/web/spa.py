"""Serving the built client.

``npm run build`` writes ``dist/`` beside this module (or ``DOCUFLOW_WEB_DIST``). Files
under ``dist/assets/`` carry a content hash in their names, so they are cached for a
year; ``index.html`` is revalidated every time, so a new build is picked up at once.
Pre-compressed ``.br`` / ``.gz`` siblings (``scripts/compress.mjs``) are sent to clients
that accept them.
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path

from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
SHORT = "public, max-age=3600"

# Prefixes the client never claims: the API, the Step Functions API, signed links, the
# admin, probes, static files and WebSockets keep their own 404s.
RESERVED = ("api", "sfn", "files", "approve", "admin", "healthz", "readyz", "static", "ws")
SPA_PATTERN = r"^(?!(?:" + "|".join(RESERVED) + r")(?:/|$))(?P<path>.*)$"

mimetypes.add_type("text/javascript", ".mjs")
mimetypes.add_type("application/wasm", ".wasm")


def dist_dir() -> Path:
    configured = os.environ.get("DOCUFLOW_WEB_DIST")
    return Path(configured) if configured else Path(__file__).resolve().parent / "dist"


def _missing_build() -> HttpResponse:
    body = (
        "<!doctype html><meta charset=utf-8><title>DocuFlow</title>"
        "<p>The web client is not built. Run <code>make install</code> "
        "(or <code>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</code>).</p>"
    )
    response = HttpResponse(body, status=503)
    response["Cache-Control"] = REVALIDATE
    return response


def _send(request, path: Path, cache_control: str) -> FileResponse:
    content_type, _ = mimetypes.guess_type(path.name)
    accepted = request.headers.get("Accept-Encoding", "")
    chosen, encoding = path, None
    for suffix, name in ((".br", "br"), (".gz", "gzip")):
        candidate = path.with_name(path.name + suffix)
        if name in accepted and candidate.is_file():
            chosen, encoding = candidate, name
            break
    response = FileResponse(
        chosen.open("rb"), content_type=content_type or "application/octet-stream"
    )
    del response["Content-Disposition"]
    if encoding:
        response["Content-Encoding"] = encoding
    patch_vary_headers(response, ["Accept-Encoding"])
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _inside(root: Path, relative: str) -> Path | None:
    """The file ``relative`` under ``root``, never outside it."""
    if not relative or "\x00" in relative:
        return None
    candidate = (root / relative).resolve()
    try:
        candidate.relative_to(root.resolve())
    except ValueError:
        return None
    return candidate if candidate.is_file() else None


@csrf_exempt  # it changes nothing; other methods get the JSON 404 without a CSRF page
def serve(request, path: str = ""):
    """A built file when one is asked for by name; ``index.html`` for every client route.

    Only GET and HEAD are the client's; any other method answers the API's 404 envelope,
    as an unknown path did before the client was mounted.
    """
    if request.method not in ("GET", "HEAD"):
        return not_found_json(request, path)
    root = dist_dir()
    index = root / "index.html"
    if path.startswith("assets/"):
        found = _inside(root, path)
        if found is None:
            raise Http404("No such asset.")
        return _send(request, found, IMMUTABLE)
    found = _inside(root, path) if "." in path.rsplit("/", 1)[-1] else None
    if found is not None and found.name != "index.html" and found.suffix not in (".br", ".gz"):
        return _send(request, found, SHORT)
    if not index.is_file():
        return _missing_build()
    return _send(request, index, REVALIDATE)


def not_found_json(request, path: str = ""):
    return JsonResponse(
        {"detail": "Not found.", "status_code": 404, "code": "not_found"}, status=404
    )
