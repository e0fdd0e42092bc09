"""Documents as the subject of human tasks: the review steps of the document workflows.

The shipped review workflows (``processing/workflows/*review*.asl.json``) call:

* ``docuflow-prepare-review`` (state NotifyReviewer): the review is planned: whether a
  MANAGER stage follows (Total Amount above the tenant's ``second_stage_amount``), when
  to escalate, who may never decide (the uploader: four eyes), the named approvers of a
  parallel review;
* the approvals app's human-task resources (WaitForApproval). The document becomes
  PENDING_APPROVAL in the transaction that creates its task (``_on_opened``), so a
  document shown as waiting can always be decided. The decision arrives through
  ``decide_document`` (API) or an e-mail link, and sets the document's status in the
  decision's own transaction (``_on_decided``);
* ``docuflow-archive`` (ArchiveDocument): the approved version moves to the archive
  area of storage and the document becomes ARCHIVED;
* ``docuflow-notify-completion`` (NotifyCompletion): the uploader is e-mailed the outcome.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from rest_framework import exceptions

from docuflow.accounts import roles
from docuflow.accounts.models import User
from docuflow.api.errors import Conflict
from docuflow.approvals import mail, services, subjects
from docuflow.approvals.models import HumanTask
from docuflow.documents import services as documents
from docuflow.documents import storage
from docuflow.documents.models import Document, DocumentVersion
from docuflow.engine import clock
from docuflow.engine.resources import TaskContext, TaskError, register_function
from docuflow.processing.status import set_document_status
from docuflow.processing.tasks import document_of, superseded
from docuflow.queries import one_or_none

S = Document.Status
DOCUMENT = HumanTask.Subject.DOCUMENT
DECIDED = (S.APPROVED, S.REJECTED, S.ARCHIVED)
SHOWN_FIELDS = 8
# What choosing the task to decide reads (``services.decide`` locks and reads it whole).
DECIDING_FIELDS = [
    "id",
    "tenant_id",
    "execution_id",
    "assignee_id",
    "min_role",
    "required_approvals",
    "created_at",
]


# --- the subject ----------------------------------------------------------------------------


def _describe(tenant_id: str, subject_id: str) -> subjects.Description | None:
    doc = one_or_none(
        Document.objects.select_related("uploaded_by").filter(
            tenant_id=tenant_id, pk__in=services.parse_uuids([subject_id])
        )
    )
    if doc is None:
        return None
    data = doc.extracted_data if isinstance(doc.extracted_data, dict) else {}
    lines = [
        ("Title", doc.title),
        ("Type", doc.get_document_type_display()),
        ("File", f"{doc.filename} ({doc.file_size} bytes, version {doc.version})"),
        ("Uploaded by", doc.uploaded_by.email if doc.uploaded_by else "-"),
        ("Uploaded", doc.created_at.strftime("%Y-%m-%d %H:%M UTC")),
    ]
    if isinstance(data.get("confidence"), int | float):
        lines.append(("Extraction confidence", f"{data['confidence']:.1f}"))
    fields = data.get("key_values") if isinstance(data.get("key_values"), dict) else {}
    lines += [(str(k), str(v)) for k, v in list(fields.items())[:SHOWN_FIELDS]]
    lines.append(("Document id", str(doc.pk)))
    return subjects.Description(
        title=f"Review {doc.get_document_type_display().lower()}: {doc.title}"[:300],
        lines=lines,
        requested_by_id=doc.uploaded_by_id,
    )


def _document_id(task: HumanTask):
    """The vault document a task is about (None for a workflow's own, non-UUID subject)."""
    found = services.parse_uuids([task.subject_id])
    return found[0] if found else None


def _on_decided(task: HumanTask, actor: User) -> None:
    """Inside the decision's transaction: the document follows the decision at once.

    A rejection at any stage rejects; an approval decides only at the final stage (an
    earlier stage's approval leaves the document PENDING_APPROVAL for the next one).
    """
    document_id = _document_id(task)
    if document_id is None or (task.status == HumanTask.Status.APPROVED and not task.final):
        return
    set_document_status(
        document_id,
        task.status,
        expected={S.PENDING_APPROVAL},
        actor=actor,
        details={"task_id": str(task.pk), "stage": task.stage},
        reviewed_by=actor,
        reviewed_at=task.decided_at or clock.now(),
        review_notes=task.reason if task.status == HumanTask.Status.REJECTED else task.notes,
    )


def _on_opened(task: HumanTask) -> None:
    """Inside the task's creation: the document waits for a decision from now on."""
    document_id = _document_id(task)
    if document_id is not None:
        set_document_status(
            document_id,
            S.PENDING_APPROVAL,
            expected={S.VALIDATING, S.PENDING_APPROVAL},
            details={"task_id": str(task.pk), "stage": task.stage},
        )


subjects.register_subject(
    DOCUMENT, describe=_describe, on_decided=_on_decided, on_opened=_on_opened
)


# --- deciding through the documents API -----------------------------------------------------


def decide_document(
    actor: User, doc: Document, decision: str, note: str, request=None
) -> HumanTask:
    """``POST /documents/{id}/approve/`` and ``/reject/``: decide the document's open task.

    403 for a role that cannot approve; 409 when the document is not waiting for this
    user's decision (decided already, not yet in review, someone else's stage, or a
    parallel review this user already voted in). The caller resolved ``doc`` through
    the visibility rules (another tenant's document is a 404 before this).
    """
    if not roles.can_approve(actor.role):
        raise exceptions.PermissionDenied("Your role may not approve or reject documents.")
    # The document's open tasks (usually one), the first the actor may decide: the rule
    # of services.decidable_filter, applied task by task (plain look-ups).
    pending = list(
        HumanTask.objects.filter(
            tenant_id=doc.tenant_id,
            subject_type=DOCUMENT,
            subject_id=str(doc.pk),
            status=HumanTask.Status.PENDING,
        )
        .order_by("created_at")
        .only(*DECIDING_FIELDS)
    )
    task = next(
        (t for t in pending if services.may_decide(actor, t) and not services.has_voted(actor, t)),
        None,
    )
    if task is None:
        current = Document.objects.filter(pk=doc.pk).values_list("status", flat=True).first()
        if current in DECIDED:
            raise Conflict(f"The document was already decided ({current}).")
        if pending:
            raise Conflict("The document is not waiting for your decision.")
        raise Conflict(f"The document is not waiting for a decision (it is {current}).")
    return services.decide(actor, task, decision, note, request=request, via="documents-api")


# --- task resources ---------------------------------------------------------------------------


def _amount(value) -> Decimal | None:
    try:
        found = Decimal(str(value).replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return found if found.is_finite() else None


def _parallel_approvers(tenant_id: str, ids, uploader_id) -> list[str]:
    members = User.objects.filter(
        tenant_id=tenant_id,
        is_active=True,
        pk__in=services.parse_uuids(ids),
        role__in=roles.APPROVERS,
    ).exclude(pk=uploader_id)
    return [str(pk) for pk in members.values_list("pk", flat=True)]


def prepare_review(payload, ctx: TaskContext) -> dict:
    """NotifyReviewer: the plan of the review (see module doc)."""
    document_id, version, doc = document_of(payload, ctx)
    waiting = (S.VALIDATING, S.PENDING_APPROVAL)
    if doc.status not in waiting or (version is not None and doc.version != version):
        raise superseded(document_id, "it is no longer being validated")
    rules = services.approval_settings(ctx.tenant_id)
    data = doc.extracted_data if isinstance(doc.extracted_data, dict) else {}
    fields = data.get("key_values") if isinstance(data.get("key_values"), dict) else {}
    amount = _amount(fields.get("Total Amount"))
    second_stage = amount is not None and amount > rules.second_stage_amount
    approvers = _parallel_approvers(ctx.tenant_id, rules.parallel_approvers, doc.uploaded_by_id)
    uploader = [str(doc.uploaded_by_id)] if doc.uploaded_by_id else []
    return {
        "documentId": document_id,
        "secondStage": second_stage,
        "singleStage": not second_stage,
        "amount": str(amount) if amount is not None else None,
        "threshold": str(rules.second_stage_amount),
        "escalateAfterSeconds": int(rules.escalate_after_seconds),
        "excludedUsers": uploader,
        "uploaderId": uploader[0] if uploader else "",
        "approvers": approvers,
        "requiredApprovals": max(1, min(rules.parallel_required_approvals, len(approvers))),
        "parallelRoles": [] if approvers else ["REVIEWER"],
    }


def archive(payload, ctx: TaskContext) -> dict:
    """ArchiveDocument: move the approved version to the archive area; ARCHIVED."""
    document_id, version, doc = document_of(payload, ctx)
    number = version if version is not None else doc.version
    if doc.version != number or doc.status not in (S.APPROVED, S.ARCHIVED):
        raise superseded(document_id, f"version {number} is not the approved one")
    try:
        moved = documents.archive_version(ctx.tenant_id, document_id, number)
    except (storage.StorageError, DocumentVersion.DoesNotExist) as error:
        raise TaskError("Archive.Failed", f"{type(error).__name__}: {error}") from None
    set_document_status(document_id, S.ARCHIVED, expected={S.APPROVED}, expected_version=number)
    return {"document_id": document_id, "version": number, "archive_key": moved.storage_key}


def notify_completion(payload, ctx: TaskContext) -> dict:
    """NotifyCompletion: e-mail the uploader the outcome (once per version and status)."""
    _, version, doc = document_of(payload, ctx, Document.objects.select_related("uploaded_by"))
    uploader = doc.uploaded_by
    if uploader is None or not uploader.is_active or (version and doc.version != version):
        return {"notified": False}
    email = mail.queue(
        tenant_id=ctx.tenant_id,
        key=f"document-outcome:{doc.pk}:v{doc.version}:{doc.status}",
        kind=mail.DOCUMENT_OUTCOME,
        recipient=uploader,
        subject_type=DOCUMENT,
        subject_id=str(doc.pk),
        context={"status": doc.status, "version": doc.version},
    )
    if email is not None:
        mail.deliver_queued([email])
    return {"notified": email is not None, "status": doc.status}


def register() -> None:
    register_function("docuflow-prepare-review", prepare_review)
    register_function("docuflow-archive", archive)
    register_function("docuflow-notify-completion", notify_completion)
