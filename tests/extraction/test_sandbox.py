"""Hostile files end in a typed ExtractionFailed; the calling process carries on."""

import os

import pytest

from docuflow.extraction import ExtractionFailed, Limits, extract, extract_safely
from docuflow.extraction import testdata as td


def _code(path, content_type=None, **kwargs):
    with pytest.raises(ExtractionFailed) as info:
        extract_safely(path, content_type, **kwargs)
    return info.value.code


def test_success_round_trips_through_the_child(invoice_pdfs):
    path, truth = invoice_pdfs[0]
    ex = extract_safely(path, "application/pdf", document_type="INVOICE")
    assert ex.key_values["Invoice Number"].value == truth.invoice_number
    assert ex.tables and ex.words[0].bbox.width > 0


def test_encrypted_pdf(docs, form_pdf):
    path = td.encrypted_pdf(docs / "locked.pdf", form_pdf)
    assert _code(path, "application/pdf") == "password_protected"


def test_truncated_pdf(docs, invoice_pdfs):
    path = td.truncated(docs / "truncated.pdf", invoice_pdfs[0][0], keep=0.3)
    assert _code(path, "application/pdf") == "corrupt"


def test_garbage_declared_as_pdf_and_as_unknown(docs):
    path = td.garbage(docs / "garbage.bin")
    assert _code(path, "application/pdf") == "corrupt"
    assert _code(path, "application/octet-stream") == "unsupported"
    assert _code(path, "image/png") in {"corrupt", "unsupported"}


def test_empty_file(docs):
    path = docs / "empty.pdf"
    path.write_bytes(b"")
    assert _code(path, "application/pdf") == "corrupt"


def test_huge_dimension_png_header(docs):
    path = td.huge_png(docs / "huge.png")
    assert os.path.getsize(path) < 2000
    assert _code(path, "image/png") == "too_large"
    with pytest.raises(ExtractionFailed) as info:  # also in-process: refused before decoding
        extract(path, "image/png")
    assert info.value.code == "too_large"


@pytest.mark.parametrize(
    ("name", "member"), [("bomb.docx", "word/document.xml"), ("bomb.xlsx", "xl/workbook.xml")]
)
def test_zip_bomb_office_files(docs, name, member):
    path = td.zip_bomb_docx(docs / name, inflated_mib=32, member=member)
    assert os.path.getsize(path) < 200_000
    assert _code(path) == "too_large"


def test_page_limit(docs):
    path = td.text_pdf(docs / "three.pdf", [["a page of text here"]] * 3)
    assert _code(path, "application/pdf", limits=Limits(max_pages=2)) == "too_large"


def test_wall_clock_timeout_kills_the_child(mixed_pdf):
    assert _code(mixed_pdf, "application/pdf", limits=Limits(wall_seconds=0.2)) == "timeout"


def test_cpu_limit(docs):
    # A CPU budget of one second cannot even import the readers and OCR a page.
    cv = td.ImageCanvas(300)
    for i in range(40):
        cv.text(40, 30 + i * 18, "The quick brown fox jumps over the lazy dog " * 2, 9)
    path = docs / "dense.png"
    cv.pages[0].save(path)
    code = _code(path, "image/png", limits=Limits(cpu_seconds=1, ocr_workers=1))
    assert code == "timeout"


def test_memory_limit(docs):
    path = td.text_pdf(docs / "small.pdf", [["hello"]])
    # Too little to load the PDF readers, with or without their bytecode compiled ahead
    # (compiling in the child needs more memory; 64 MiB is enough once it is cached).
    limits = Limits(memory_bytes=40 * 1024 * 1024)
    assert _code(path, "application/pdf", limits=limits) == "resource_limit"


def test_image_limit_does_not_leak_into_the_host_process(docs):
    from PIL import Image

    before = Image.MAX_IMAGE_PIXELS
    with pytest.raises(ExtractionFailed):
        extract(td.huge_png(docs / "huge2.png"), "image/png", limits=Limits(max_image_pixels=1000))
    assert before == Image.MAX_IMAGE_PIXELS


def test_missing_file_is_a_typed_failure(docs):
    assert _code(docs / "does-not-exist.pdf", "application/pdf") == "corrupt"


def test_unknown_limits_are_refused():
    with pytest.raises(ValueError, match="unknown limit"):
        Limits.from_dict({"wall_secs": 5})
