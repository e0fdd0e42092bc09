"""Sample files of every accepted type (and some that must be refused), and machines."""

from __future__ import annotations

import io
import json
import zipfile

from docuflow.engine import services as engine

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
TXT = b"Invoice INV-2024-001\nTotal: 12,500.00 USD\n"
# A Windows executable renamed .pdf: "MZ" header, PE signature further on.
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 44
    + b"\x80\x00\x00\x00"
    + b"\x00" * 64
    + b"PE\x00\x00"
    + b"\x4c\x01"
    + b"\x00" * 200
)
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 9 + b"\x02\x00\x3e\x00" + b"\x00" * 200


def image(fmt: str) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(buffer, format=fmt)
    return buffer.getvalue()


def docx() -> bytes:
    import docx as python_docx

    buffer = io.BytesIO()
    document = python_docx.Document()
    document.add_paragraph("Contract between Acme and Globex")
    document.save(buffer)
    return buffer.getvalue()


def xlsx() -> bytes:
    import openpyxl

    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active.append(["Item", "Amount"])
    workbook.active.append(["Widget", 12])
    workbook.save(buffer)
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "just a zip")
    return buffer.getvalue()


def big_text(size: int) -> bytes:
    line = b"0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ\n"
    return (line * (size // len(line) + 1))[:size]


SAMPLES = {
    "pdf": (PDF, "application/pdf", "invoice.pdf"),
    "png": (None, "image/png", "scan.png"),
    "jpeg": (None, "image/jpeg", "photo.jpg"),
    "tiff": (None, "image/tiff", "fax.tiff"),
    "docx": (
        None,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "contract.docx",
    ),
    "xlsx": (
        None,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "sheet.xlsx",
    ),
    "txt": (TXT, "text/plain", "notes.txt"),
}


def sample(kind: str) -> tuple[bytes, str, str]:
    content, media_type, name = SAMPLES[kind]
    if content is None:
        content = {
            "png": lambda: image("PNG"),
            "jpeg": lambda: image("JPEG"),
            "tiff": lambda: image("TIFF"),
            "docx": docx,
            "xlsx": xlsx,
        }[kind]()
    return content, media_type, name


# A workflow that stays RUNNING (a one-hour Wait) so tests can see it run and stop.
HOLD = {
    "StartAt": "Hold",
    "States": {
        "Hold": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}


def state_machine(tenant, name: str = "document-workflow", definition: dict | None = None):
    return engine.create_state_machine(
        tenant, name, json.dumps(definition or HOLD), "arn:aws:iam::123456789012:role/docuflow"
    )
