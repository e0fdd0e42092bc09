"""Read queries for approvals, always scoped by the acting user's tenant."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from docuflow.accounts import roles
from docuflow.accounts.models import User
from docuflow.approvals.models import CertificationRequest, HumanTask
from docuflow.approvals.services import decidable_filter


def _tasks(actor: User) -> QuerySet[HumanTask]:
    return HumanTask.objects.filter(tenant_id=actor.tenant_id).select_related(
        "assignee", "decided_by", "execution", "requested_by"
    )


def inbox(actor: User, *, status: str | None = None, subject_type: str | None = None):
    """Tasks ``actor`` may decide (PENDING unless ``status`` says otherwise, ``ANY`` for all)."""
    ids = HumanTask.objects.filter(decidable_filter(actor)).values("pk")
    tasks = _tasks(actor).filter(pk__in=ids)
    status = (status or HumanTask.Status.PENDING).upper()
    if status != "ANY":
        tasks = tasks.filter(status=status)
    if subject_type:
        tasks = tasks.filter(subject_type=subject_type)
    return tasks.order_by("-created_at", "-id").prefetch_related("candidate_users")


def task_in_tenant(actor: User, pk) -> HumanTask:
    """Another tenant's task is not found (404), never forbidden."""
    return get_object_or_404(_tasks(actor), pk=pk)


def visible_task(actor: User, pk) -> HumanTask:
    """A task the actor may decide, asked for, decided, or manages (else 404)."""
    visible = (
        decidable_filter(actor) | Q(requested_by=actor) | Q(decided_by=actor)
        if not roles.can_manage(actor.role)
        else Q(tenant_id=actor.tenant_id)
    )
    ids = HumanTask.objects.filter(visible).values("pk")
    return get_object_or_404(_tasks(actor).filter(pk__in=ids), pk=pk)


def certification_requests(actor: User) -> QuerySet[CertificationRequest]:
    """Mine, my reports', or (MANAGER, ADMIN) all of the tenant's."""
    requests = CertificationRequest.objects.filter(tenant_id=actor.tenant_id).select_related(
        "requester", "decided_by", "execution"
    )
    if not roles.can_manage(actor.role):
        requests = requests.filter(Q(requester=actor) | Q(requester__manager=actor))
    return requests.order_by("-request_date", "-id")


def certification_in_tenant(actor: User, pk) -> CertificationRequest:
    return get_object_or_404(
        CertificationRequest.objects.filter(tenant_id=actor.tenant_id).select_related(
            "requester", "execution"
        ),
        pk=pk,
    )


def certification(actor: User, pk) -> CertificationRequest:
    return get_object_or_404(certification_requests(actor), pk=pk)


def certification_tasks(req: CertificationRequest) -> QuerySet[HumanTask]:
    return (
        HumanTask.objects.filter(
            tenant_id=req.tenant_id,
            subject_type=HumanTask.Subject.CERTIFICATION,
            subject_id=str(req.pk),
        )
        .select_related("decided_by")
        .order_by("created_at", "id")
    )
