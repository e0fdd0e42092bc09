"""Signed download URLs and streamed, verified downloads with ranges."""

from __future__ import annotations

import hashlib
import time
from datetime import datetime
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from docuflow.documents.streaming import IntegrityFailure
from tests.documents import factories
from tests.documents.conftest import DOCS

pytestmark = pytest.mark.django_db

BIG = factories.big_text(3 * 1024 * 1024 + 123)  # more than three verified blocks


def relative(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def assert_error(response, status: int, code: str):
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    return response.json()


def test_cloud_vault_walkthrough(users, api, make_document, backend):
    """Upload, get a signed URL, download it with no token, delete: blob and row gone."""
    client = api(users["UPLOADER"])
    doc = make_document(content=factories.PDF, name="payroll.pdf")
    answer = client.get(f"{DOCS}{doc['id']}/download-url/")
    assert answer.status_code == 200
    link = answer.json()
    assert link["expires_in"] == 3600
    expires_at = datetime.fromisoformat(link["expires_at"].replace("Z", "+00:00"))
    assert abs(expires_at.timestamp() - (time.time() + 3600)) < 5
    assert urlsplit(link["url"]).path == f"/files/documents/{doc['id']}/"

    download = api().get(relative(link["url"]))
    assert download.status_code == 200
    assert body(download) == factories.PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="payroll.pdf"'
    assert download["ETag"] == f'"{hashlib.sha256(factories.PDF).hexdigest()}"'
    assert download["Content-Length"] == str(len(factories.PDF))

    assert client.delete(f"{DOCS}{doc['id']}/").status_code == 204
    assert backend.keys() == []
    assert_error(client.get(f"{DOCS}{doc['id']}/"), 404, "not_found")
    assert_error(api().get(relative(link["url"])), 404, "not_found")
    assert_error(client.delete(f"{DOCS}{doc['id']}/"), 404, "not_found")


@pytest.mark.parametrize("value", ["0", "604801", "-5", "soon"])
def test_expires_in_out_of_range_is_422(value, users, api, make_document):
    doc = make_document()
    response = api(users["UPLOADER"]).get(f"{DOCS}{doc['id']}/download-url/", {"expires_in": value})
    body = assert_error(response, 422, "validation_error")
    assert "expires_in" in body["errors"]


def test_expires_in_is_honoured(users, api, make_document):
    doc = make_document()
    link = api(users["UPLOADER"]).get(f"{DOCS}{doc['id']}/download-url/", {"expires_in": 604800})
    assert link.json()["expires_in"] == 604800


def test_tampered_links_are_403(users, api, make_document):
    doc = make_document()
    url = relative(api(users["UPLOADER"]).get(f"{DOCS}{doc['id']}/download-url/").json()["url"])
    path, query = url.split("?")
    params = {key: values[0] for key, values in parse_qs(query).items()}
    for change in (
        {"sig": params["sig"][:-2] + ("AA" if not params["sig"].endswith("AA") else "BB")},
        {"exp": str(int(params["exp"]) + 10_000)},
        {"v": "2"},
        {"u": str(users["ADMIN"].pk)},
        {"sig": ""},
    ):
        forged = f"{path}?{urlencode({**params, **change})}"
        assert_error(api().get(forged), 403, "permission_denied")
    assert_error(api().get(path), 403, "permission_denied")
    other = url.replace(doc["id"], "00000000-0000-4000-8000-000000000000")
    assert_error(api().get(other), 403, "permission_denied")


def test_expired_links_are_403(users, api, make_document, monkeypatch):
    doc = make_document()
    link = api(users["UPLOADER"]).get(f"{DOCS}{doc['id']}/download-url/", {"expires_in": 60})
    url = relative(link.json()["url"])
    assert api().get(url).status_code == 200
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    body = assert_error(api().get(url), 403, "permission_denied")
    assert "expired" in body["detail"]


def test_a_link_stays_bound_to_its_version(users, api, make_document):
    client = api(users["UPLOADER"])
    doc = make_document(content=factories.PDF)
    url = relative(client.get(f"{DOCS}{doc['id']}/download-url/").json()["url"])
    client.put(f"{DOCS}{doc['id']}/content/", data=factories.TXT, content_type="text/plain")
    assert body(api().get(url)) == factories.PDF
    fresh = relative(client.get(f"{DOCS}{doc['id']}/download-url/").json()["url"])
    assert body(api().get(fresh)) == factories.TXT


def test_a_link_dies_with_its_issuers_access(users, api, make_document):
    doc = make_document(users["UPLOADER"])
    url = relative(api(users["REVIEWER"]).get(f"{DOCS}{doc['id']}/download-url/").json()["url"])
    api(users["MANAGER"]).patch(
        f"{DOCS}{doc['id']}/",
        {"visibility": "RESTRICTED", "allowed_roles": ["MANAGER"]},
        format="json",
    )
    assert_error(api().get(url), 404, "not_found")
    users["UPLOADER"].is_active = False
    users["UPLOADER"].save()
    mine = relative(api(users["MANAGER"]).get(f"{DOCS}{doc['id']}/download-url/").json()["url"])
    users["MANAGER"].is_active = False
    users["MANAGER"].save()
    assert_error(api().get(mine), 403, "permission_denied")


def test_no_content_yet_is_409_for_urls_and_downloads(users, api, backend):
    client = api(users["UPLOADER"])
    doc = client.post(DOCS, {"title": "Later"}, format="json").json()
    assert_error(client.get(f"{DOCS}{doc['id']}/download-url/"), 409, "conflict")
    assert_error(client.get(f"{DOCS}{doc['id']}/download/"), 409, "conflict")


def test_download_streams_with_headers(users, api, make_document):
    doc = make_document(content=BIG, name="big.txt")
    response = api(users["REVIEWER"]).get(f"{DOCS}{doc['id']}/download/")
    assert response.status_code == 200 and response.streaming
    chunks = list(response.streaming_content)
    assert len(chunks) >= 4 and max(len(chunk) for chunk in chunks) <= 1024 * 1024
    assert b"".join(chunks) == BIG
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(len(BIG))
    assert response["ETag"] == f'"{hashlib.sha256(BIG).hexdigest()}"'


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-9", 0, 10),
        ("bytes=1048570-1048600", 1048570, 1048601),  # across a block boundary
        ("bytes=3145000-", 3145000, len(BIG)),
        ("bytes=-100", len(BIG) - 100, len(BIG)),
        ("bytes=5-999999999", 5, len(BIG)),
    ],
)
def test_ranges_are_206(header, start, end, users, api, make_document):
    doc = make_document(content=BIG, name="big.txt")
    response = api(users["UPLOADER"]).get(f"{DOCS}{doc['id']}/download/", HTTP_RANGE=header)
    assert response.status_code == 206
    assert body(response) == BIG[start:end]
    assert response["Content-Range"] == f"bytes {start}-{end - 1}/{len(BIG)}"
    assert response["Content-Length"] == str(end - start)


def test_unsatisfiable_range_is_416_and_bad_ranges_are_ignored(users, api, make_document):
    doc = make_document(content=factories.PDF)
    client = api(users["UPLOADER"])
    url = f"{DOCS}{doc['id']}/download/"
    response = client.get(url, HTTP_RANGE=f"bytes={len(factories.PDF)}-")
    assert_error(response, 416, "range_not_satisfiable")
    assert response["Content-Range"] == f"bytes */{len(factories.PDF)}"
    for ignored in ("bytes=0-1,5-6", "pages=1-2", "bytes=9-3"):
        response = client.get(url, HTTP_RANGE=ignored)
        assert response.status_code == 200 and body(response) == factories.PDF


def test_if_range_with_an_old_etag_sends_everything(users, api, make_document):
    doc = make_document(content=factories.PDF)
    response = api(users["UPLOADER"]).get(
        f"{DOCS}{doc['id']}/download/", HTTP_RANGE="bytes=0-3", HTTP_IF_RANGE='"stale"'
    )
    assert response.status_code == 200 and body(response) == factories.PDF


def test_if_none_match_is_304_and_head_has_no_body(users, api, make_document):
    doc = make_document(content=factories.PDF)
    client = api(users["UPLOADER"])
    url = f"{DOCS}{doc['id']}/download/"
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    head = client.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head["Content-Length"] == str(len(factories.PDF))


def test_non_ascii_names_get_an_rfc6266_header(users, api, make_document):
    doc = make_document(content=factories.PDF, name="Relevé «mars».pdf")
    response = api(users["UPLOADER"]).get(f"{DOCS}{doc['id']}/download/")
    assert response["Content-Disposition"] == (
        "attachment; filename=\"Relev_ _mars_.pdf\"; filename*=UTF-8''Relev%C3%A9%20%C2%ABmars%C2%BB.pdf"
    )


def test_a_corrupt_small_file_is_never_sent(users, api, make_document, backend):
    doc = make_document(content=factories.PDF)
    backend.overwrite(
        f"tenants/acme-corp/documents/{doc['id']}/v1", factories.PDF.replace(b"1.4", b"1.5")
    )
    response = api(users["UPLOADER"]).get(f"{DOCS}{doc['id']}/download/")
    body = assert_error(response, 500, "integrity_error")
    assert "integrity" in body["detail"]
    url = relative(api(users["UPLOADER"]).get(f"{DOCS}{doc['id']}/download-url/").json()["url"])
    assert_error(api().get(url), 500, "integrity_error")


def test_a_corrupt_large_file_aborts_before_the_bad_block(users, api, make_document, backend):
    doc = make_document(content=BIG, name="big.txt")
    corrupt = bytearray(BIG)
    corrupt[2 * 1024 * 1024 + 7] ^= 0xFF  # in the third block
    backend.overwrite(f"tenants/acme-corp/documents/{doc['id']}/v1", bytes(corrupt))
    response = api(users["UPLOADER"]).get(f"{DOCS}{doc['id']}/download/")
    assert response.status_code == 200  # the first blocks were good
    received = bytearray()
    with pytest.raises(IntegrityFailure):
        for chunk in response.streaming_content:
            received += chunk
    assert bytes(received) == BIG[: 2 * 1024 * 1024]  # nothing of the bad block went out


def test_a_truncated_blob_is_an_integrity_error(users, api, make_document, backend):
    doc = make_document(content=factories.PDF)
    backend.overwrite(f"tenants/acme-corp/documents/{doc['id']}/v1", factories.PDF[:20])
    assert_error(api(users["UPLOADER"]).get(f"{DOCS}{doc['id']}/download/"), 500, "integrity_error")


def test_a_missing_blob_is_503_not_a_crash(users, api, make_document, backend):
    doc = make_document(content=factories.PDF)
    backend.storage.delete(f"tenants/acme-corp/documents/{doc['id']}/v1")
    response = api(users["UPLOADER"]).get(f"{DOCS}{doc['id']}/download/")
    assert response.status_code in (500, 503)
    assert response.json()["code"] in ("integrity_error", "storage_unavailable")


def test_unknown_version_is_404_and_bad_version_is_422(users, api, make_document):
    doc = make_document()
    client = api(users["UPLOADER"])
    assert_error(client.get(f"{DOCS}{doc['id']}/download/", {"version": 7}), 404, "not_found")
    assert_error(
        client.get(f"{DOCS}{doc['id']}/download/", {"version": "x"}), 422, "validation_error"
    )
