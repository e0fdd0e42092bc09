"""Uploads, three ways, and every bad input: a clear 4xx, and nothing left behind."""

from __future__ import annotations

import hashlib
import unicodedata
from urllib.parse import quote, urlsplit

import httpx
import pytest

from docuflow.documents.models import Document, DocumentVersion
from tests.documents import factories
from tests.documents.conftest import DOCS

pytestmark = pytest.mark.django_db


def content_url(doc_id) -> str:
    return f"{DOCS}{doc_id}/content/"


def put_content(client, doc_id, content: bytes, **headers):
    return client.put(
        content_url(doc_id), data=content, content_type="application/octet-stream", **headers
    )


def relative(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


# --- the three ways in ---------------------------------------------------------------------


def test_multipart_upload_stores_a_checked_document(users, upload, backend):
    response = upload(users["UPLOADER"], factories.PDF, name="invoice.pdf", document_type="INVOICE")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "UPLOADED"
    assert body["document_type"] == "INVOICE"
    assert body["content_type"] == "application/pdf"
    assert body["filename"] == "invoice.pdf"
    assert body["file_size"] == len(factories.PDF)
    assert body["sha256"] == hashlib.sha256(factories.PDF).hexdigest()
    assert body["version"] == 1
    assert body["uploaded_by"] == str(users["UPLOADER"].pk)
    assert body["tenant_id"] == "acme-corp"
    assert body["upload_url"] is None
    key = f"tenants/acme-corp/documents/{body['id']}/v1"
    assert backend.keys() == [key]
    assert backend.read(key) == factories.PDF
    assert backend.spooled() == []


@pytest.mark.parametrize("kind", sorted(factories.SAMPLES))
def test_every_allowed_type_is_recognized_by_its_bytes(kind, users, upload, backend):
    content, media_type, _name = factories.sample(kind)
    # The client's name and claimed type are wrong on purpose: the bytes decide.
    response = upload(users["UPLOADER"], content, name="upload.bin")
    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == media_type


def test_json_create_then_the_upload_url_receives_the_content(users, api, backend):
    client = api(users["UPLOADER"])
    response = client.post(DOCS, {"title": "Contract", "document_type": "CONTRACT"}, format="json")
    assert response.status_code == 201, response.content
    doc = response.json()
    assert doc["status"] == "UPLOADED" and doc["file_size"] == 0 and doc["version"] == 0
    assert doc["upload_url"]
    listed = client.get(DOCS).json()["results"]
    assert [(d["id"], d["file_size"], d["status"]) for d in listed] == [(doc["id"], 0, "UPLOADED")]

    content, _type, _name = factories.sample("docx")
    if backend.name == "local":
        # A DocuFlow-signed URL: no bearer token, 200 with an ETag as S3 answers.
        answer = api().put(
            relative(doc["upload_url"]),
            data=content,
            content_type="application/octet-stream",
            HTTP_CONTENT_DISPOSITION='attachment; filename="contract.docx"',
        )
        assert answer.status_code == 200, answer.content
        assert answer["ETag"] == f'"{hashlib.sha256(content).hexdigest()}"'
    else:
        # A real S3 pre-signed URL, straight to the store; then DocuFlow checks it.
        assert doc["upload_url"].startswith(backend.storage.client.meta.endpoint_url)
        answer = httpx.put(doc["upload_url"], content=content)
        assert answer.status_code == 200, answer.text
        assert client.get(f"{DOCS}{doc['id']}/").json()["version"] == 0
        completed = client.post(f"{DOCS}{doc['id']}/complete/")
        assert completed.status_code == 200, completed.content

    stored = client.get(f"{DOCS}{doc['id']}/").json()
    assert stored["version"] == 1
    assert stored["file_size"] == len(content)
    assert stored["content_type"].endswith("wordprocessingml.document")
    assert stored["upload_url"] is None
    assert backend.keys() == [f"tenants/acme-corp/documents/{doc['id']}/v1"]
    # Completing again changes nothing.
    assert client.post(f"{DOCS}{doc['id']}/complete/").json()["version"] == 1


def test_complete_without_content_is_409(users, api, backend):
    client = api(users["UPLOADER"])
    doc = client.post(DOCS, {"title": "Empty"}, format="json").json()
    response = client.post(f"{DOCS}{doc['id']}/complete/")
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_raw_put_adds_versions_and_keeps_the_old_ones(users, api, make_document, backend):
    client = api(users["UPLOADER"])
    doc = make_document()
    response = put_content(
        client,
        doc["id"],
        factories.TXT,
        HTTP_CONTENT_DISPOSITION="attachment; filename*=UTF-8''" + quote("Facture été.txt"),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["version"] == 2
    assert body["filename"] == unicodedata.normalize("NFC", "Facture été.txt")
    assert body["content_type"] == "text/plain"
    versions = client.get(f"{DOCS}{doc['id']}/versions/").json()
    assert versions["count"] == 2
    assert [v["number"] for v in versions["results"]] == [2, 1]
    assert versions["results"][1]["storage_key"].endswith("/v1")
    assert sorted(backend.keys()) == [
        f"tenants/acme-corp/documents/{doc['id']}/v1",
        f"tenants/acme-corp/documents/{doc['id']}/v2",
    ]
    old = client.get(f"{DOCS}{doc['id']}/download/", {"version": 1})
    assert b"".join(old.streaming_content) == factories.PDF


def test_raw_put_takes_the_cloud_vault_file_name_header(users, api, make_document, backend):
    doc = make_document()
    response = put_content(
        api(users["UPLOADER"]), doc["id"], factories.TXT, HTTP_FILE_NAME="payroll.txt"
    )
    assert response.status_code == 200
    assert response.json()["filename"] == "payroll.txt"


def test_decomposed_unicode_names_are_normalized_to_nfc(users, upload, backend):
    decomposed = unicodedata.normalize("NFD", "résumé.pdf")
    response = upload(users["UPLOADER"], factories.PDF, name=decomposed)
    assert response.json()["filename"] == unicodedata.normalize("NFC", "résumé.pdf")


# --- bad inputs ------------------------------------------------------------------------------


def assert_error(response, status: int, code: str):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["status_code"] == status and body["code"] == code and body["detail"]
    return body


def test_oversized_multipart_is_413_and_leaves_nothing(users, upload, backend, settings):
    settings.DOCUFLOW_MAX_UPLOAD_BYTES = 1000
    response = upload(users["UPLOADER"], factories.big_text(5000), name="big.txt")
    assert_error(response, 413, "payload_too_large")
    backend.assert_clean()


def test_oversized_raw_put_is_413_and_keeps_the_old_version(
    users, api, make_document, backend, settings
):
    doc = make_document()
    settings.DOCUFLOW_MAX_UPLOAD_BYTES = 1000
    response = put_content(api(users["UPLOADER"]), doc["id"], factories.big_text(5000))
    assert_error(response, 413, "payload_too_large")
    assert DocumentVersion.objects.count() == 1
    assert Document.objects.get().version == 1
    assert backend.keys() == [f"tenants/acme-corp/documents/{doc['id']}/v1"]
    assert backend.spooled() == []


def test_oversized_body_without_a_length_is_stopped_while_streaming(
    users, make_document, backend, settings
):
    from django.test import RequestFactory

    from docuflow.documents.views import _receive_body

    settings.DOCUFLOW_MAX_UPLOAD_BYTES = 3 * 1024 * 1024
    request = RequestFactory().put(
        "/", data=factories.big_text(8 * 1024 * 1024), content_type="text/plain"
    )
    del request.META["CONTENT_LENGTH"]
    read = []
    original = request.read
    request.read = lambda size=-1: read.append(size) or original(size)
    from docuflow.api.errors import PayloadTooLarge

    with pytest.raises(PayloadTooLarge):
        _receive_body(request)
    assert sum(read) <= 4 * 1024 * 1024  # stopped at the limit, not at the end
    assert backend.spooled() == []


def test_disguised_executable_is_415(users, upload, api, make_document, backend):
    for payload in (factories.EXE, factories.ELF):
        response = upload(users["UPLOADER"], payload, name="invoice.pdf")
        body = assert_error(response, 415, "unsupported_media_type")
        assert "not accepted" in body["detail"]
    backend.assert_clean()
    doc = make_document()
    response = put_content(
        api(users["UPLOADER"]), doc["id"], factories.EXE, HTTP_FILE_NAME="invoice.pdf"
    )
    assert_error(response, 415, "unsupported_media_type")
    assert Document.objects.get().version == 1
    assert len(backend.keys()) == 1


def test_a_zip_that_is_not_an_office_document_is_415(users, upload, backend):
    response = upload(users["UPLOADER"], factories.plain_zip(), name="report.docx")
    body = assert_error(response, 415, "unsupported_media_type")
    assert "zip" in body["detail"]
    backend.assert_clean()


def test_types_outside_the_allow_list_are_415(users, upload, backend, settings):
    settings.DOCUFLOW_ALLOWED_TYPES = "pdf"
    png, _type, _name = factories.sample("png")
    assert_error(upload(users["UPLOADER"], png, name="a.png"), 415, "unsupported_media_type")
    backend.assert_clean()


def test_text_with_binary_zeros_is_not_text(users, upload, backend):
    content = factories.TXT + b"\x00\x01\x02" + factories.TXT
    assert_error(upload(users["UPLOADER"], content, name="a.txt"), 415, "unsupported_media_type")
    backend.assert_clean()


def test_empty_file_is_422(users, upload, api, make_document, backend):
    assert_error(upload(users["UPLOADER"], b"", name="empty.pdf"), 422, "validation_error")
    backend.assert_clean()
    doc = make_document()
    response = put_content(api(users["UPLOADER"]), doc["id"], b"")
    body = assert_error(response, 422, "validation_error")
    assert "empty" in str(body["errors"])
    assert Document.objects.get().version == 1


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "..\\..\\boot.ini",
        "/etc/passwd",
        "a/b.pdf",
        "bad\x00name.pdf",
        "evil\u202efdp.exe",
        "..",
    ],
)
def test_path_and_control_characters_in_names_are_422(name, users, api, backend):
    # Built by hand: Django's test client would strip the path before sending it.
    boundary = "BoUnDaRy"
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{quoted}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + factories.TXT
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = api(users["UPLOADER"]).generic(
        "POST", DOCS, body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    body = assert_error(response, 422, "validation_error")
    assert "filename" in body["errors"]
    backend.assert_clean()


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_CONTENT_DISPOSITION": 'attachment; filename="../../etc/passwd"'},
        {"HTTP_CONTENT_DISPOSITION": "attachment; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd"},
        {"HTTP_FILE_NAME": "../../etc/passwd"},
    ],
)
def test_path_in_a_raw_put_name_is_422(headers, users, api, make_document, backend):
    doc = make_document()
    response = put_content(api(users["UPLOADER"]), doc["id"], factories.TXT, **headers)
    assert_error(response, 422, "validation_error")
    assert Document.objects.get().version == 1
    assert len(backend.keys()) == 1
    assert backend.spooled() == []


def test_truncated_multipart_is_400_and_leaves_nothing(users, api, backend):
    boundary = "BoUnDaRy"
    body = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="title"\r\n\r\nCut off\r\n'
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="invoice.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode() + factories.PDF[:60]  # ... and the connection dropped: no closing boundary
    response = api(users["UPLOADER"]).generic(
        "POST", DOCS, body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    body = assert_error(response, 400, "parse_error")
    assert "cut off" in body["detail"]
    backend.assert_clean()


def test_multipart_without_a_file_is_422(users, api, backend):
    response = api(users["UPLOADER"]).post(DOCS, {"title": "No file"}, format="multipart")
    body = assert_error(response, 422, "validation_error")
    assert "file" in body["errors"]
    backend.assert_clean()


def test_invalid_metadata_is_422_before_anything_is_stored(users, upload, backend):
    response = upload(users["UPLOADER"], factories.PDF, document_type="MEMO")
    body = assert_error(response, 422, "validation_error")
    assert "document_type" in body["errors"]
    backend.assert_clean()


def test_documents_limit_is_409_on_create_and_upload(users, tenant, api, upload, backend):
    tenant.documents_limit = 1
    tenant.save()
    client = api(users["UPLOADER"])
    assert client.post(DOCS, {"title": "First"}, format="json").status_code == 201
    body = assert_error(client.post(DOCS, {"title": "Second"}, format="json"), 409, "conflict")
    assert "limit" in body["detail"]
    assert_error(upload(users["UPLOADER"], factories.PDF), 409, "conflict")
    backend.assert_clean(documents=1)
    assert backend.keys() == []
    me = client.get("/api/v1/tenants/me/").json()
    assert me["documents_used"] == 1 and me["documents_limit"] == 1


def test_an_upload_url_works_once(users, api, backend):
    if backend.name != "local":
        pytest.skip("S3 itself answers pre-signed PUTs")
    doc = api(users["UPLOADER"]).post(DOCS, {"title": "Once"}, format="json").json()
    url = relative(doc["upload_url"])
    first = api().put(url, data=factories.PDF, content_type="application/pdf")
    assert first.status_code == 200
    again = api().put(url, data=factories.TXT, content_type="text/plain")
    assert_error(again, 409, "conflict")
    assert Document.objects.get().version == 1


def test_a_forged_or_expired_upload_url_is_403(users, api, backend, monkeypatch):
    if backend.name != "local":
        pytest.skip("S3 itself checks its pre-signed URLs")
    doc = api(users["UPLOADER"]).post(DOCS, {"title": "Forged"}, format="json").json()
    url = relative(doc["upload_url"])
    forged = url.replace("v=1", "v=2")
    assert_error(
        api().put(forged, data=factories.PDF, content_type="application/pdf"),
        403,
        "permission_denied",
    )
    other = url.replace(doc["id"], "00000000-0000-4000-8000-000000000000")
    assert_error(
        api().put(other, data=factories.PDF, content_type="application/pdf"),
        403,
        "permission_denied",
    )
    import time

    later = time.time() + 3600
    monkeypatch.setattr(time, "time", lambda: later)
    body = assert_error(
        api().put(url, data=factories.PDF, content_type="application/pdf"), 403, "permission_denied"
    )
    assert "expired" in body["detail"]
    assert Document.objects.get().version == 0
    assert backend.keys() == [] and backend.spooled() == []


def test_oversized_signed_put_is_413(users, api, backend, settings):
    if backend.name != "local":
        pytest.skip("S3 itself receives pre-signed PUTs")
    doc = api(users["UPLOADER"]).post(DOCS, {"title": "Big"}, format="json").json()
    settings.DOCUFLOW_MAX_UPLOAD_BYTES = 100
    response = api().put(
        relative(doc["upload_url"]), data=factories.big_text(500), content_type="text/plain"
    )
    assert_error(response, 413, "payload_too_large")
    assert backend.keys() == [] and backend.spooled() == []


def test_s3_direct_upload_of_bad_content_is_refused_and_removed(users, api, backend):
    if backend.name != "s3":
        pytest.skip("only S3 receives content directly")
    client = api(users["UPLOADER"])
    doc = client.post(DOCS, {"title": "Direct"}, format="json").json()
    assert httpx.put(doc["upload_url"], content=factories.EXE).status_code == 200
    assert backend.keys() == [f"tenants/acme-corp/documents/{doc['id']}/incoming/upload"]
    assert_error(client.post(f"{DOCS}{doc['id']}/complete/"), 415, "unsupported_media_type")
    assert backend.keys() == []
    assert Document.objects.get().version == 0


def test_only_the_uploader_or_a_manager_adds_versions(users, api, make_document, backend):
    doc = make_document(users["UPLOADER"])
    reviewer = api(users["REVIEWER"])
    assert_error(put_content(reviewer, doc["id"], factories.TXT), 403, "permission_denied")
    assert put_content(api(users["MANAGER"]), doc["id"], factories.TXT).status_code == 200
    assert backend.spooled() == []


def test_temporary_files_of_a_crashed_process_are_swept(backend):
    import os
    import time

    from docuflow.documents import storage

    incoming = storage.spool_dir()
    old, fresh = incoming / "upload-old.part", incoming / "upload-fresh.part"
    old.write_bytes(b"x")
    fresh.write_bytes(b"y")
    day_ago = time.time() - storage.STALE_SPOOL_SECONDS - 60
    os.utime(old, (day_ago, day_ago))
    storage._swept.clear()
    storage.spool_dir()
    assert not old.exists() and fresh.exists()
    fresh.unlink()
