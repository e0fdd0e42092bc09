"""Read queries for documents, always scoped by the acting user.

A document is visible to a member of its tenant when its visibility is TENANT; a
RESTRICTED one only to an ADMIN, its uploader, the users it names and the roles it
names. Anything not visible does not exist for that user: 404, in lists, metadata,
URLs and downloads alike.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from docuflow.accounts.roles import Role
from docuflow.documents.models import Document, DocumentRoleGrant, DocumentVersion


def visible_documents(actor, *, related: bool = True) -> QuerySet[Document]:
    """What ``actor`` may see; ``related=False`` leaves out the people and grants that a
    serializer needs (a bare visibility check costs one query instead of three)."""
    if not getattr(actor, "tenant_id", None):
        return Document.objects.none()
    documents = Document.objects.filter(tenant_id=actor.tenant_id)
    if actor.role != Role.ADMIN:
        granted_role = DocumentRoleGrant.objects.filter(document=OuterRef("pk"), role=actor.role)
        granted_user = Document.allowed_users.through.objects.filter(
            document_id=OuterRef("pk"), user_id=actor.pk
        )
        documents = documents.filter(
            Q(visibility=Document.Visibility.TENANT)
            | Q(uploaded_by=actor)
            | Exists(granted_role)
            | Exists(granted_user)
        )
    if not related:
        return documents
    return documents.select_related("uploaded_by", "reviewed_by").prefetch_related(
        "role_grants", "allowed_users"
    )


def document(actor, document_id, *, related: bool = True) -> Document:
    return get_object_or_404(visible_documents(actor, related=related), pk=document_id)


def can_see(actor, doc: Document) -> bool:
    return visible_documents(actor).filter(pk=doc.pk).exists()


def list_documents(
    actor,
    *,
    status: str | None = None,
    document_type: str | None = None,
    search: str | None = None,
    created_after=None,
    created_before=None,
    ordering: str = "-created_at",
) -> QuerySet[Document]:
    documents = visible_documents(actor)
    if status:
        documents = documents.filter(status=status)
    if document_type:
        documents = documents.filter(document_type=document_type)
    if search:
        documents = documents.filter(title__icontains=search)
    if created_after is not None:
        documents = documents.filter(created_at__gte=created_after)
    if created_before is not None:
        documents = documents.filter(created_at__lte=created_before)
    tiebreak = "-id" if ordering.startswith("-") else "id"
    return documents.order_by(ordering, tiebreak)


def pending_documents(actor) -> QuerySet[Document]:
    return list_documents(actor, status=Document.Status.PENDING_APPROVAL)


def versions_of(actor, document_id) -> QuerySet[DocumentVersion]:
    doc = document(actor, document_id)
    return doc.versions.select_related("created_by").order_by("-number")


def version(doc: Document, number: int) -> DocumentVersion:
    return get_object_or_404(DocumentVersion, document=doc, number=number)


def documents_count(tenant) -> int:
    return Document.objects.filter(tenant_id=getattr(tenant, "pk", tenant)).count()
