"""Extraction children forked from the warm zygote keep the fresh sandbox's contract:
the same result, a failure for a bad file, a timeout that kills the child, and a zygote
that comes back after it died."""

from __future__ import annotations

import os
import random
import signal
import time

import pytest

from docuflow.extraction import ExtractionFailed, Limits, extract_safely
from docuflow.extraction import testdata as td
from docuflow.processing import warm_sandbox


@pytest.fixture(scope="module")
def invoice(tmp_path_factory):
    folder = tmp_path_factory.mktemp("warm")
    return td.invoice_pdf(folder / "invoice.pdf", td.random_invoice(random.Random(7)))


def test_a_warm_child_extracts_what_a_fresh_sandbox_does(invoice):
    warm = warm_sandbox.extract_warm(invoice, "application/pdf", document_type="INVOICE")
    fresh = extract_safely(invoice, "application/pdf", document_type="INVOICE")
    assert warm.to_dict() == fresh.to_dict()
    assert warm.key_values


def test_an_unreadable_file_fails_as_in_a_fresh_sandbox(tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\nthis is not a pdf at all")
    with pytest.raises(ExtractionFailed) as warm:
        warm_sandbox.extract_warm(broken, "application/pdf")
    with pytest.raises(ExtractionFailed) as fresh:
        extract_safely(broken, "application/pdf")
    assert warm.value.to_dict() == fresh.value.to_dict()


def test_a_child_past_its_wall_clock_limit_is_killed(tmp_path, invoice):
    scan = td.invoice_image(tmp_path / "scan.png", td.random_invoice(random.Random(8)))
    started = time.monotonic()
    with pytest.raises(ExtractionFailed) as failed:  # no OCR run is this fast
        warm_sandbox.extract_warm(scan, "image/png", limits=Limits(wall_seconds=0.2))
    assert failed.value.code == "timeout"
    assert time.monotonic() - started < 10
    # The zygote still serves the next extraction.
    assert warm_sandbox.extract_warm(invoice, "application/pdf").page_count == 1


def test_a_dead_zygote_is_started_again(invoice):
    warm_sandbox.extract_warm(invoice, "application/pdf")
    process, _ = warm_sandbox._zygote
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)
    assert warm_sandbox.extract_warm(invoice, "application/pdf").page_count == 1
    assert warm_sandbox._zygote[0].pid != process.pid


def test_the_zygotes_sample_is_read_as_an_invoice(tmp_path):
    """The zygote reads its built-in sample once, so that the readers' first-use work
    (PDFium, patterns, parsers) is done before it forks: the sample must really be read."""
    path = tmp_path / "sample.pdf"
    path.write_bytes(warm_sandbox.sample_pdf(warm_sandbox.SAMPLE_LINES))
    found = extract_safely(path, "application/pdf", document_type="INVOICE")
    assert found.key_values["Invoice Number"].value == "INV-2024-0001"
    assert found.key_values["Total Amount"].value == "20.00"
