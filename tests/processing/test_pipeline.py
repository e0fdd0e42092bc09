"""Uploads run through extraction and validation in the shipped workflow."""

from __future__ import annotations

import json
import random

import pytest

from docuflow.audit.models import AuditEntry
from docuflow.documents.models import Document
from docuflow.engine.models import Execution
from docuflow.extraction import testdata as td
from docuflow.notifications import events
from docuflow.processing.models import DocumentExtraction
from tests.processing.conftest import DOCS, drain, status_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(monkeypatch):
    """Status events as subscribers would receive them (subject id, previous, status)."""
    seen = []
    monkeypatch.setattr(
        events,
        "publish",
        lambda event: seen.append((event.subject_id, event.previous, event.status)),
    )
    return seen


def status_trail(document_id) -> list[tuple[str, str]]:
    entries = AuditEntry.objects.filter(
        object_id=str(document_id), action="document.status"
    ).order_by("created_at")
    return [(e.details["from"], e.details["to"]) for e in entries]


def test_an_invoice_pdf_is_extracted_validated_and_waits_for_approval(
    upload, api, users, invoice_pdf, invoice_truth, published
):
    doc = upload(invoice_pdf)
    assert doc["status"] == "UPLOADED" and doc["workflow_arn"]
    assert drain() > 0

    client = api(users["REVIEWER"])
    answer = client.get(f"{DOCS}{doc['id']}/").json()
    assert answer["status"] == "PENDING_APPROVAL"
    data = answer["extracted_data"]
    assert {k: data["key_values"].get(k) for k in invoice_truth.expected()} == (
        invoice_truth.expected()
    )
    assert data["page_count"] == 1 and data["confidence"] == 100.0
    assert data["validation"]["passed"] is True
    assert status_trail(doc["id"]) == [
        ("UPLOADED", "EXTRACTING"),
        ("EXTRACTING", "VALIDATING"),
        ("VALIDATING", "PENDING_APPROVAL"),
    ]
    assert published == [
        (doc["id"], "UPLOADED", "EXTRACTING"),
        (doc["id"], "EXTRACTING", "VALIDATING"),
        (doc["id"], "VALIDATING", "PENDING_APPROVAL"),
    ]
    run = Execution.objects.get(arn=doc["workflow_arn"])
    assert run.status == "SUCCEEDED"
    output = json.loads(run.output)
    # The state keeps the start input and the two results side by side, never nested twice.
    assert output["document_id"] == doc["id"]
    assert output["validation"]["passed"] is True
    assert output["extraction"]["key_values"]["Invoice Number"] == invoice_truth.invoice_number

    # The review screen's view: values with their boxes, words, lines and tables.
    full = client.get(f"{DOCS}{doc['id']}/extraction/")
    assert full.status_code == 200
    body = full.json()
    assert body["status"] == "SUCCEEDED" and body["version"] == 1
    assert body["methods"] == ["text_layer"] and body["failure_reason"] is None
    total = body["key_values"]["Total Amount"]
    assert (total["value"], total["currency"], total["page"]) == (
        invoice_truth.total,
        invoice_truth.currency,
        1,
    )
    assert total["confidence"] == 100
    left, top, width, height = total["bbox"]
    assert 0 <= left < 1 and 0 <= top < 1 and 0 < width <= 1 and 0 < height <= 1
    words = {w["id"]: w for w in body["words"]}
    assert all(word_id in words for word_id in total["word_ids"])
    assert body["pages"][0]["method"] == "text_layer"
    assert body["tables"], "the line items are a table"
    assert body["validation"]["passed"] is True


def test_a_scanned_invoice_image_is_read_by_ocr(upload, api, users, files):
    truth = td.random_invoice(random.Random(808))
    path = td.invoice_image(files / "scan.png", truth, layout=0, dpi=150, noise=0.4, seed=3)
    doc = upload(path)
    drain()
    body = api(users["UPLOADER"]).get(f"{DOCS}{doc['id']}/extraction/").json()
    assert body["methods"] == ["ocr"]
    got = {k: body["key_values"].get(k, {}).get("value") for k in truth.expected()}
    assert got == truth.expected()
    assert 50 < body["confidence"] < 100  # Tesseract's own word confidences
    assert status_of(doc["id"]) == "PENDING_APPROVAL"


def test_a_filled_acroform_gives_its_fields_at_full_confidence(upload, api, users, files):
    path = td.acroform_pdf(
        files / "form.pdf",
        {
            "applicant_name": ("Full Name", "Jane Q. Doe"),
            "date_signed": ("Date", "03/14/2024"),
            "signature": ("Signature", "J. Doe"),
        },
    )
    doc = upload(path, document_type="FORM")
    drain()
    answer = api(users["UPLOADER"]).get(f"{DOCS}{doc['id']}/").json()
    assert answer["status"] == "PENDING_APPROVAL"
    assert answer["extracted_data"]["key_values"] == {
        "Name": "Jane Q. Doe",
        "Date": "2024-03-14",
        "Signature": "J. Doe",
    } | {
        k: v
        for k, v in answer["extracted_data"]["key_values"].items()
        if k not in ("Name", "Date", "Signature")
    }
    body = api(users["UPLOADER"]).get(f"{DOCS}{doc['id']}/extraction/").json()
    assert "form_fields" in body["pages"][0]["methods"]
    assert body["key_values"]["Name"]["confidence"] == 100


def test_a_hostile_file_fails_cleanly_and_the_worker_keeps_working(
    upload, api, users, files, invoice_pdf, invoice_truth
):
    locked = upload(td.encrypted_pdf(files / "locked.pdf", invoice_pdf), title="locked")
    bomb = upload(td.huge_png(files / "huge.png"), title="huge")
    good = upload(invoice_pdf, title="good")
    drain()

    client = api(users["UPLOADER"])
    for doc, code in ((locked, "password_protected"), (bomb, "too_large")):
        answer = client.get(f"{DOCS}{doc['id']}/").json()
        assert answer["status"] == "EXTRACTION_FAILED"
        reason = answer["extracted_data"]["failure_reason"]
        assert reason["code"] == code and reason["message"]
        body = client.get(f"{DOCS}{doc['id']}/extraction/").json()
        assert body["status"] == "FAILED" and body["failure_reason"] == reason
        assert body["key_values"] == {} and body["words"] == []
        run = Execution.objects.get(arn=doc["workflow_arn"])
        assert run.status == "SUCCEEDED"  # the workflow caught it and marked the document
        failed = run.events.filter(type="LambdaFunctionFailed").values_list("details", flat=True)
        assert [d["lambdaFunctionFailedEventDetails"]["error"] for d in failed] == [
            "Extraction." + "".join(p.capitalize() for p in code.split("_"))
        ]
    assert status_of(good["id"]) == "PENDING_APPROVAL"


def test_missing_fields_end_in_validation_failed(upload, api, users, files):
    path = td.text_pdf(files / "thin.pdf", [["Invoice Number: INV-2024-0042", "Thanks!"]])
    doc = upload(path)
    drain()
    answer = api(users["UPLOADER"]).get(f"{DOCS}{doc['id']}/").json()
    assert answer["status"] == "VALIDATION_FAILED"
    validation = answer["extracted_data"]["validation"]
    assert validation["passed"] is False
    assert {"Date", "Total Amount"} <= set(validation["missing_fields"])
    assert answer["extracted_data"]["key_values"]["Invoice Number"] == "INV-2024-0042"


def test_no_extraction_yet_and_invisible_documents_are_404(
    upload, api, users, outsider, invoice_pdf
):
    doc = upload(invoice_pdf)
    url = f"{DOCS}{doc['id']}/extraction/"
    answer = api(users["UPLOADER"]).get(url)
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    drain()
    assert api(users["UPLOADER"]).get(url).status_code == 200
    assert api(outsider).get(url).status_code == 404
    assert api().get(url).status_code == 401


def test_a_restricted_document_s_extraction_is_hidden_like_the_document(
    upload, api, users, invoice_pdf
):
    doc = upload(invoice_pdf, user=users["MANAGER"], visibility="RESTRICTED")
    drain()
    url = f"{DOCS}{doc['id']}/extraction/"
    assert api(users["MANAGER"]).get(url).status_code == 200
    assert api(users["ADMIN"]).get(url).status_code == 200
    assert api(users["REVIEWER"]).get(url).status_code == 404


def test_a_new_version_replaces_the_extraction(upload, api, users, files, invoice_pdf):
    doc = upload(invoice_pdf)
    drain()
    client = api(users["UPLOADER"])
    thin = td.text_pdf(files / "thin.pdf", [["Invoice Number: INV-7", "Vendor: Tiny Co"]])
    put = client.put(
        f"{DOCS}{doc['id']}/content/", data=thin.read_bytes(), content_type="application/pdf"
    )
    assert put.status_code == 200, put.content
    # Until the new version is extracted, there is no extraction to show for it.
    assert client.get(f"{DOCS}{doc['id']}/extraction/").status_code == 404
    drain()
    body = client.get(f"{DOCS}{doc['id']}/extraction/").json()
    assert body["version"] == 2
    assert body["key_values"]["Invoice Number"]["value"] == "INV-7"
    assert Document.objects.get(pk=doc["id"]).status == "VALIDATION_FAILED"
    assert DocumentExtraction.objects.filter(document_id=doc["id"]).count() == 2


@pytest.mark.parametrize(("make", "method"), [(td.invoice_docx, "docx"), (td.invoice_xlsx, "xlsx")])
def test_office_invoices_are_read(upload, api, users, files, invoice_truth, make, method):
    path = make(files / f"invoice.{method}", invoice_truth)
    doc = upload(path)
    drain()
    body = api(users["UPLOADER"]).get(f"{DOCS}{doc['id']}/extraction/").json()
    assert body["methods"][:1] == [method], (body["status"], body["failure_reason"])
    assert body["key_values"]["Invoice Number"]["value"] == invoice_truth.invoice_number
    assert body["tables"], "line items come back as a table"


def test_a_huge_key_value_list_is_trimmed_for_the_state_machine(tenant):
    from docuflow.processing.tasks import _state_result

    class Record:
        pk = "x"

    seed = {
        "key_values": {f"Note {i}": "x" * 200 for i in range(1000)} | {"Invoice Number": "A-1"},
        "page_count": 3,
        "confidence": 99.0,
    }
    result = _state_result(seed, Record(), "INVOICE", None)
    assert result["truncated"] is True
    assert result["key_values"] == {"Invoice Number": "A-1"}
    assert len(json.dumps(result)) < 64 * 1024


def test_the_configured_time_limit_stops_a_slow_extraction(upload, api, users, files, settings):
    settings.DOCUFLOW_EXTRACTION_TIMEOUT = 0.1  # no OCR run (nor interpreter start) is this fast
    truth = td.random_invoice(random.Random(5))
    doc = upload(td.invoice_image(files / "slow.png", truth, dpi=150))
    drain()
    answer = api(users["UPLOADER"]).get(f"{DOCS}{doc['id']}/").json()
    assert answer["status"] == "EXTRACTION_FAILED"
    assert answer["extracted_data"]["failure_reason"]["code"] == "timeout"
