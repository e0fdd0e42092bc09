"""E-mail to a real SMTP server (aiosmtpd) with signed approve/reject links."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from docuflow.approvals import links
from docuflow.approvals.models import ApprovalLink, HumanTask
from docuflow.audit.models import AuditEntry
from docuflow.engine.models import TaskToken
from tests.approvals.conftest import drain

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.approvals.urls")]

BASE = "/api/v1/certification"
LINK = re.compile(r"https?://\S+/approve/\S+/")


def submit(api, user, cost=150):
    response = api(user).post(
        f"{BASE}/request",
        {"name": "Alice", "course": "AWS Certified Developer", "cost": cost},
        format="json",
    )
    assert response.status_code == 201
    return response.json()["requestId"]


def links_in(message: dict) -> dict[str, str]:
    found = LINK.findall(message["data"].replace("=\n", ""))
    paths = [urlsplit(url).path for url in found]
    return {"approve": paths[0], "reject": paths[1]}


def test_approval_email_reaches_smtp_and_its_link_decides_after_confirmation(
    api, users, smtp, settings
):
    settings.PUBLIC_URL = "https://docuflow.example"
    request_id = submit(api, users["UPLOADER"])
    drain()
    manager = users["MANAGER"]
    [message] = smtp.to(manager.email)
    assert "AWS Certified Developer" in message["data"]
    assert "https://docuflow.example/approve/" in message["data"]
    token = TaskToken.objects.get(human_task__subject_id=request_id).token
    assert token not in message["data"]
    # The requester, the REVIEWER and the ADMIN (MANAGER is the candidate role) are not asked.
    assert not smtp.to(users["UPLOADER"].email) and not smtp.to(users["REVIEWER"].email)

    paths = links_in(message)
    browser = Client()
    page = browser.get(paths["approve"])
    assert page.status_code == 200
    assert b"<form" in page.content and b"Approve" in page.content
    # Opening (as a mail scanner would) decided nothing.
    assert HumanTask.objects.get(subject_id=request_id).status == "PENDING"

    unconfirmed = browser.post(paths["approve"], {})
    assert unconfirmed.status_code == 422
    done = browser.post(paths["approve"], {"confirm": "yes", "notes": "Enjoy"})
    assert done.status_code == 200, done.content
    task = HumanTask.objects.get(subject_id=request_id)
    assert task.status == "APPROVED" and task.decided_by == manager and task.notes == "Enjoy"

    # Replayed: 410, on GET and POST; the other action's link is spent too.
    assert browser.get(paths["approve"]).status_code == 410
    assert browser.post(paths["approve"], {"confirm": "yes"}).status_code == 410
    assert browser.get(paths["reject"]).status_code == 410

    drain()
    assert api(users["UPLOADER"]).get(f"{BASE}/request/{request_id}").json()["status"] == "APPROVED"
    [note] = smtp.to(users["UPLOADER"].email)
    assert "approved" in note["data"] and token not in note["data"]
    sent = AuditEntry.objects.filter(action="email.sent", object_id=request_id)
    assert {e.details["to"] for e in sent} == {manager.email, users["UPLOADER"].email}
    assert all(token not in str(e.details) for e in AuditEntry.objects.all())


def test_reject_link_needs_a_reason(api, users, smtp):
    request_id = submit(api, users["UPLOADER"])
    drain()
    paths = links_in(smtp.to(users["MANAGER"].email)[0])
    browser = Client()
    assert browser.get(paths["reject"]).status_code == 200
    missing = browser.post(paths["reject"], {"confirm": "yes", "reason": "  "})
    assert missing.status_code == 422
    assert HumanTask.objects.get(subject_id=request_id).status == "PENDING"
    done = browser.post(paths["reject"], {"confirm": "yes", "reason": "Budget freeze"})
    assert done.status_code == 200
    drain()
    body = api(users["UPLOADER"]).get(f"{BASE}/request/{request_id}").json()
    assert body["status"] == "REJECTED"
    [note] = smtp.to(users["UPLOADER"].email)
    assert "Budget freeze" in note["data"]


def test_forged_links_are_403_on_get_and_post(api, users, smtp):
    submit(api, users["UPLOADER"])
    drain()
    path = links_in(smtp.to(users["MANAGER"].email)[0])["approve"]
    signed = path.split("/")[2]
    tampered = signed[:-3] + ("AAA" if not signed.endswith("AAA") else "BBB")
    browser = Client()
    for bad in (f"/approve/{tampered}/", "/approve/garbage/", "/approve/e30:1:abc/"):
        assert browser.get(bad).status_code == 403
        assert browser.post(bad, {"confirm": "yes"}).status_code == 403
    # Re-signing another action with a wrong key does not work either.
    link = ApprovalLink.objects.get()
    from django.core import signing

    forged = signing.dumps(
        {"l": str(link.pk), "a": "approve", "e": 2**40}, key="wrong", salt=links.SALT
    )
    assert browser.post(f"/approve/{forged}/", {"confirm": "yes"}).status_code == 403
    assert HumanTask.objects.get().status == "PENDING"


def test_expired_links_are_410(api, users, smtp, fake_clock):
    submit(api, users["UPLOADER"])
    drain()
    path = links_in(smtp.to(users["MANAGER"].email)[0])["approve"]
    fake_clock.advance(8 * 24 * 3600)  # past the 7-day link lifetime
    browser = Client()
    assert browser.get(path).status_code == 410
    assert browser.post(path, {"confirm": "yes"}).status_code == 410
    assert HumanTask.objects.get().status in ("PENDING", "EXPIRED", "ESCALATED")
    assert HumanTask.objects.filter(decision="").count() == HumanTask.objects.count()


def test_a_link_decides_only_for_its_recipient_and_while_they_may(api, users, smtp):
    submit(api, users["UPLOADER"])
    drain()
    manager = users["MANAGER"]
    path = links_in(smtp.to(manager.email)[0])["approve"]
    manager.role = "UPLOADER"  # lost approval rights since the e-mail went out
    manager.save(update_fields=["role"])
    response = Client().post(path, {"confirm": "yes"})
    assert response.status_code == 403
    assert HumanTask.objects.get().status == "PENDING"
    assert ApprovalLink.objects.get().used_at is None


def test_mail_not_sent_while_smtp_is_down_is_sent_later(api, users, settings, smtp):
    from django.core.management import call_command

    from docuflow.approvals.models import OutboundEmail
    from tests.approvals.conftest import _free_port

    working_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = _free_port()  # nothing listens there
    request_id = submit(api, users["UPLOADER"])
    drain()
    email = OutboundEmail.objects.get(subject_id=request_id)
    assert email.sent_at is None and email.last_error
    assert HumanTask.objects.get(subject_id=request_id).status == "PENDING"  # task still made
    assert not smtp.to(users["MANAGER"].email)

    settings.EMAIL_PORT = working_port
    call_command("approvals_send_mail")
    email.refresh_from_db()
    assert email.sent_at is not None
    [message] = smtp.to(users["MANAGER"].email)
    assert "/approve/" in message["data"]
    call_command("approvals_send_mail")  # nothing sent twice
    assert len(smtp.to(users["MANAGER"].email)) == 1
