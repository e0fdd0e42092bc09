"""Query budgets of one document's way through the review pipeline (issue 7).

Every step of the benchmark's path is counted: the upload, each workflow task the worker
runs (its claim and transition included), the reviewer's approval and a detail read.
A step that needs more queries than its budget fails here with the statements listed, so
a regression shows up before the benchmark. Figures before the issue 7 work in brackets.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from docuflow.approvals.models import ApprovalSettings
from docuflow.documents.models import Document
from docuflow.engine.worker import Worker
from docuflow.processing import services as processing
from tests.processing.conftest import files, invoice_pdf, invoice_truth, vault  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

DOCS = "/api/v1/documents/"

BUDGETS = {
    "upload": 20,  # (25)
    "docuflow-extract": 30,  # (32)
    "docuflow-validate": 21,  # (27) VALIDATING set together with the result
    "docuflow-prepare-review": 15,  # (16)
    "sqs:sendMessage": 35,  # (48) the human task, its link, its e-mail sent after commit
    "approve": 28,  # (31) plain look-ups: cheaper to build than fewer queries with subqueries
    "docuflow-archive": 20,  # (23)
    "docuflow-notify-completion": 23,  # (26) the e-mail queued and sent
    "detail": 4,  # (4)
}


def _step_name(item) -> str:
    resource = item.payload.get("resource", "")
    for name in BUDGETS:
        if resource.endswith(name) or name in resource:
            return name
    return resource


def _run_worker(counts: dict, statements: dict) -> None:
    worker = Worker(batch=1)
    for _ in range(50):
        with CaptureQueriesContext(connection) as captured:
            items = worker.claim()
            if not items:
                return
            worker.process(items[0])
        name = _step_name(items[0])
        counts[name] = len(captured.captured_queries)
        statements[name] = [q["sql"][:200] for q in captured.captured_queries]


def test_one_document_stays_within_its_query_budgets(tenant, users, api, vault, invoice_pdf):  # noqa: F811
    processing.ensure_default_workflow(tenant)
    ApprovalSettings.objects.update_or_create(
        tenant=tenant, defaults={"second_stage_amount": Decimal("99999999")}
    )
    uploader, reviewer = api(users["UPLOADER"]), api(users["REVIEWER"])
    # Warm the per-process caches (parsed definitions), as a running server has them.
    warm = uploader.post(
        DOCS,
        {
            "title": "warm-up",
            "document_type": "INVOICE",
            "file": SimpleUploadedFile("w.pdf", invoice_pdf.read_bytes(), "application/pdf"),
        },
        format="multipart",
    )
    assert warm.status_code == 201
    _run_worker({}, {})

    counts: dict[str, int] = {}
    statements: dict[str, list[str]] = {}
    body = {
        "title": "counted",
        "document_type": "INVOICE",
        "file": SimpleUploadedFile("c.pdf", invoice_pdf.read_bytes(), "application/pdf"),
    }
    with CaptureQueriesContext(connection) as captured:
        created = uploader.post(DOCS, body, format="multipart")
    assert created.status_code == 201, created.content
    counts["upload"] = len(captured.captured_queries)
    statements["upload"] = [q["sql"][:200] for q in captured.captured_queries]
    doc_id = created.json()["id"]

    _run_worker(counts, statements)
    assert Document.objects.get(pk=doc_id).status == "PENDING_APPROVAL"
    with CaptureQueriesContext(connection) as captured:
        approved = reviewer.post(f"{DOCS}{doc_id}/approve/", {"notes": "ok"}, format="json")
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "APPROVED"
    counts["approve"] = len(captured.captured_queries)
    statements["approve"] = [q["sql"][:200] for q in captured.captured_queries]

    _run_worker(counts, statements)
    with CaptureQueriesContext(connection) as captured:
        detail = reviewer.get(f"{DOCS}{doc_id}/")
    assert detail.json()["status"] == "ARCHIVED"
    counts["detail"] = len(captured.captured_queries)
    statements["detail"] = [q["sql"][:200] for q in captured.captured_queries]

    assert set(counts) == set(BUDGETS), counts
    over = {
        name: (counts[name], budget) for name, budget in BUDGETS.items() if counts[name] > budget
    }
    listing = "\n\n".join(
        f"{name}: {counts[name]} queries, budget {BUDGETS[name]}\n  "
        + "\n  ".join(statements[name])
        for name in over
    )
    assert not over, f"over budget (count, budget): {over}\n{listing}"
