"""E-mail: queued in the transaction of its cause, sent after commit, audited when sent.

``queue`` is idempotent by key (workflow handlers run at least once). ``deliver`` claims
an unsent e-mail, renders it (links are signed at that moment, never stored), sends it
through Django's mail (console by default, SMTP with ``EMAIL_URL``) and records
``email.sent`` in the audit log. A failed send is logged with its error and left unsent.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string

from docuflow.approvals import links
from docuflow.approvals.models import ApprovalLink, CertificationRequest, HumanTask, OutboundEmail
from docuflow.audit import services as audit
from docuflow.documents.models import Document
from docuflow.engine import clock
from docuflow.queries import one_or_none

log = logging.getLogger(__name__)

APPROVAL_REQUEST = "approval_request"
CERTIFICATION_DECIDED = "certification_decided"
DOCUMENT_OUTCOME = "document_outcome"
MAX_ATTEMPTS = 5


def queue(
    *,
    tenant_id: str,
    key: str,
    kind: str,
    recipient,
    subject_type: str,
    subject_id: str,
    context: dict,
    new: bool = False,
) -> OutboundEmail | None:
    """Queue one e-mail (inside the caller's transaction). None when it has no address.

    ``new``: the caller knows no e-mail has this key yet (its key names a row created in
    this transaction): one INSERT instead of a look-up first.
    """
    if not recipient.email:
        return None
    fields = {
        "tenant_id": tenant_id,
        "kind": kind,
        "recipient": recipient,
        "to_address": recipient.email,
        "subject_type": subject_type,
        "subject_id": str(subject_id),
        "context": context,
        "created_at": clock.now(),
    }
    if new:
        return OutboundEmail.objects.create(key=key, **fields)
    email, _ = OutboundEmail.objects.get_or_create(key=key, defaults=fields)
    return email


def deliver_after_commit(emails: list[OutboundEmail | None]) -> None:
    """Send these queued e-mails once the caller's transaction commits."""
    emails = [email for email in emails if email is not None]
    if emails:
        transaction.on_commit(lambda: deliver_queued(emails))


def deliver(ids: list) -> int:
    """Send the unsent e-mails among ``ids``. Returns how many were sent."""
    return deliver_queued(list(OutboundEmail.objects.filter(pk__in=ids, sent_at__isnull=True)))


def deliver_queued(emails: list[OutboundEmail]) -> int:
    """Send e-mails the caller holds (just queued or just read), without reading them
    again: the claim in ``_deliver_one`` skips any that was sent or claimed meanwhile."""
    return sum(_deliver_one(email) for email in emails)


def deliver_unsent() -> int:
    """Retry every unsent e-mail that has attempts left (after an SMTP outage)."""
    ids = OutboundEmail.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS).exclude(
        last_error__startswith="skipped"
    )
    return deliver(list(ids.values_list("pk", flat=True)))


def _deliver_one(email: OutboundEmail) -> int:
    # Claim it: of two processes delivering the same e-mail, one sends.
    claimed = OutboundEmail.objects.filter(
        pk=email.pk, sent_at__isnull=True, attempts=email.attempts
    ).update(attempts=email.attempts + 1)
    if not claimed or email.attempts >= MAX_ATTEMPTS:
        return 0
    rendered = render(email)
    if rendered is None:  # nothing to say any more (the task was decided meanwhile)
        OutboundEmail.objects.filter(pk=email.pk).update(last_error="skipped: no longer relevant")
        return 0
    subject, body = rendered
    try:
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [email.to_address]).send()
    except Exception as exc:  # SMTP down or refusing: keep it unsent, say why
        log.warning(
            "e-mail %s (%s) to %s not sent: %s", email.pk, email.kind, email.to_address, exc
        )
        OutboundEmail.objects.filter(pk=email.pk).update(last_error=str(exc)[:500])
        return 0
    with transaction.atomic():
        OutboundEmail.objects.filter(pk=email.pk).update(sent_at=clock.now(), last_error="")
        audit.record(
            tenant=email.tenant_id,
            actor=None,
            action="email.sent",
            object_type=email.subject_type,
            object_id=email.subject_id,
            details={
                "email_id": str(email.pk),
                "kind": email.kind,
                "to": email.to_address,
                "subject": subject,
                **({"task_id": email.context["task_id"]} if "task_id" in email.context else {}),
            },
        )
    return 1


def render(email: OutboundEmail) -> tuple[str, str] | None:
    if email.kind == APPROVAL_REQUEST:
        return _render_approval_request(email)
    if email.kind == CERTIFICATION_DECIDED:
        return _render_certification_decided(email)
    if email.kind == DOCUMENT_OUTCOME:
        return _render_document_outcome(email)
    raise ValueError(f"unknown e-mail kind {email.kind}")


def _render_approval_request(email: OutboundEmail) -> tuple[str, str] | None:
    link = one_or_none(
        ApprovalLink.objects.select_related("task", "task__requested_by", "recipient").filter(
            pk=email.context.get("link_id")
        )
    )
    if link is None or link.task.status != HumanTask.Status.PENDING:
        return None
    task = link.task
    context = {
        "recipient": link.recipient,
        "task": task,
        "lines": task.details.get("lines", []),
        "requested_by": task.requested_by,
        "escalated": task.escalated_from_id is not None,
        "approve_url": links.url(link, "approve"),
        "reject_url": links.url(link, "reject"),
        "expires_at": link.expires_at,
        "inbox_url": f"{settings.PUBLIC_URL}/api/v1/approvals/{task.pk}/",
    }
    prefix = "Escalated: approval needed" if context["escalated"] else "Approval needed"
    subject = f"[DocuFlow] {prefix}: {task.title}"
    return subject, render_to_string("approvals/email/approval_request.txt", context)


def _render_certification_decided(email: OutboundEmail) -> tuple[str, str]:
    request = CertificationRequest.objects.select_related("decided_by", "requester").get(
        pk=email.subject_id
    )
    status = email.context.get("status", request.status)
    reason = (
        HumanTask.objects.filter(
            subject_type=HumanTask.Subject.CERTIFICATION,
            subject_id=str(request.pk),
            status=HumanTask.Status.REJECTED,
        )
        .values_list("reason", flat=True)
        .first()
    )
    context = {"request": request, "status": status, "reason": reason or ""}
    subject = f"[DocuFlow] Your certification request was {status.lower()}: {request.course}"
    return subject, render_to_string("approvals/email/certification_decided.txt", context)


OUTCOME_WORDS = {
    "APPROVED": "was approved",
    "ARCHIVED": "was approved and archived",
    "REJECTED": "was rejected",
    "VALIDATION_FAILED": "failed validation",
    "EXTRACTION_FAILED": "could not be read",
}


def _render_document_outcome(email: OutboundEmail) -> tuple[str, str] | None:
    doc = one_or_none(Document.objects.select_related("reviewed_by").filter(pk=email.subject_id))
    if doc is None:  # deleted meanwhile
        return None
    status = email.context.get("status", doc.status)
    words = OUTCOME_WORDS.get(status, f"is {status.lower()}")
    data = doc.extracted_data if isinstance(doc.extracted_data, dict) else {}
    context = {
        "recipient": email.recipient,
        "document": doc,
        "status": status,
        "words": words,
        "failure": data.get("failure_reason") or {},
        "document_url": f"{settings.PUBLIC_URL}/documents/{doc.pk}",
    }
    subject = f"[DocuFlow] Your document {words}: {doc.title}"
    return subject, render_to_string("approvals/email/document_outcome.txt", context)
