"""The web app: the SPA's files and fallback, the browser session cookie, the UI's reads."""

from __future__ import annotations

import pytest
from django.test import Client

from docuflow.web import session, spa


@pytest.fixture
def dist(tmp_path, monkeypatch):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><div id=root></div>")
    (tmp_path / "assets" / "app-abc123.js").write_text("console.log(1)")
    (tmp_path / "assets" / "app-abc123.js.gz").write_bytes(b"gzipped")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    monkeypatch.setenv("DOCUFLOW_WEB_DIST", str(tmp_path))
    return tmp_path


@pytest.mark.django_db
def test_client_routes_get_index_uncached(dist):
    for path in ("/", "/documents/5c7a7f1e-8d5c-4d36-a8a6-52a4f8a1c0aa", "/settings/members"):
        response = Client().get(path)
        assert response.status_code == 200
        assert b"id=root" in b"".join(response.streaming_content)
        assert response["Cache-Control"] == "no-cache"


@pytest.mark.django_db
def test_hashed_assets_cache_for_a_year_and_come_compressed(dist):
    response = Client().get("/assets/app-abc123.js", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Cache-Control"] == spa.IMMUTABLE
    assert response["Content-Encoding"] == "gzip"
    assert b"".join(response.streaming_content) == b"gzipped"
    plain = Client().get("/assets/app-abc123.js")
    assert "Content-Encoding" not in plain
    assert Client().get("/assets/missing-123.js").status_code == 404
    assert Client().get("/assets/../index.html").status_code in (404, 200)


@pytest.mark.django_db
def test_reserved_prefixes_are_never_shadowed(dist):
    assert Client().get("/api/v1/nope/").json()["code"] == "not_found"
    assert Client().get("/healthz").status_code == 200
    assert Client().get("/admin").status_code == 301  # Django's own slash redirect
    assert Client().get("/static/missing.css").status_code == 404
    # Other methods on client routes answer the API's 404 envelope, without a CSRF page.
    response = Client().post("/anything")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_unbuilt_client_says_how_to_build(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCUFLOW_WEB_DIST", str(tmp_path / "none"))
    response = Client().get("/")
    assert response.status_code == 503
    assert b"make install" in response.content


@pytest.mark.django_db
def test_session_cookie_login_refresh_logout(users):
    users["UPLOADER"].set_password("a long password 123")
    users["UPLOADER"].save()
    client = Client()
    answer = client.post(
        "/api/v1/web/session/login/",
        {"email": "uploader@acme.test", "password": "a long password 123"},
        content_type="application/json",
    )
    assert answer.status_code == 200
    body = answer.json()
    assert "refresh" not in body and body["access"] and body["user"]["role"] == "UPLOADER"
    cookie = answer.cookies[session.COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert cookie["path"] == session.COOKIE_PATH

    # Without the header (a cross-site form could not add it) refresh is refused.
    assert client.post("/api/v1/web/session/refresh/").status_code == 403
    renewed = client.post("/api/v1/web/session/refresh/", HTTP_X_DOCUFLOW_SESSION="1")
    assert renewed.status_code == 200 and renewed.json()["user"]["email"] == "uploader@acme.test"
    assert renewed.cookies[session.COOKIE].value != cookie.value  # rotated

    # The old cookie value is spent.
    stale = Client()
    stale.cookies[session.COOKIE] = cookie.value
    assert (
        stale.post("/api/v1/web/session/refresh/", HTTP_X_DOCUFLOW_SESSION="1").status_code == 401
    )

    out = client.post("/api/v1/web/session/logout/", HTTP_X_DOCUFLOW_SESSION="1")
    assert out.status_code == 204
    assert (
        client.post("/api/v1/web/session/refresh/", HTTP_X_DOCUFLOW_SESSION="1").status_code == 401
    )


@pytest.mark.django_db
def test_counts_and_graph_follow_visibility(users, api):
    from docuflow.documents.models import Document

    tenant = users["ADMIN"].tenant
    Document.objects.create(
        tenant=tenant, title="open", uploaded_by=users["ADMIN"], status="APPROVED"
    )
    hidden = Document.objects.create(
        tenant=tenant,
        title="restricted",
        uploaded_by=users["ADMIN"],
        status="REJECTED",
        visibility=Document.Visibility.RESTRICTED,
    )
    answer = api(users["UPLOADER"]).get("/api/v1/web/documents/counts/")
    assert answer.status_code == 200
    assert answer.json()["by_status"]["APPROVED"] == 1
    assert answer.json()["by_status"]["REJECTED"] == 0
    assert answer.json()["total"] == 1
    assert api(users["ADMIN"]).get("/api/v1/web/documents/counts/").json()["total"] == 2
    assert api().get("/api/v1/web/documents/counts/").status_code == 401
    # No workflow yet (or not visible): the envelope's 404.
    graph = api(users["ADMIN"]).get(f"/api/v1/web/documents/{hidden.pk}/workflow-graph/")
    assert graph.status_code == 404 and graph.json()["code"] == "not_found"
    assert (
        api(users["UPLOADER"]).get(f"/api/v1/web/documents/{hidden.pk}/workflow-graph/").status_code
        == 404
    )
