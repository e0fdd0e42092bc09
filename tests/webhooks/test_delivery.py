"""Deliveries: written with the status change, signed, retried with back-off, claimed once."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import uuid
from datetime import UTC, datetime

import pytest
from django.db import transaction

from docuflow.audit.models import AuditEntry
from docuflow.engine import worker
from docuflow.notifications import events
from docuflow.notifications.events import StatusEvent
from docuflow.processing.status import set_document_status
from docuflow.webhooks import conf, delivery, services
from docuflow.webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db


def _verify(secret: str, request) -> dict:
    """Check the signature as a receiver would, by hand; return the parsed header."""
    parts = dict(item.split("=", 1) for item in request.headers["x-docuflow-signature"].split(","))
    expected = hmac.new(
        secret.encode(), parts["t"].encode() + b"." + request.body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected)
    return parts


def test_a_status_change_is_posted_signed(users, receiver, fake_clock, make_document, webhook):
    endpoint, secret = webhook(users["ADMIN"], receiver.url)
    doc = make_document(users["ADMIN"].tenant)
    set_document_status(doc.pk, "EXTRACTING")

    assert delivery.deliver_due() == 1
    [request] = receiver.requests
    assert request.path == "/hook"
    parts = _verify(secret, request)
    assert int(parts["t"]) == int(fake_clock.now.timestamp())  # the engine's clock signs
    body = json.loads(request.body)
    assert body == {
        "id": request.headers["x-docuflow-event-id"],
        "type": "document.status_changed",
        "tenant_id": "acme-corp",
        "created_at": "2026-03-01T12:00:00Z",
        "data": {
            "subject_id": str(doc.pk),
            "status": "EXTRACTING",
            "previous": "UPLOADED",
            "updated_at": body["data"]["updated_at"],
        },
    }
    assert request.headers["x-docuflow-event"] == "document.status_changed"
    assert request.headers["content-type"] == "application/json"
    row = WebhookDelivery.objects.get()
    assert (row.status, row.attempts, row.last_status_code) == ("DELIVERED", 1, 200)
    assert row.delivered_at == fake_clock.now and str(row.event_id) == body["id"]
    entry = AuditEntry.objects.get(action="webhook.delivered")
    assert entry.object_type == "webhook" and entry.object_id == str(endpoint.pk)
    assert secret not in json.dumps(entry.details)


def test_certification_events_have_their_own_type(users, receiver, webhook):
    webhook(users["ADMIN"], receiver.url)
    when = datetime(2026, 3, 1, tzinfo=UTC)
    with transaction.atomic():
        events.publish(
            StatusEvent("acme-corp", "certification", "req-1", "APPROVED", "PENDING", when)
        )
    delivery.deliver_due()
    [request] = receiver.requests
    assert request.headers["x-docuflow-event"] == "certification.status_changed"
    body = json.loads(request.body)
    assert body["type"] == "certification.status_changed"
    assert body["data"] == {
        "subject_id": "req-1",
        "status": "APPROVED",
        "previous": "PENDING",
        "updated_at": "2026-03-01T00:00:00Z",
    }


def test_failures_are_retried_with_back_off(users, receiver, fake_clock, make_document, webhook):
    _, secret = webhook(users["ADMIN"], receiver.url)
    receiver.responses = [500, 503]  # fails twice, then succeeds
    set_document_status(make_document(users["ADMIN"].tenant).pk, "EXTRACTING")

    assert delivery.deliver_due() == 1
    row = WebhookDelivery.objects.get()
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == (
        "PENDING", 1, 500, "HTTP 500",
    )  # fmt: skip
    assert len(row.last_response) == conf.RESPONSE_KEEP_CHARS  # a snippet, not the body
    assert (row.next_attempt_at - fake_clock.now).total_seconds() == 30

    fake_clock.advance(29)
    assert delivery.deliver_due() == 0  # not due yet
    fake_clock.advance(1)
    assert delivery.deliver_due() == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code) == ("PENDING", 2, 503)
    assert (row.next_attempt_at - fake_clock.now).total_seconds() == 120

    fake_clock.advance(120)
    assert delivery.deliver_due() == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("DELIVERED", 3, "")
    assert len(receiver.requests) == 3
    assert len({r.headers["x-docuflow-event-id"] for r in receiver.requests}) == 1
    timestamps = [int(_verify(secret, r)["t"]) for r in receiver.requests]
    assert timestamps[1] - timestamps[0] == 30 and timestamps[2] - timestamps[1] == 120
    assert AuditEntry.objects.filter(action="webhook.delivered").count() == 1
    assert not AuditEntry.objects.filter(action="webhook.delivery_failed").exists()


def test_after_the_last_attempt_a_delivery_fails_and_is_audited(
    users, receiver, fake_clock, make_document, webhook, settings
):
    settings.DOCUFLOW_WEBHOOK_MAX_ATTEMPTS = 3
    endpoint, _ = webhook(users["ADMIN"], receiver.url)
    receiver.responses = [500] * 10
    set_document_status(make_document(users["ADMIN"].tenant).pk, "EXTRACTING")
    for wait in (0, 30, 120, 600):
        fake_clock.advance(wait)
        delivery.deliver_due()
    row = WebhookDelivery.objects.get()
    assert (row.status, row.attempts) == ("FAILED", 3)
    assert len(receiver.requests) == 3
    entry = AuditEntry.objects.get(action="webhook.delivery_failed")
    assert entry.object_id == str(endpoint.pk)
    assert entry.details["attempts"] == 3 and entry.details["status_code"] == 500
    fake_clock.advance(100_000)
    assert delivery.deliver_due() == 0


def test_a_rolled_back_status_change_sends_nothing(users, receiver, make_document, webhook):
    webhook(users["ADMIN"], receiver.url)
    doc = make_document(users["ADMIN"].tenant)
    with pytest.raises(RuntimeError), transaction.atomic():
        set_document_status(doc.pk, "EXTRACTING")
        assert WebhookDelivery.objects.count() == 1  # written in the same transaction
        raise RuntimeError("the change fails after the event was published")
    assert WebhookDelivery.objects.count() == 0
    assert delivery.deliver_due() == 0
    assert receiver.requests == []


def test_another_tenants_webhook_gets_no_events(
    users, outsider, receiver_factory, make_document, webhook
):
    mine, theirs = receiver_factory(), receiver_factory()
    webhook(users["ADMIN"], mine.url)
    webhook(outsider, theirs.url)
    set_document_status(make_document(users["ADMIN"].tenant).pk, "EXTRACTING")
    delivery.deliver_due()
    assert len(mine.requests) == 1 and theirs.requests == []
    assert json.loads(mine.requests[0].body)["tenant_id"] == "acme-corp"


def test_filters_and_inactive_endpoints(users, receiver_factory, make_document, webhook):
    admin = users["ADMIN"]
    everything, certs, approvals, off = (receiver_factory() for _ in range(4))
    webhook(admin, everything.url)
    webhook(admin, certs.url, event_types=["certification.status_changed"])
    webhook(admin, approvals.url, statuses=["PENDING_APPROVAL"])
    webhook(admin, off.url, active=False)
    doc = make_document(admin.tenant)
    set_document_status(doc.pk, "EXTRACTING")
    set_document_status(doc.pk, "PENDING_APPROVAL")
    delivery.deliver_due()
    assert len(everything.requests) == 2
    assert certs.requests == [] and off.requests == []
    [only] = approvals.requests
    assert json.loads(only.body)["data"]["status"] == "PENDING_APPROVAL"


def test_a_save_without_a_status_change_sends_nothing(users, receiver, make_document, webhook):
    webhook(users["ADMIN"], receiver.url)
    doc = make_document(users["ADMIN"].tenant)
    set_document_status(doc.pk, "UPLOADED")  # same status
    assert WebhookDelivery.objects.count() == 0


def test_redirects_are_not_followed(users, receiver_factory, make_document, webhook):
    target, redirecting = receiver_factory(), receiver_factory()
    redirecting.responses = [302]
    redirecting.location = target.url
    webhook(users["ADMIN"], redirecting.url)
    set_document_status(make_document(users["ADMIN"].tenant).pk, "EXTRACTING")
    delivery.deliver_due()
    row = WebhookDelivery.objects.get()
    assert (row.status, row.last_status_code) == ("PENDING", 302)
    assert target.requests == []


def test_a_slow_receiver_times_out(users, receiver, make_document, webhook, monkeypatch):
    monkeypatch.setattr(conf, "TIMEOUT_SECONDS", 0.3)
    receiver.delay = 1.5
    webhook(users["ADMIN"], receiver.url)
    set_document_status(make_document(users["ADMIN"].tenant).pk, "EXTRACTING")
    delivery.deliver_due()
    row = WebhookDelivery.objects.get()
    assert row.status == "PENDING" and row.last_error == "timed out"


def test_an_unreachable_receiver_is_a_retried_failure(users, make_document, webhook):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    webhook(users["ADMIN"], f"http://127.0.0.1:{port}/")
    set_document_status(make_document(users["ADMIN"].tenant).pk, "EXTRACTING")
    delivery.deliver_due()
    row = WebhookDelivery.objects.get()
    assert row.status == "PENDING" and "ConnectionRefused" in row.last_error


def test_production_mode_refuses_private_addresses_at_each_attempt(
    users, receiver, make_document, webhook, settings, monkeypatch
):
    webhook(users["ADMIN"], receiver.url)  # saved in development mode
    settings.PRODUCTION = True
    set_document_status(make_document(users["ADMIN"].tenant).pk, "EXTRACTING")
    delivery.deliver_due()
    row = WebhookDelivery.objects.get()
    assert row.status == "PENDING" and row.last_error.startswith("refused:")
    assert receiver.requests == []

    monkeypatch.setenv("DOCUFLOW_WEBHOOK_ALLOWLIST", "127.0.0.0/8")
    WebhookDelivery.objects.update(next_attempt_at=row.created_at)
    delivery.deliver_due()
    row.refresh_from_db()
    assert row.status == "DELIVERED" and len(receiver.requests) == 1


def test_a_rotated_secret_signs_the_next_attempts(users, receiver, make_document, webhook):
    endpoint, old = webhook(users["ADMIN"], receiver.url)
    _, new = services.rotate_secret(users["ADMIN"], endpoint)
    assert new != old
    set_document_status(make_document(users["ADMIN"].tenant).pk, "EXTRACTING")
    delivery.deliver_due()
    _verify(new, receiver.requests[0])
    with pytest.raises(AssertionError):
        _verify(old, receiver.requests[0])


def test_a_secret_sealed_under_another_secret_key_fails_clearly(
    users, receiver, make_document, webhook, settings
):
    webhook(users["ADMIN"], receiver.url)
    set_document_status(make_document(users["ADMIN"].tenant).pk, "EXTRACTING")
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    delivery.deliver_due()
    row = WebhookDelivery.objects.get()
    assert row.status == "PENDING" and "rotate the secret" in row.last_error
    assert receiver.requests == []


def test_a_delivery_is_claimed_once_and_taken_over_after_its_lease(
    users, receiver, fake_clock, make_document, webhook
):
    webhook(users["ADMIN"], receiver.url)
    set_document_status(make_document(users["ADMIN"].tenant).pk, "EXTRACTING")
    first = delivery.claim()
    assert first is not None and first.attempts == 1
    assert delivery.claim() is None  # leased: a second worker gets nothing

    fake_clock.advance(conf.LEASE_SECONDS + 1)  # the first sender died
    second = delivery.claim()
    assert second is not None and second.attempts == 2
    # The first sender wakes up late: its outcome is ignored.
    assert delivery.record(first, delivery.Outcome(True, 200), fake_clock.now) == "PENDING"
    assert WebhookDelivery.objects.get().status == "PENDING"
    delivery.record(second, delivery.attempt(second, fake_clock.now), fake_clock.now)
    assert WebhookDelivery.objects.get().status == "DELIVERED"
    assert AuditEntry.objects.filter(action="webhook.delivered").count() == 1


def test_one_event_id_per_event_across_endpoints(users, receiver_factory, make_document, webhook):
    a, b = receiver_factory(), receiver_factory()
    webhook(users["ADMIN"], a.url)
    webhook(users["ADMIN"], b.url)
    set_document_status(make_document(users["ADMIN"].tenant).pk, "EXTRACTING")
    delivery.deliver_due()
    ids = {r.headers["x-docuflow-event-id"] for r in a.requests + b.requests}
    assert len(ids) == 1 and uuid.UUID(ids.pop())


def test_the_app_hooks_into_events_and_the_worker():
    assert services.queue_for_event in events._in_transaction
    assert delivery.start_in_background in worker.background_starters


@pytest.mark.django_db(transaction=True)
def test_the_background_sender_delivers_after_commit(tenant, receiver, make_document, webhook):
    from tests.factories import UserFactory

    admin = UserFactory(tenant=tenant, role="ADMIN", email="bg-admin@acme.test")
    _, secret = webhook(admin, receiver.url)
    stop = threading.Event()
    delivery.start_in_background(stop)
    try:
        doc = make_document(tenant)
        set_document_status(doc.pk, "EXTRACTING")  # commits; the sender is woken
        [request] = receiver.wait_for(1)
        _verify(secret, request)
        assert json.loads(request.body)["data"]["subject_id"] == str(doc.pk)
    finally:
        stop.set()
        delivery.wake()


@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_send_each_delivery_once(tenant, receiver, make_document, webhook):
    from django.db import connection

    from tests.factories import UserFactory

    admin = UserFactory(tenant=tenant, role="ADMIN", email="race-admin@acme.test")
    webhook(admin, receiver.url)
    for index in range(12):
        set_document_status(make_document(tenant, title=f"d{index}").pk, "EXTRACTING")
    start = threading.Barrier(3)
    errors = []

    def sender():
        try:
            start.wait()
            delivery.deliver_due()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    ids = [r.headers["x-docuflow-event-id"] for r in receiver.requests]
    assert len(ids) == 12 and len(set(ids)) == 12
    assert set(WebhookDelivery.objects.values_list("status", "attempts")) == {("DELIVERED", 1)}
