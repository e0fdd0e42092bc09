"""``/api/v1/webhooks/``: ADMIN only, tenant-scoped, validated, audited."""

from __future__ import annotations

import json

import pytest

from docuflow.audit.models import AuditEntry
from docuflow.webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

LIST = "/api/v1/webhooks/"


def detail(pk, action: str = "") -> str:
    return f"{LIST}{pk}/" + (f"{action}/" if action else "")


def create(client, url, **fields):
    return client.post(LIST, {"url": url, **fields}, format="json")


def test_create_shows_the_secret_once(users, api, receiver):
    admin = api(users["ADMIN"])
    response = create(
        admin,
        receiver.url,
        description="ERP",
        event_types=["document.status_changed"],
        statuses=["APPROVED", "REJECTED"],
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    secret = body["secret"]
    assert secret.startswith("whsec_") and len(secret) > 40
    assert body["secret_hint"] == secret[:10] + "…"
    assert body["statuses"] == ["APPROVED", "REJECTED"] and body["active"] is True
    assert body["created_by"] == users["ADMIN"].email

    shown = admin.get(detail(body["id"])).json()
    assert "secret" not in shown and shown["url"] == receiver.url
    listed = admin.get(LIST).json()
    assert listed["count"] == 1 and "secret" not in listed["results"][0]
    # Stored sealed, never in clear, and never written to the audit log.
    stored = WebhookEndpoint.objects.get()
    assert secret not in stored.secret_sealed
    entry = AuditEntry.objects.get(action="webhook.created")
    assert entry.object_type == "webhook" and entry.object_id == body["id"]
    assert secret not in json.dumps(entry.details)


def test_update_and_delete_are_audited(users, api, receiver):
    admin = api(users["ADMIN"])
    pk = create(admin, receiver.url).json()["id"]
    changed = admin.patch(detail(pk), {"active": False, "description": "off"}, format="json")
    assert changed.status_code == 200
    assert changed.json()["active"] is False and changed.json()["description"] == "off"
    replaced = admin.put(detail(pk), {"url": receiver.url + "/v2"}, format="json")
    assert replaced.status_code == 200
    assert replaced.json()["active"] is True and replaced.json()["description"] == ""
    assert admin.delete(detail(pk)).status_code == 204
    assert admin.get(detail(pk)).status_code == 404
    actions = list(
        AuditEntry.objects.filter(object_id=pk)
        .order_by("created_at")
        .values_list("action", flat=True)
    )
    assert actions == ["webhook.created", "webhook.updated", "webhook.updated", "webhook.deleted"]


def test_rotate_secret(users, api, receiver):
    admin = api(users["ADMIN"])
    first = create(admin, receiver.url).json()
    rotated = admin.post(detail(first["id"], "rotate-secret"))
    assert rotated.status_code == 200
    assert rotated.json()["secret"].startswith("whsec_")
    assert rotated.json()["secret"] != first["secret"]
    assert rotated.json()["secret_rotated_at"]
    entry = AuditEntry.objects.get(action="webhook.secret_rotated")
    assert rotated.json()["secret"] not in json.dumps(entry.details)


def test_test_sends_a_signed_ping(users, api, receiver):
    from docuflow.webhooks import signing

    admin = api(users["ADMIN"])
    created = create(admin, receiver.url).json()
    response = admin.post(detail(created["id"], "test"))
    assert response.status_code == 200
    body = response.json()
    assert (body["event_type"], body["status"], body["last_status_code"]) == (
        "ping",
        "DELIVERED",
        200,
    )
    [request] = receiver.requests
    assert request.headers["x-docuflow-event"] == "ping"
    assert signing.verify(created["secret"], request.headers["x-docuflow-signature"], request.body)
    assert json.loads(request.body)["data"] == {"webhook_id": created["id"]}
    assert AuditEntry.objects.get(action="webhook.tested").details["status"] == "DELIVERED"

    deliveries = admin.get(detail(created["id"], "deliveries")).json()
    assert deliveries["count"] == 1 and deliveries["results"][0]["id"] == body["id"]


def test_a_failed_ping_is_not_retried(users, api, receiver):
    admin = api(users["ADMIN"])
    pk = create(admin, receiver.url).json()["id"]
    receiver.responses = [500]
    body = admin.post(detail(pk, "test")).json()
    assert (body["status"], body["attempts"], body["last_error"]) == ("FAILED", 1, "HTTP 500")
    assert not AuditEntry.objects.filter(action="webhook.delivery_failed").exists()


def test_deliveries_are_listed_newest_first_and_filtered(
    users, api, receiver, webhook, make_document
):
    from docuflow.processing.status import set_document_status
    from docuflow.webhooks import delivery

    endpoint, _ = webhook(users["ADMIN"], receiver.url)
    doc = make_document(users["ADMIN"].tenant)
    set_document_status(doc.pk, "EXTRACTING")
    delivery.deliver_due()
    set_document_status(doc.pk, "VALIDATING")
    admin = api(users["ADMIN"])
    everything = admin.get(detail(endpoint.pk, "deliveries")).json()
    assert everything["count"] == 2
    assert [r["payload"]["data"]["status"] for r in everything["results"]] in (
        ["VALIDATING", "EXTRACTING"],
        ["EXTRACTING", "VALIDATING"],  # same clock tick
    )
    pending = admin.get(detail(endpoint.pk, "deliveries"), {"status": "PENDING"}).json()
    assert [r["payload"]["data"]["status"] for r in pending["results"]] == ["VALIDATING"]
    bad = admin.get(detail(endpoint.pk, "deliveries"), {"status": "NOPE"})
    assert bad.status_code == 422


@pytest.mark.parametrize("role", ["MANAGER", "REVIEWER", "UPLOADER"])
def test_only_admins_may_see_or_manage_webhooks(users, api, receiver, role, webhook):
    endpoint, _ = webhook(users["ADMIN"], receiver.url)
    client = api(users[role])
    assert client.get(LIST).status_code == 403
    assert create(client, receiver.url).status_code == 403
    for path in (detail(endpoint.pk), detail(endpoint.pk, "deliveries")):
        response = client.get(path)
        assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert client.delete(detail(endpoint.pk)).status_code == 403
    assert client.post(detail(endpoint.pk, "rotate-secret")).status_code == 403
    assert client.post(detail(endpoint.pk, "test")).status_code == 403
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_anonymous_is_401(api):
    assert api().get(LIST).status_code == 401


def test_another_tenants_webhook_is_404(users, outsider, api, receiver, webhook):
    theirs, _ = webhook(outsider, receiver.url)
    admin = api(users["ADMIN"])
    assert admin.get(LIST).json()["count"] == 0
    for method, path in [
        ("get", detail(theirs.pk)),
        ("patch", detail(theirs.pk)),
        ("delete", detail(theirs.pk)),
        ("get", detail(theirs.pk, "deliveries")),
        ("post", detail(theirs.pk, "rotate-secret")),
        ("post", detail(theirs.pk, "test")),
    ]:
        response = getattr(admin, method)(path, {}, format="json")
        assert response.status_code == 404, (method, path)
        assert response.json()["code"] == "not_found"
    assert receiver.requests == []
    assert WebhookEndpoint.objects.get(pk=theirs.pk).active
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "not a url",
        "http://",
        "http:///path",
        "https://user:pass@example.com/hook",
        "https://example.com/hook#frag",
        "https://example.com:99999/hook",
        "https://example.com/ hook",
        "https://example.com/" + "a" * 2000,
        "",
    ],
)
def test_invalid_urls_are_422(users, api, url):
    response = create(api(users["ADMIN"]), url)
    assert response.status_code == 422, response.json()
    assert response.json()["code"] == "validation_error" and "url" in response.json()["errors"]
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://100.64.0.1/hook",
    ],
)
def test_production_mode_refuses_private_addresses(users, api, settings, url):
    settings.PRODUCTION = True
    response = create(api(users["ADMIN"]), url)
    assert response.status_code == 422
    assert "private" in response.json()["errors"]["url"][0]


def test_production_allow_list(users, api, settings, monkeypatch):
    settings.PRODUCTION = True
    monkeypatch.setenv("DOCUFLOW_WEBHOOK_ALLOWLIST", "10.0.0.0/8, hooks.internal")
    admin = api(users["ADMIN"])
    assert create(admin, "http://10.1.2.3/hook").status_code == 201
    assert create(admin, "https://hooks.internal/hook").status_code == 201
    assert create(admin, "http://192.168.0.10/hook").status_code == 422
    # A public address is fine in production.
    assert create(admin, "https://93.184.215.14/hook").status_code == 201


def test_malformed_input(users, api):
    admin = api(users["ADMIN"])
    broken = admin.post(LIST, "{not json", content_type="application/json")
    assert broken.status_code == 400 and broken.json()["code"] == "parse_error"
    for body in (
        [],
        {},
        {"url": 5},
        {"url": "https://example.com/", "event_types": "document.status_changed"},
        {"url": "https://example.com/", "event_types": ["document.deleted"]},
        {"url": "https://example.com/", "statuses": ["NOPE"]},
        {"url": "https://example.com/", "statuses": [["APPROVED"]]},
        {"url": "https://example.com/", "active": "maybe"},
        {"url": "https://example.com/", "description": "x" * 201},
    ):
        response = admin.post(LIST, body, format="json")
        assert response.status_code == 422, body
        assert response.json()["code"] == "validation_error"
    assert not WebhookEndpoint.objects.exists()


def test_oversized_input_is_413(users, api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps({"url": "https://example.com/", "description": "x" * 5000})
    response = api(users["ADMIN"]).post(LIST, body, content_type="application/json")
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"


def test_a_tenant_has_at_most_20_webhooks(users, api, receiver, webhook):
    for _ in range(20):
        webhook(users["ADMIN"], receiver.url)
    response = create(api(users["ADMIN"]), receiver.url)
    assert response.status_code == 422


def test_the_schema_documents_the_webhook_api(client):
    paths = client.get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    for path in (
        "/api/v1/webhooks/",
        "/api/v1/webhooks/{id}/",
        "/api/v1/webhooks/{id}/deliveries/",
        "/api/v1/webhooks/{id}/rotate-secret/",
        "/api/v1/webhooks/{id}/test/",
    ):
        assert path in paths, path
