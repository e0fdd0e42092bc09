"""Task resources of the document workflow: extract, validate, set status.

Registered with the engine as Lambda-style functions (``docuflow-extract``,
``docuflow-validate``, ``docuflow-set-status``). Each takes the workflow's state (the
start input ``{document_id, tenant_id, document_type, version, storage_key,
content_type, title}`` plus what earlier states added) and returns a result shaped for
the shipped definition: Extract's result goes to ``$.extraction``, Validate's to
``$.validation`` (so the Choice reads ``$.validation.passed``).

Failures are ``TaskError``s a definition can match:

* ``Extraction.PasswordProtected``, ``.Corrupt``, ``.TooLarge``, ``.Timeout``,
  ``.Unsupported``, ``.ResourceLimit``: the file cannot be read (the document is already
  EXTRACTION_FAILED with its ``failure_reason`` when the error is raised);
* ``Extraction.Transient``: the store could not be read; worth a Retry;
* ``Extraction.Superseded``: the document moved on (new version, deleted, decided):
  nothing was changed, the execution should just end;
* ``DocuFlow.InvalidInput``: the task's input lacks what it needs.

Handlers run outside any transaction and at least once; each writes its result in one
transaction, guarded by the document's version and status, so a repeated or late run
changes nothing it should not.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import time
import uuid
from pathlib import Path

from django.db import transaction

from docuflow.documents import conf as documents_conf
from docuflow.documents import storage
from docuflow.documents.models import Document, DocumentVersion
from docuflow.engine.resources import TaskContext, TaskError, register_function
from docuflow.extraction import Extraction, ExtractionFailed, validate
from docuflow.extraction.rules import type_rules
from docuflow.processing import conf, selectors
from docuflow.processing.models import DocumentExtraction
from docuflow.processing.status import set_document_status
from docuflow.processing.warm_sandbox import extract_warm
from docuflow.queries import one_or_none

log = logging.getLogger(__name__)

S = Document.Status
# A decided document is never pulled back into processing by a late or repeated task.
DECIDED = frozenset({S.APPROVED, S.REJECTED, S.ARCHIVED})
PROCESSABLE = frozenset(S.values) - DECIDED

EXTRACT = "docuflow-extract"
VALIDATE = "docuflow-validate"
SET_STATUS = "docuflow-set-status"

# Results stay well under Step Functions' 256 KiB payload limit.
STATE_RESULT_BUDGET = 64 * 1024

# Failure codes of the shell around the library (the library's own are in ERROR_CODES).
STORAGE_UNAVAILABLE = "storage_unavailable"
INTERNAL_ERROR = "internal_error"


def error_name(code: str) -> str:
    """``password_protected`` -> ``Extraction.PasswordProtected``."""
    return "Extraction." + "".join(part.capitalize() for part in code.split("_"))


def _parse_ref(payload) -> tuple[str, int | None]:
    if not isinstance(payload, dict) or not payload.get("document_id"):
        raise TaskError("DocuFlow.InvalidInput", "the task input needs a document_id")
    try:
        document_id = str(uuid.UUID(str(payload["document_id"])))
    except ValueError:
        raise TaskError("DocuFlow.InvalidInput", "document_id is not a UUID") from None
    version = payload.get("version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise TaskError("DocuFlow.InvalidInput", "version must be an integer")
    return document_id, version


def _not_found(document_id: str) -> TaskError:
    return TaskError("DocuFlow.DocumentNotFound", f"Document {document_id} does not exist")


def document_ref(payload, ctx: TaskContext) -> tuple[str, int | None]:
    """The document named by the input, which must belong to the execution's tenant."""
    document_id, version = _parse_ref(payload)
    # A state machine reaches only its own tenant's documents, whatever its input says.
    if not Document.objects.filter(pk=document_id, tenant_id=ctx.tenant_id).exists():
        raise _not_found(document_id)
    return document_id, version


def document_of(payload, ctx: TaskContext, documents=None) -> tuple[str, int | None, Document]:
    """``document_ref`` and the document itself (from ``documents``), in one query."""
    document_id, version = _parse_ref(payload)
    documents = Document.objects.all() if documents is None else documents
    doc = one_or_none(documents.filter(pk=document_id, tenant_id=ctx.tenant_id))
    if doc is None:
        raise _not_found(document_id)
    return document_id, version, doc


def superseded(document_id: str, why: str) -> TaskError:
    log.info("document %s: %s; the task changes nothing", document_id, why)
    return TaskError("Extraction.Superseded", f"Document {document_id}: {why}")


# --- extract -------------------------------------------------------------------------------


def extract_task(payload, ctx: TaskContext) -> dict:
    document_id, version = document_ref(payload, ctx)
    doc = set_document_status(
        document_id, S.EXTRACTING, expected=PROCESSABLE, expected_version=version
    )
    if doc is None:
        raise superseded(document_id, "it is gone, decided, or has a newer version")
    version = doc.version
    content = one_or_none(DocumentVersion.objects.filter(document=doc, number=version))
    if content is None:
        raise superseded(document_id, f"version {version} has no content")
    rules, _threshold = selectors.rules_for(doc.tenant_id, doc.document_type)

    workdir = Path(tempfile.mkdtemp(prefix="docuflow-extract-"))
    started = time.monotonic()
    try:
        # Some readers go by the name (openpyxl refuses a workbook without ".xlsx").
        path = workdir / f"content{_suffix(content.content_type)}"
        try:
            with open(path, "wb") as sink:
                for chunk in storage.get_storage().read(content.storage_key):
                    sink.write(chunk)
        except storage.StorageError as exc:
            raise TaskError("Extraction.Transient", f"the document store failed: {exc}") from exc
        try:
            extraction = extract_warm(
                path,
                content.content_type,
                document_type=doc.document_type,
                limits=conf.limits(),
                rules=rules,
                language=conf.ocr_language(),
            )
        except ExtractionFailed as exc:
            _record_failure(doc, version, ctx, exc.to_dict(), started)
            raise TaskError(error_name(exc.code), exc.message) from exc
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    seed = extraction.to_seed()
    with transaction.atomic():
        record = _save(
            doc,
            version,
            ctx,
            status=DocumentExtraction.Status.SUCCEEDED,
            content_type=extraction.content_type,
            result=extraction.to_dict(),
            page_count=extraction.page_count,
            confidence=extraction.confidence,
            methods=[page.method for page in extraction.pages],
            failure_reason=None,
            started=started,
        )
        updated = set_document_status(
            document_id,
            S.EXTRACTING,
            expected={S.EXTRACTING},
            expected_version=version,
            extracted_data=seed,
        )
        if updated is None:  # raising here rolls the record back too
            raise superseded(document_id, "it changed while it was being extracted")
    return _state_result(seed, record, doc.document_type, rules)


def _state_result(seed: dict, record: DocumentExtraction, document_type: str, rules) -> dict:
    """What goes to ``$.extraction``: the seed's flat shape, kept under the size of a
    Step Functions payload. A document with a huge number of "Key: Value" lines keeps its
    rule-defined fields there; everything stays in the stored extraction."""
    result = {**seed, "extraction_id": str(record.pk), "document_type": document_type}
    if len(json.dumps(result)) <= STATE_RESULT_BUDGET:
        return result
    known = type_rules(document_type, rules).fields
    result["key_values"] = {k: v for k, v in seed["key_values"].items() if k in known}
    result["truncated"] = True
    return result


def _suffix(content_type: str) -> str:
    for name, media_type in documents_conf.KNOWN_TYPES.items():
        if media_type == content_type:
            return "." + name
    return ""


def _save(doc, version, ctx: TaskContext, *, started: float, **values) -> DocumentExtraction:
    values["duration_ms"] = int((time.monotonic() - started) * 1000)
    record, _ = DocumentExtraction.objects.update_or_create(
        idempotency_key=ctx.idempotency_key,
        defaults={
            "tenant_id": doc.tenant_id,
            "document": doc,
            "version": version,
            "document_type": doc.document_type,
            **values,
        },
    )
    return record


def _record_failure(doc, version, ctx: TaskContext, reason: dict, started: float) -> None:
    with transaction.atomic():
        updated = set_document_status(
            doc.pk,
            S.EXTRACTION_FAILED,
            expected={S.EXTRACTING},
            expected_version=version,
            details={"failure_reason": reason},
            extracted_data={"failure_reason": reason},
        )
        if updated is None:  # the document moved on meanwhile: keep nothing
            return
        _save(
            doc,
            version,
            ctx,
            status=DocumentExtraction.Status.FAILED,
            content_type=doc.content_type,
            result={},
            page_count=0,
            confidence=None,
            methods=[],
            failure_reason=reason,
            started=started,
        )


# --- validate ------------------------------------------------------------------------------


VALIDATABLE = frozenset({S.EXTRACTING, S.VALIDATING})


def validate_task(payload, ctx: TaskContext) -> dict:
    """The check is quick and pure: the document becomes VALIDATING together with its
    result, in one transaction guarded by its status and version."""
    document_id, version, doc = document_of(payload, ctx)
    if doc.status not in VALIDATABLE or (version is not None and doc.version != version):
        raise superseded(document_id, "it is not being processed for this version any more")
    record = _extraction_to_validate(doc, payload)
    rules, threshold = selectors.rules_for(doc.tenant_id, doc.document_type)
    if record is not None and record.result:
        subject = Extraction.from_dict(record.result)
    else:  # no stored result (e.g. data written by another extractor): the flat shape
        subject = {**(doc.extracted_data or {}), "document_type": doc.document_type}
    result = validate(subject, doc.document_type, threshold=threshold, rules=rules)
    with transaction.atomic():
        if record is not None:
            DocumentExtraction.objects.filter(pk=record.pk).update(validation=result)
        updated = set_document_status(
            document_id,
            S.VALIDATING,
            expected=VALIDATABLE,
            expected_version=doc.version,
            extracted_data={**(doc.extracted_data or {}), "validation": result},
        )
        if updated is None:  # raising here rolls the record back too
            raise superseded(document_id, "it changed while it was being validated")
    return result


def _extraction_to_validate(doc, payload) -> DocumentExtraction | None:
    found = DocumentExtraction.objects.filter(
        document=doc, version=doc.version, status=DocumentExtraction.Status.SUCCEEDED
    )
    extraction_id = (payload.get("extraction") or {}).get("extraction_id")
    if extraction_id:
        by_id = one_or_none(found.filter(pk=extraction_id))
        if by_id is not None:
            return by_id
    return found.order_by("-created_at").first()


# --- set status ----------------------------------------------------------------------------


def set_status_task(payload, ctx: TaskContext) -> dict:
    """``{document_id, status, version?, expected?: [..], error?: {Error, Cause}}``.

    With ``expected`` the change only happens from those statuses. For EXTRACTION_FAILED
    reached through an unexpected error (``error`` from a Catch) the document gets a
    ``failure_reason`` too, unless the extract task already gave it one.
    """
    document_id, version = document_ref(payload, ctx)
    status = payload.get("status")
    if status not in S.values:
        raise TaskError("DocuFlow.InvalidInput", f"unknown document status {status!r}")
    expected = payload.get("expected")
    if expected is not None and (
        not isinstance(expected, list) or not all(item in S.values for item in expected)
    ):
        raise TaskError("DocuFlow.InvalidInput", "expected must be a list of document statuses")
    fields = {}
    error = payload.get("error")
    if status == S.EXTRACTION_FAILED and isinstance(error, dict):
        current = Document.objects.filter(pk=document_id).values_list("extracted_data", flat=True)
        data = current.first() or {}
        if not isinstance(data, dict) or "failure_reason" not in data:
            reason = _reason_from_error(error)
            fields["extracted_data"] = {"failure_reason": reason}
    doc = set_document_status(
        document_id,
        status,
        expected=set(expected) if expected is not None else None,
        expected_version=version,
        **fields,
    )
    return {
        "document_id": document_id,
        "status": doc.status if doc else None,
        "changed": doc is not None and doc.status == status,
    }


def _reason_from_error(error: dict) -> dict:
    name = str(error.get("Error") or "")
    cause = str(error.get("Cause") or "")[:500]
    if name == "Extraction.Transient":
        return {"code": STORAGE_UNAVAILABLE, "message": cause or "the document store failed"}
    return {"code": INTERNAL_ERROR, "message": f"{name}: {cause}".strip(": ") or "unknown error"}


def register() -> None:
    register_function(EXTRACT, extract_task)
    register_function(VALIDATE, validate_task)
    register_function(SET_STATUS, set_status_task)


__all__ = [
    "document_of",
    "document_ref",
    "error_name",
    "extract_task",
    "register",
    "set_status_task",
    "validate_task",
]
