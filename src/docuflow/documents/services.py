"""The vault's business rules: creating documents, storing content, workflows, deletion.

Content is always received into a ``Spool`` first (streamed, hashed, size-checked), then
checked (``ingest.inspect``), then committed to its final storage key, and only then
recorded in the database, in one transaction with its audit entry and the workflow start.
If the transaction fails the blob is removed again, so no failed upload leaves anything
behind. Version numbers are reserved before the blob is written, so two uploads racing on
one document get different keys and neither overwrites the other.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import uuid
from pathlib import Path

from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from rest_framework import exceptions

from docuflow.accounts import roles
from docuflow.accounts.models import Tenant, User
from docuflow.api.errors import Conflict, PayloadTooLarge, UnprocessableEntity
from docuflow.audit import services as audit
from docuflow.documents import conf, ingest, signing, storage
from docuflow.documents.models import (
    Document,
    DocumentRoleGrant,
    DocumentVersion,
    DocumentWorkflow,
)
from docuflow.queries import one_or_none

log = logging.getLogger(__name__)

# What the client got wrong (as opposed to a store that failed): its content is dropped.
REJECTIONS = (PayloadTooLarge, exceptions.UnsupportedMediaType, exceptions.ValidationError)
FINAL_STATUSES = {Document.Status.APPROVED, Document.Status.ARCHIVED}


class StorageUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = "The document store is unavailable; try again later."
    default_code = "storage_unavailable"


# --- permissions ---------------------------------------------------------------------------


def _require_uploader(actor: User) -> None:
    if not roles.can_upload(actor.role):
        raise exceptions.PermissionDenied("Your role may not upload documents.")


def check_can_upload(actor: User) -> None:
    _require_uploader(actor)


def check_can_upload_to(actor: User, doc: Document) -> None:
    _require_owner_or_manager(actor, doc, "upload content to")


def _require_owner_or_manager(actor: User, doc: Document, what: str) -> None:
    if roles.can_manage(actor.role):
        return
    if doc.uploaded_by_id == actor.pk and doc.status not in FINAL_STATUSES:
        return
    raise exceptions.PermissionDenied(
        f"Only the uploader (before approval), a MANAGER or an ADMIN may {what} this document."
    )


# --- creation --------------------------------------------------------------------------------


def check_documents_limit(tenant_id: str, *, lock: bool = False) -> None:
    tenants = Tenant.objects.select_for_update() if lock else Tenant.objects
    used = Document.objects.filter(tenant_id=OuterRef("pk")).order_by().values("tenant_id")
    # The limit and the count in one query.
    limit, count = (
        tenants.filter(pk=tenant_id)
        .values_list("documents_limit", Subquery(used.annotate(n=Count("pk")).values("n")))
        .get()
    )
    if (count or 0) >= limit:
        raise Conflict(f"The tenant has reached its limit of {limit} documents.")


def _members(actor: User, user_ids) -> list[User]:
    wanted = {str(user_id) for user_id in user_ids}
    found = list(User.objects.filter(tenant_id=actor.tenant_id, pk__in=wanted))
    missing = wanted - {str(user.pk) for user in found}
    if missing:
        raise UnprocessableEntity(
            {"allowed_users": [f"Not members of this tenant: {', '.join(sorted(missing))}."]}
        )
    return found


def _set_access(actor, doc, visibility, allowed_roles, allowed_users) -> None:
    if visibility is not None:
        doc.visibility = visibility
    if allowed_roles is not None:
        doc.role_grants.all().delete()
        DocumentRoleGrant.objects.bulk_create(
            DocumentRoleGrant(document=doc, role=role) for role in sorted(set(allowed_roles))
        )
    if allowed_users is not None:
        doc.allowed_users.set(_members(actor, allowed_users))


def create_document(
    actor: User,
    *,
    title: str,
    document_type: str = Document.DocumentType.GENERIC,
    visibility: str = Document.Visibility.TENANT,
    allowed_roles=None,
    allowed_users=None,
    request=None,
) -> Document:
    """A document with no content yet (status UPLOADED, ``file_size`` 0)."""
    _require_uploader(actor)
    with transaction.atomic():
        check_documents_limit(actor.tenant_id, lock=True)
        doc = Document.objects.create(
            tenant_id=actor.tenant_id,
            title=title,
            document_type=document_type,
            visibility=visibility,
            uploaded_by=actor,
        )
        _set_access(actor, doc, None, allowed_roles, allowed_users)
        audit.record(
            tenant=doc.tenant_id,
            actor=actor,
            action="document.created",
            object_type="document",
            object_id=doc.pk,
            request=request,
            details={"title": title, "document_type": document_type},
        )
    return doc


def upload_document(
    actor: User,
    spool: ingest.Spool,
    *,
    filename: str,
    title: str | None = None,
    document_type: str = Document.DocumentType.GENERIC,
    visibility: str = Document.Visibility.TENANT,
    allowed_roles=None,
    allowed_users=None,
    request=None,
    via: str = "multipart",
) -> Document:
    """A new document with its first version, in one step (multipart upload)."""
    _require_uploader(actor)
    content_type = ingest.inspect(spool)
    if allowed_users:
        _members(actor, allowed_users)  # refuse before anything is stored
    doc = Document(
        id=uuid.uuid4(),
        tenant_id=actor.tenant_id,
        title=(title or filename or "Untitled").strip()[:255] or "Untitled",
        document_type=document_type,
        visibility=visibility,
        uploaded_by=actor,
        next_version=2,
    )
    filename = filename or ingest.default_filename(doc.title, content_type)
    key = storage.version_key(doc.tenant_id, doc.pk, 1)
    _commit_blob(spool, key)
    try:
        with transaction.atomic():
            check_documents_limit(actor.tenant_id, lock=True)
            _record_version(
                actor, doc, spool, 1, key, content_type, filename, request, via, new=True
            )
            _set_access(actor, doc, None, allowed_roles, allowed_users)
    except BaseException:
        _forget_blob(key)
        raise
    return doc


def add_version(
    actor: User,
    doc: Document,
    spool: ingest.Spool,
    *,
    filename: str,
    request=None,
    via: str = "put",
    first_only: bool = False,
) -> Document:
    """New content for an existing document: stops its workflow and starts a fresh one.

    With ``first_only`` (an upload URL, which is good for the first content only) a
    document that meanwhile received content answers 409 and keeps what it has.
    """
    _require_owner_or_manager(actor, doc, "upload content to")
    content_type = ingest.inspect(spool)
    filename = filename or doc.filename or ingest.default_filename(doc.title, content_type)
    number = _reserve_version(doc, first_only)
    key = storage.version_key(doc.tenant_id, doc.pk, number)
    _commit_blob(spool, key)
    try:
        with transaction.atomic():
            locked = Document.objects.select_for_update().get(pk=doc.pk)
            if first_only and locked.version > 0:
                raise Conflict("This upload link was already used: the document has content.")
            _record_version(actor, locked, spool, number, key, content_type, filename, request, via)
    except BaseException:
        _forget_blob(key)
        raise
    return locked


def _reserve_version(doc: Document, first_only: bool) -> int:
    with transaction.atomic():
        locked = one_or_none(Document.objects.select_for_update().filter(pk=doc.pk))
        if locked is None:
            raise exceptions.NotFound()
        if first_only and locked.version > 0:
            raise Conflict("This upload link was already used: the document has content.")
        number = max(locked.next_version, locked.version + 1)
        Document.objects.filter(pk=doc.pk).update(next_version=number + 1)
    return number


def _commit_blob(spool: ingest.Spool, key: str) -> None:
    try:
        storage.get_storage().commit(spool.path, key)
    except storage.StorageError:
        log.exception("could not store %s", key)
        raise StorageUnavailable()


def _forget_blob(key: str) -> None:
    try:
        storage.get_storage().delete(key)
    except storage.StorageError:
        log.exception("could not remove the blob %s of a failed upload", key)


def _record_version(
    actor, doc, spool, number, key, content_type, filename, request, via, *, new: bool = False
) -> None:
    """The version row, the document's current facts, the audit entry, the workflow.

    With ``new`` the document is not stored yet: its workflow starts first, so that one
    INSERT stores the document with its first version's facts and its execution's ARN.
    """
    current = number > doc.version
    if current:
        replaced = doc.version > 0
        doc.version = number
        doc.filename = filename
        doc.content_type = content_type
        doc.file_size = spool.size
        doc.sha256 = spool.sha256
        if replaced:
            # New content is a new document to review: what was decided was about the old.
            doc.status = Document.Status.UPLOADED
            doc.extracted_data = {}
            doc.reviewed_by = None
            doc.reviewed_at = None
            doc.review_notes = ""
    if new:
        doc.workflow_arn = start_workflow(doc, record=False) or ""
        doc.save(force_insert=True)
    elif current:
        doc.save()
    DocumentVersion.objects.create(
        document=doc,
        number=number,
        storage_key=key,
        size=spool.size,
        sha256=spool.sha256,
        block_size=conf.CHUNK,
        block_hashes=spool.block_hashes,
        content_type=content_type,
        filename=filename,
        created_by=actor,
    )
    if current:
        audit.record(
            tenant=doc.tenant_id,
            actor=actor,
            action="document.uploaded",
            object_type="document",
            object_id=doc.pk,
            version=number,
            request=request,
            details={
                "filename": filename,
                "size": spool.size,
                "sha256": spool.sha256,
                "content_type": content_type,
                "via": via,
            },
        )
        if replaced:
            stop_workflow(doc, cause=f"Version {number} of the document was uploaded")
        if not new:
            start_workflow(doc)


# --- direct uploads (S3 pre-signed PUT) ------------------------------------------------------


def upload_url(request, actor: User, doc: Document) -> str | None:
    """Where the first content of a document may be PUT, or None once it has content."""
    if doc.version > 0:
        return None
    expires_in = conf.upload_url_expires()
    backend = storage.get_storage()
    if backend.direct_uploads:
        return backend.presigned_put_url(storage.incoming_key(doc.tenant_id, doc.pk), expires_in)
    grant = signing.issue(signing.UPLOAD, doc, 1, actor, expires_in)
    return signing.url_for(request, grant)


def complete_direct_upload(actor: User, doc: Document, request=None) -> Document:
    """Check and adopt content a client PUT straight into the store (S3)."""
    if doc.version > 0:
        return doc
    _require_owner_or_manager(actor, doc, "upload content to")
    backend = storage.get_storage()
    incoming = storage.incoming_key(doc.tenant_id, doc.pk)
    if not backend.direct_uploads or not backend.exists(incoming):
        raise Conflict("No content has been uploaded for this document yet.")
    try:
        with ingest.Spool() as spool:
            for chunk in backend.read(incoming):
                spool.write(chunk)
            spool.finish()
            doc = add_version(
                actor, doc, spool, filename="", request=request, via="presigned", first_only=True
            )
    except REJECTIONS:
        _forget_blob(incoming)  # rejected content does not linger in the bucket
        raise
    _forget_blob(incoming)
    return doc


# --- reading --------------------------------------------------------------------------------


def issue_download_url(actor: User, doc: Document, expires_in: int, request=None) -> dict:
    if doc.version == 0:
        raise Conflict("The document has no content yet.")
    grant = signing.issue(signing.DOWNLOAD, doc, doc.version, actor, expires_in)
    with transaction.atomic():
        audit.record(
            tenant=doc.tenant_id,
            actor=actor,
            action="document.download_url_issued",
            object_type="document",
            object_id=doc.pk,
            version=doc.version,
            request=request,
            details={"expires_in": expires_in},
        )
    from datetime import UTC, datetime

    return {
        "url": signing.url_for(request, grant),
        "expires_at": datetime.fromtimestamp(grant.expires, UTC),
        "expires_in": expires_in,
    }


def record_download(actor, doc: Document, version: DocumentVersion, request, via: str, byte_range):
    details = {"via": via}
    if byte_range is not None:
        details["range"] = f"{byte_range[0]}-{byte_range[1] - 1}"
    audit.record(
        tenant=doc.tenant_id,
        actor=actor,
        action="document.downloaded",
        object_type="document",
        object_id=doc.pk,
        version=version.number,
        request=request,
        details=details,
    )


# --- changing and deleting ------------------------------------------------------------------


def update_document(actor: User, doc: Document, request=None, **changes) -> Document:
    _require_owner_or_manager(actor, doc, "change")
    access = {key: changes.pop(key) for key in ("visibility", "allowed_roles", "allowed_users")}
    with transaction.atomic():
        for field, value in changes.items():
            setattr(doc, field, value)
        _set_access(
            actor, doc, access["visibility"], access["allowed_roles"], access["allowed_users"]
        )
        doc.save()
        changed = {key: value for key, value in changes.items()}
        changed.update({key: value for key, value in access.items() if value is not None})
        audit.record(
            tenant=doc.tenant_id,
            actor=actor,
            action="document.updated",
            object_type="document",
            object_id=doc.pk,
            version=doc.version or None,
            request=request,
            details=json.loads(json.dumps(changed, default=str)),
        )
    return doc


def delete_document(actor: User, doc: Document, request=None) -> None:
    """Metadata, every version's blob, and a running workflow: all gone."""
    _require_owner_or_manager(actor, doc, "delete")
    prefixes = [
        storage.document_prefix(doc.tenant_id, doc.pk),
        storage.archive_prefix(doc.tenant_id, doc.pk),
    ]
    with transaction.atomic():
        stop_workflow(doc, cause="The document was deleted")
        audit.record(
            tenant=doc.tenant_id,
            actor=actor,
            action="document.deleted",
            object_type="document",
            object_id=doc.pk,
            version=doc.version or None,
            request=request,
            details={"title": doc.title, "versions": doc.versions.count()},
        )
        doc.delete()
    for prefix in prefixes:
        try:
            storage.get_storage().delete_prefix(prefix)
        except storage.StorageError:
            # The rows are gone, so nothing can reach these blobs; log them for an operator.
            log.exception("document deleted but its blobs under %s could not be removed", prefix)


def archive_version(tenant_id: str, document_id, number: int) -> DocumentVersion:
    """Move an approved version's content to the archive area; idempotent.

    Copy first, then point the version row at the copy, then remove the working copy:
    a reader never finds the row pointing at nothing, and a repeated run (handlers run
    at least once) finds the row already moved and only finishes the clean-up.
    """
    target = storage.archive_key(tenant_id, document_id, number)
    backend = storage.get_storage()
    version = version_of(tenant_id, document_id, number)
    source = version.storage_key
    if source != target:
        backend.copy(source, target)
        moved = DocumentVersion.objects.filter(pk=version.pk, storage_key=source).update(
            storage_key=target
        )  # one statement: atomic by itself
        if moved:
            version.storage_key = target
    working = storage.version_key(tenant_id, document_id, number)
    if version.storage_key == target and working != target:
        backend.delete(working)
    return version


# --- workflows ------------------------------------------------------------------------------


def bind_workflow(tenant: Tenant, state_machine, document_type: str | None = None):
    """Make ``state_machine`` the one documents of ``document_type`` (None: any) start."""
    if state_machine.tenant_id != tenant.pk:
        raise ValueError("the state machine belongs to another tenant")
    binding, _ = DocumentWorkflow.objects.update_or_create(
        tenant=tenant, document_type=document_type, defaults={"state_machine": state_machine}
    )
    return binding


def workflow_for(doc: Document):
    """The state machine bound to the document's type, else the tenant's default one."""
    binding = (
        DocumentWorkflow.objects.filter(tenant_id=doc.tenant_id)
        .filter(Q(document_type=doc.document_type) | Q(document_type__isnull=True))
        .select_related("state_machine")
        .order_by(F("document_type").asc(nulls_last=True))  # the type's own binding first
        .first()
    )
    return binding.state_machine if binding else None


def workflow_input(doc: Document) -> str:
    return json.dumps(
        {
            "document_id": str(doc.pk),
            "tenant_id": doc.tenant_id,
            "document_type": doc.document_type,
            "version": doc.version,
            "storage_key": storage.version_key(doc.tenant_id, doc.pk, doc.version),
            "content_type": doc.content_type,
            "title": doc.title,
        }
    )


def running_execution(doc: Document):
    from docuflow.engine.models import Execution

    if not doc.workflow_arn:
        return None
    return Execution.objects.filter(
        tenant_id=doc.tenant_id, arn=doc.workflow_arn, status=Execution.Status.RUNNING
    ).first()


def stop_workflow(doc: Document, cause: str) -> None:
    from docuflow.engine import services as engine

    execution = running_execution(doc)
    if execution is not None:
        engine.stop_execution(execution, error="DocumentChanged", cause=cause)


def start_workflow(doc: Document, *, suffix: str = "", record: bool = True) -> str | None:
    """Start the tenant's workflow for the document's current version, exactly once.

    The execution is named after the document and version, so a second start of the
    same version finds the first one (``ExecutionAlreadyExists``) instead of a duplicate.
    Returns the execution ARN, or None when the tenant binds no workflow to this type.
    A failure to start is logged and leaves the upload in place (status UPLOADED).
    With ``record=False`` the caller stores the ARN on the document itself.
    """
    from docuflow.engine import errors as engine_errors
    from docuflow.engine import services as engine
    from docuflow.engine.models import Execution

    machine = workflow_for(doc)
    if machine is None:
        return None
    name = f"doc-{doc.pk}-v{doc.version}{suffix}"
    try:
        with transaction.atomic():
            try:
                execution = engine.start_execution(machine, input=workflow_input(doc), name=name)
            except engine_errors.ExecutionAlreadyExists:
                execution = Execution.objects.get(state_machine=machine, name=name)
    except engine_errors.EngineError:
        log.exception("could not start %s for document %s", machine.arn, doc.pk)
        return None
    if record:
        Document.objects.filter(pk=doc.pk).update(workflow_arn=execution.arn)
        doc.workflow_arn = execution.arn
    return execution.arn


def start_workflow_by_hand(
    actor: User,
    doc: Document,
    request=None,
    *,
    action: str = "document.workflow_started",
    refuse_statuses: tuple[str, ...] = (),
    what: str = "start workflows",
) -> Document:
    """``POST …/start-workflow/`` (and extraction reruns): a fresh execution of the bound
    workflow on the current version. 409 while one runs, or with nothing to run on."""
    if not roles.can_manage(actor.role):
        raise exceptions.PermissionDenied(f"Only a MANAGER or ADMIN may {what}.")
    with transaction.atomic():
        doc = Document.objects.select_for_update().get(pk=doc.pk)
        if doc.version == 0:
            raise Conflict("The document has no content yet.")
        if doc.status in refuse_statuses:
            raise Conflict(f"The document is {doc.status}; upload a new version instead.")
        if running_execution(doc) is not None:
            raise Conflict("Document already has an active workflow.")
        if workflow_for(doc) is None:
            raise Conflict(
                f"No workflow is configured for {doc.document_type} documents in this tenant."
            )
        arn = start_workflow(doc, suffix=f"-r{uuid.uuid4().hex[:8]}")
        if arn is None:
            raise Conflict("The workflow could not be started.")
        audit.record(
            tenant=doc.tenant_id,
            actor=actor,
            action=action,
            object_type="document",
            object_id=doc.pk,
            version=doc.version,
            request=request,
            details={"execution_arn": arn},
        )
    return doc


# --- content for other apps (extraction, archive) ---------------------------------------------


def version_of(tenant_id: str, document_id, number: int | None = None) -> DocumentVersion:
    """A version of a document of ``tenant_id`` (the current one when ``number`` is None).

    For workflow handlers, which act for the tenant rather than for a user: they get the
    tenant id and storage key from the execution input. Raises ``DocumentVersion.DoesNotExist``.
    """
    versions = DocumentVersion.objects.filter(
        document_id=document_id, document__tenant_id=tenant_id
    ).select_related("document")
    if number is None:
        latest = versions.order_by("-number").first()
        if latest is None:
            raise DocumentVersion.DoesNotExist(f"document {document_id} has no content")
        return latest
    return versions.get(number=number)


def content(version: DocumentVersion):
    """The version's bytes in verified 1 MiB blocks (``streaming.IntegrityFailure`` if not)."""
    from docuflow.documents.streaming import verified_blocks

    return verified_blocks(version, 0, version.size)


@contextlib.contextmanager
def local_copy(version: DocumentVersion):
    """A temporary file holding the verified content (for libraries that need a path)."""
    fd, name = tempfile.mkstemp(dir=storage.spool_dir(), prefix="read-", suffix=".part")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            for block in content(version):
                handle.write(block)
        yield path
    finally:
        path.unlink(missing_ok=True)
