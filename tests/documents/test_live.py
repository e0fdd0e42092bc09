"""The walkthroughs against a live ``docuflow serve`` (ASGI, uvicorn), on local and S3.

The test client drives views synchronously; this drives the real server, so it covers
the ASGI paths too: Django's spooled request bodies and the async download iterator.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.documents import factories

pytestmark = [pytest.mark.live, pytest.mark.slow]

PASSWORD = "live-password-Zq8!x"
BIG = factories.big_text(3 * 1024 * 1024 + 5)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module", params=["local", "s3"])
def live(request, tmp_path_factory):
    docuflow = str(Path(sys.executable).parent / "docuflow")
    data = tmp_path_factory.mktemp(f"live-{request.param}")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DOCUFLOW_") and key != "DATABASE_URL"
    }
    env.update(
        DOCUFLOW_DATA_DIR=str(data),
        DOCUFLOW_STORAGE_BACKEND=request.param,
        DOCUFLOW_MAX_UPLOAD_BYTES=str(4 * 1024 * 1024),
        LOG_LEVEL="WARNING",
    )
    s3 = None
    if request.param == "s3":
        endpoint = request.getfixturevalue("s3_endpoint")
        env.update(
            DOCUFLOW_S3_ENDPOINT_URL=endpoint,
            DOCUFLOW_S3_BUCKET=f"live-{uuid.uuid4().hex[:10]}",
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_DEFAULT_REGION="us-east-1",
        )
        import boto3

        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
        s3.create_bucket(Bucket=env["DOCUFLOW_S3_BUCKET"])
    subprocess.run([docuflow, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    subprocess.run(
        [docuflow, "tenant", "create", "acme-corp", "--name", "Acme"]
        + ["--admin-email", "admin@acme.test", "--admin-password", PASSWORD],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    port = _free_port()
    server = subprocess.Popen(
        [docuflow, "serve", "--port", str(port), "--no-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            httpx.get(f"{base}/healthz", timeout=2)
            break
        except httpx.HTTPError:
            if time.time() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("the server did not start: " + server.stderr.read().decode()[-2000:])
            time.sleep(0.3)
    token = httpx.post(
        f"{base}/api/v1/auth/login/", json={"email": "admin@acme.test", "password": PASSWORD}
    ).json()["access"]
    client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    try:
        yield {
            "client": client,
            "base": base,
            "backend": request.param,
            "data": data,
            "s3": s3,
            "bucket": env.get("DOCUFLOW_S3_BUCKET"),
        }
    finally:
        client.close()
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def blobs(live) -> list[str]:
    if live["backend"] == "s3":
        answer = live["s3"].list_objects_v2(Bucket=live["bucket"])
        return sorted(item["Key"] for item in answer.get("Contents", []))
    root = live["data"] / "documents"
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and ".incoming" not in p.parts
    )


def test_cloud_vault_walkthrough_on_a_live_server(live):
    client = live["client"]
    created = client.post(
        "/api/v1/documents/",
        files={"file": ("big.txt", BIG, "text/plain")},
        data={"title": "Payroll", "document_type": "REPORT"},
    )
    assert created.status_code == 201, created.text
    doc = created.json()
    assert doc["sha256"] == hashlib.sha256(BIG).hexdigest()
    link = client.get(f"/api/v1/documents/{doc['id']}/download-url/").json()["url"]
    downloaded = httpx.get(link)  # no bearer token: the signature is the credential
    assert downloaded.status_code == 200
    assert downloaded.content == BIG
    assert downloaded.headers["etag"] == f'"{doc["sha256"]}"'
    ranged = client.get(
        f"/api/v1/documents/{doc['id']}/download/", headers={"Range": "bytes=1048570-2097160"}
    )
    assert ranged.status_code == 206 and ranged.content == BIG[1048570:2097161]
    assert client.delete(f"/api/v1/documents/{doc['id']}/").status_code == 204
    assert httpx.get(link).status_code == 404
    assert blobs(live) == []


def test_pre_signed_upload_flow_on_a_live_server(live):
    client = live["client"]
    doc = client.post("/api/v1/documents/", json={"title": "Q1", "document_type": "INVOICE"}).json()
    assert doc["status"] == "UPLOADED" and doc["upload_url"]
    answer = httpx.put(doc["upload_url"], content=factories.PDF)
    assert answer.status_code == 200, answer.text
    if live["backend"] == "s3":
        answer = client.post(f"/api/v1/documents/{doc['id']}/complete/")
        assert answer.status_code == 200, answer.text
    else:
        assert answer.headers["etag"] == f'"{hashlib.sha256(factories.PDF).hexdigest()}"'
    stored = client.get(f"/api/v1/documents/{doc['id']}/").json()
    assert stored["version"] == 1 and stored["content_type"] == "application/pdf"
    assert blobs(live) == [f"tenants/acme-corp/documents/{doc['id']}/v1"]
    client.delete(f"/api/v1/documents/{doc['id']}/")


def test_bad_inputs_on_a_live_server(live):
    client = live["client"]
    too_big = client.post(
        "/api/v1/documents/",
        files={"file": ("big.txt", factories.big_text(5 * 1024 * 1024), "text/plain")},
    )
    assert too_big.status_code == 413 and too_big.json()["code"] == "payload_too_large"
    exe = client.post(
        "/api/v1/documents/", files={"file": ("invoice.pdf", factories.EXE, "application/pdf")}
    )
    assert exe.status_code == 415
    empty = client.post("/api/v1/documents/", files={"file": ("empty.pdf", b"", "application/pdf")})
    assert empty.status_code == 422
    assert client.get("/api/v1/documents/").json()["count"] == 0
    assert blobs(live) == []
    assert list((live["data"] / "documents" / ".incoming").iterdir()) == []
