"""Vault fixtures: every test runs on the local backend and on S3 (a real moto server)."""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path

import pytest

from docuflow.documents import storage
from docuflow.documents.models import Document
from tests.documents import factories

DOCS = "/api/v1/documents/"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    """A real S3-compatible HTTP server (moto's server mode) for the whole session."""
    from moto.server import ThreadedMotoServer

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


class Backend:
    """The storage a test runs on, with helpers to look inside it."""

    def __init__(self, name: str, root: Path) -> None:
        self.name = name
        self.root = root

    @property
    def storage(self):
        return storage.get_storage()

    def keys(self) -> list[str]:
        """Every blob the backend holds (S3 objects or files under the local root)."""
        if self.name == "s3":
            answer = self.storage.client.list_objects_v2(Bucket=self.storage.bucket)
            return sorted(item["Key"] for item in answer.get("Contents", []))
        return sorted(
            str(path.relative_to(self.root))
            for path in self.root.rglob("*")
            if path.is_file() and ".incoming" not in path.parts
        )

    def spooled(self) -> list[Path]:
        """Temporary upload files left behind (there must never be any)."""
        incoming = self.root / ".incoming"
        return sorted(incoming.iterdir()) if incoming.exists() else []

    def read(self, key: str) -> bytes:
        return b"".join(self.storage.read(key))

    def overwrite(self, key: str, content: bytes) -> None:
        if self.name == "s3":
            self.storage.client.put_object(Bucket=self.storage.bucket, Key=key, Body=content)
        else:
            (self.root / key).write_bytes(content)

    def assert_clean(self, documents: int = 0) -> None:
        assert Document.objects.count() == documents
        assert self.spooled() == []
        if documents == 0:
            assert self.keys() == []


@pytest.fixture(params=["local", "s3"])
def backend(request, settings, tmp_path, monkeypatch):
    root = tmp_path / "vault"
    settings.DOCUFLOW_STORAGE_DIR = str(root)
    settings.DOCUFLOW_STORAGE_BACKEND = request.param
    if request.param == "s3":
        endpoint = request.getfixturevalue("s3_endpoint")
        settings.DOCUFLOW_S3_ENDPOINT_URL = endpoint
        settings.DOCUFLOW_S3_BUCKET = f"vault-{uuid.uuid4().hex[:12]}"
        settings.DOCUFLOW_S3_REGION = "us-east-1"
        storage.get_storage().ensure_bucket()
    storage.spool_dir()
    return Backend(request.param, root)


@pytest.fixture
def upload(api):
    """``upload(user, content, name=…, **fields)``: a multipart POST /documents/."""

    def send(user, content: bytes, name: str = "invoice.pdf", **fields):
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = {"title": fields.pop("title", "Q1 invoice"), **fields}
        data["file"] = SimpleUploadedFile(name, content, content_type="application/pdf")
        return api(user).post(DOCS, data, format="multipart")

    return send


@pytest.fixture
def make_document(users, upload, backend):
    """A document with content, uploaded by ``user`` (default: the UPLOADER)."""

    def make(user=None, content: bytes = factories.PDF, **fields):
        response = upload(user or users["UPLOADER"], content, **fields)
        assert response.status_code == 201, response.content
        return response.json()

    return make


@pytest.fixture
def machine(tenant):
    return factories.state_machine(tenant)
