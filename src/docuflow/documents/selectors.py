"""Read queries for documents, always scoped by the acting user.

A document is visible to a member of its tenant when its visibility is TENANT; a
RESTRICTED one only to an ADMIN, its uploader, the users it names and the roles it
names. Anything not visible does not exist for that user: 404, in lists, metadata,
URLs and downloads alike.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404

from docuflow.accounts.models import User
from docuflow.accounts.roles import Role
from docuflow.documents.models import Document, DocumentRoleGrant, DocumentVersion

# What the serializer needs besides the row: it shows users by id only, so no join to the
# uploader and reviewer, and of the allowed users just their ids.
RELATED = ("role_grants", Prefetch("allowed_users", queryset=User.objects.only("id")))


def visible_documents(actor, *, related: bool = True) -> QuerySet[Document]:
    """What ``actor`` may see; ``related=False`` leaves out the grants and allowed users
    that a serializer needs."""
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
    return documents.prefetch_related(*RELATED) if related else documents


def document(actor, document_id) -> Document:
    """The document ``actor`` may see, else 404.

    The rule of ``visible_documents``, applied to the one row: it is looked up by id in
    the actor's tenant and its visibility read from it (a plain look-up: the queryset's
    subqueries cost the ORM several times more to build than the database to run them).
    Only a RESTRICTED document needs its grants, which are then kept on it for the
    serializer; otherwise the serializer reads them when it shows them (two plain
    queries, cheaper to build than a prefetch).
    """
    not_found = Http404(f"No {Document._meta.object_name} matches the given query.")
    if not getattr(actor, "tenant_id", None):
        raise not_found
    try:
        doc = Document.objects.filter(tenant_id=actor.tenant_id).get(pk=document_id)
    except Document.DoesNotExist:
        raise not_found from None
    if not _may_see(actor, doc):
        raise not_found
    return doc


def _may_see(actor, doc: Document) -> bool:
    if (
        actor.role == Role.ADMIN
        or doc.visibility == Document.Visibility.TENANT
        or doc.uploaded_by_id == actor.pk
    ):
        return True
    prefetch_related_objects([doc], *RELATED)
    return actor.role in doc.allowed_roles or any(
        user.pk == actor.pk for user in doc.allowed_users.all()
    )


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
