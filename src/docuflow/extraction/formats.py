"""Which reader a file needs: the declared content type, checked against magic bytes."""

from __future__ import annotations

import zipfile

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
TEXT = "text/plain"
IMAGE_TYPES = frozenset({PNG, JPEG, TIFF, "image/gif", "image/bmp", "image/webp"})
SUPPORTED = frozenset({PDF, DOCX, XLSX, TEXT, "text/csv", *IMAGE_TYPES})

_ALIASES = {
    "image/jpg": JPEG,
    "image/pjpeg": JPEG,
    "image/tif": TIFF,
    "image/x-png": PNG,
    "image/x-ms-bmp": "image/bmp",
    "application/x-pdf": PDF,
    "text/x-log": TEXT,
    "text/markdown": TEXT,
}


def normalize_content_type(content_type: str | None) -> str:
    ct = (content_type or "").split(";")[0].strip().lower()
    return _ALIASES.get(ct, ct)


def sniff(path: str) -> str | None:
    """The format the bytes say, or None when they do not say."""
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if b"%PDF-" in head[:1024]:
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return TIFF
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:2] == b"BM":
        return "image/bmp"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
        except zipfile.BadZipFile:
            return "application/zip"
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
        return "application/zip"
    return None


def resolve(path: str, content_type: str | None) -> tuple[str, list[str]]:
    """(content type to read with, warnings). Bytes win over a wrong declaration."""
    declared = normalize_content_type(content_type)
    found = sniff(path)
    warnings: list[str] = []
    if found and found != declared:
        if declared and declared not in ("application/octet-stream", "binary/octet-stream"):
            warnings.append(f"declared as {declared} but the content is {found}")
        return found, warnings
    if found is None and declared in (PDF, DOCX, XLSX, *IMAGE_TYPES):
        # Declared binary format without its signature: a damaged or mislabelled file.
        return declared, warnings
    return declared or TEXT, warnings
