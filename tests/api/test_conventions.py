"""The API's shared conventions: error envelope, probes, schema and docs."""

import json

import pytest
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login/"


def test_malformed_json_is_400_parse_error(client):
    response = client.post(LOGIN, data="{not json", content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "parse_error" and body["status_code"] == 400


def test_wrong_media_type_is_415(client):
    response = client.post(LOGIN, data="email=a", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_oversized_json_is_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps({"email": "a@b.test", "password": "x" * 5000})
    response = client.post(LOGIN, data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_non_object_json_is_a_validation_error(client):
    response = client.post(LOGIN, data="[1, 2]", content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_unknown_url_is_404_in_the_envelope(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "status_code": 404, "code": "not_found"}


def test_wrong_method_is_405(client):
    response = client.get(LOGIN)
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_healthz_and_readyz(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] == "ok"


def test_openapi_schema_is_valid_openapi_3(client):
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    validate(schema)
    assert "/api/v1/auth/login/" in schema["paths"]
    yaml = client.get("/api/v1/schema/")
    assert yaml.status_code == 200 and b"openapi: 3" in yaml.content


@pytest.mark.parametrize("page", ["/api/v1/schema/swagger-ui/", "/api/v1/schema/redoc/"])
def test_docs_pages_load_their_assets_from_docuflow(client, page):
    html = client.get(page).content.decode()
    assert "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/" in html
