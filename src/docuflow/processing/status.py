"""The one way the processing stage changes a document's status."""

from __future__ import annotations

from collections.abc import Collection

from django.db import transaction

from docuflow.audit import services as audit
from docuflow.documents.models import Document
from docuflow.notifications import events
from docuflow.queries import one_or_none


def set_document_status(
    document_id,
    status: str,
    *,
    expected: Collection[str] | None = None,
    expected_version: int | None = None,
    actor=None,
    details: dict | None = None,
    **fields,
) -> Document | None:
    """Set ``status`` (and ``fields``) on a document, in one transaction with the row locked.

    The change is ignored, and None returned, when the document is gone, when its status
    is not one of ``expected`` or its current version is not ``expected_version`` (a late
    result for a document that has moved on). A real change of status is written to the
    audit log (``document.status``, details ``{from, to, …}``) and published once the
    transaction commits. Returns the updated document otherwise.
    """
    if status not in Document.Status.values:
        raise ValueError(f"unknown document status {status!r}")
    status = Document.Status(status).value
    # Inside a caller's transaction no savepoint of its own: nobody recovers from a failure
    # here and carries on, so the caller's transaction is the unit (two queries fewer).
    with transaction.atomic(savepoint=False):
        doc = one_or_none(Document.objects.select_for_update().filter(pk=document_id))
        if doc is None:
            return None
        if expected is not None and doc.status not in expected:
            return None
        if expected_version is not None and doc.version != expected_version:
            return None
        previous = doc.status
        doc.status = status
        for name, value in fields.items():
            setattr(doc, name, value)
        doc.save(update_fields=["status", *fields, "updated_at"])
        if previous != status:
            audit.record(
                tenant=doc.tenant_id,
                actor=actor,
                action="document.status",
                object_type="document",
                object_id=doc.pk,
                version=doc.version or None,
                details={"from": previous, "to": status, **(details or {})},
            )
            events.document_status_changed(doc, previous)
    return doc
