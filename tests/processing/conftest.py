"""Processing fixtures: a local vault, the default workflow, uploads and a worker loop."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from docuflow.documents.models import Document
from docuflow.engine.worker import Worker
from docuflow.extraction import testdata as td
from docuflow.processing import services

DOCS = "/api/v1/documents/"
RULES = "/api/v1/extraction-rules/"

MEDIA = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".tiff": "image/tiff",
    ".txt": "text/plain",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@pytest.fixture
def vault(settings, tmp_path):
    settings.DOCUFLOW_STORAGE_BACKEND = "local"
    settings.DOCUFLOW_STORAGE_DIR = str(tmp_path / "vault")
    settings.DOCUFLOW_EXTRACTION_TIMEOUT = 90
    return tmp_path / "vault"


@pytest.fixture
def workflow(tenant, vault):
    """The tenant runs the shipped extract-and-validate workflow (the processing stage
    alone, no human review) on every upload."""
    from docuflow.documents.services import bind_workflow
    from docuflow.engine.models import StateMachine

    services.ensure_default_workflow(tenant)
    machine = StateMachine.objects.get(tenant=tenant, name=services.EXTRACT_ONLY_WORKFLOW)
    return bind_workflow(tenant, machine)


@pytest.fixture
def files(tmp_path) -> Path:
    path = tmp_path / "files"
    path.mkdir()
    return path


@pytest.fixture
def upload(api, users, workflow):
    """``upload(path, document_type=…, user=…)``: a multipart POST /documents/ -> its JSON."""

    def send(path: Path, document_type: str = "INVOICE", user=None, **fields):
        media = MEDIA[path.suffix]
        data = {
            "title": fields.pop("title", path.stem),
            "document_type": document_type,
            "file": SimpleUploadedFile(path.name, path.read_bytes(), content_type=media),
            **fields,
        }
        response = api(user or users["UPLOADER"]).post(DOCS, data, format="multipart")
        assert response.status_code == 201, response.content
        return response.json()

    return send


def drain(rounds: int = 40) -> int:
    """Run the workflow worker until nothing is due; returns how many items it ran."""
    worker = Worker()
    total = 0
    for _ in range(rounds):
        done = worker.run_once()
        if done == 0:
            break
        total += done
    return total


def status_of(document_id) -> str:
    return Document.objects.get(pk=document_id).status


@pytest.fixture(scope="session")
def invoice_truth():
    return td.random_invoice(random.Random(4711))


@pytest.fixture
def invoice_pdf(files, invoice_truth) -> Path:
    return td.invoice_pdf(files / "invoice.pdf", invoice_truth, layout=0)
