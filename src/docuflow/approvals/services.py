"""Approval rules: human tasks (create, claim, decide, withdraw) and certification requests.

The decision is the heart: ``decide`` marks the task, writes the audit entry, lets the
subject react (``subjects.on_decided``) and completes the engine's task token, in ONE
transaction. If the workflow does not take the decision (its token closed meanwhile),
nothing is recorded.

Lock order, the same everywhere (and the engine's when it stops an execution): the
execution row, then the human task, then the task token.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from rest_framework import exceptions

from docuflow.accounts import roles
from docuflow.accounts.models import User
from docuflow.accounts.roles import RANK, Role
from docuflow.api.errors import Conflict, Gone, UnprocessableEntity
from docuflow.approvals import mail, subjects, workflows
from docuflow.approvals.models import (
    ApprovalLink,
    ApprovalSettings,
    CertificationRequest,
    HumanTask,
    TaskVote,
)
from docuflow.audit import services as audit
from docuflow.engine import clock
from docuflow.engine import errors as engine_errors
from docuflow.engine import services as engine
from docuflow.engine.models import Execution, TaskToken
from docuflow.engine.resources import TaskContext, TaskError
from docuflow.notifications.events import StatusEvent, publish
from docuflow.queries import one_or_none

log = logging.getLogger(__name__)

APPROVED = HumanTask.Status.APPROVED
REJECTED = HumanTask.Status.REJECTED
PENDING = HumanTask.Status.PENDING
DECIDED = (APPROVED, REJECTED)
MAX_NOTE = 2000
ROLE_ORDER = [Role.UPLOADER, Role.REVIEWER, Role.MANAGER, Role.ADMIN]


class TaskNotPending(Conflict):
    default_detail = "This task is not waiting for a decision."


# --- settings -------------------------------------------------------------------------


def approval_settings(tenant_id: str) -> ApprovalSettings:
    found, _ = ApprovalSettings.objects.get_or_create(tenant_id=tenant_id)
    return found


def update_settings(actor: User, changes: dict, request=None) -> ApprovalSettings:
    """Only an ADMIN: the cost limit decides when an ADMIN must approve."""
    if actor.role != Role.ADMIN:
        raise exceptions.PermissionDenied("Only an ADMIN may change the approval settings.")
    with transaction.atomic():
        current = approval_settings(actor.tenant_id)
        current = ApprovalSettings.objects.select_for_update().get(pk=current.pk)
        before = {name: str(getattr(current, name)) for name in changes}
        for name, value in changes.items():
            setattr(current, name, value)
        current.updated_at = clock.now()
        current.save()
        audit.record(
            tenant=actor.tenant_id,
            actor=actor,
            action="approvals.settings_changed",
            object_type="tenant",
            object_id=actor.tenant_id,
            request=request,
            details={"before": before, "after": {k: str(v) for k, v in changes.items()}},
        )
    return current


# --- who may decide -------------------------------------------------------------------


def lowest_role(candidate_roles: list[str]) -> str:
    valid = [r for r in candidate_roles if r in RANK]
    return min(valid, key=lambda r: RANK[r]) if valid else ""


def raised_roles(candidate_roles: list[str]) -> list[str]:
    """Escalation: the role above the lowest candidate role, at least MANAGER."""
    low = lowest_role(candidate_roles)
    if not low:
        return [Role.MANAGER.value]
    above = ROLE_ORDER[min(ROLE_ORDER.index(low) + 1, len(ROLE_ORDER) - 1)]
    return [max(above, Role.MANAGER, key=lambda r: RANK[r]).value]


def roles_at_or_below(role: str | None) -> list[str]:
    if not roles.can_approve(role):
        return []
    return [r.value for r in ROLE_ORDER if RANK[r] <= RANK[role]]


def _named(through, user: User) -> Exists:
    """``user`` is in a task's many-to-many list (a subquery: no join, no DISTINCT)."""
    return Exists(through.objects.filter(humantask_id=OuterRef("pk"), user_id=user.pk))


def decidable_filter(user: User) -> Q:
    """Tasks ``user`` may decide, ignoring status and claims (for querysets)."""
    return (
        Q(tenant_id=user.tenant_id)
        & (
            Q(min_role__in=roles_at_or_below(user.role))
            | _named(HumanTask.candidate_users.through, user)
            | Q(assignee=user)
        )
        & ~_named(HumanTask.excluded_users.through, user)
        # a parallel task this user already voted on
        & ~Exists(TaskVote.objects.filter(task_id=OuterRef("pk"), voter_id=user.pk))
    )


def may_decide(user: User, task: HumanTask) -> bool:
    if not (user.is_active and user.tenant_id and user.tenant_id == task.tenant_id):
        return False
    if _listed(HumanTask.excluded_users.through, task, user):
        return False
    if task.assignee_id == user.pk:
        return True
    by_role = bool(task.min_role) and task.min_role in roles_at_or_below(user.role)
    return by_role or _listed(HumanTask.candidate_users.through, task, user)


def _listed(through, task: HumanTask, user: User) -> bool:
    """``user`` is in one of ``task``'s many-to-many lists (a plain look-up in the list's
    table: the cheapest query for the ORM to build)."""
    return through.objects.filter(humantask_id=task.pk, user_id=user.pk).exists()


def has_voted(user: User, task: HumanTask) -> bool:
    return task.required_approvals is not None and (
        TaskVote.objects.filter(task_id=task.pk, voter_id=user.pk).exists()
    )


def may_see_token(user: User, task: HumanTask) -> bool:
    """The token is a capability: only for a pending task this user may decide now."""
    return task.status == PENDING and task.assignee_id in (None, user.pk) and may_decide(user, task)


# --- creating tasks (from the engine's handlers) -----------------------------------------


@dataclass(frozen=True)
class TaskSpec:
    subject_type: str
    subject_id: str
    title: str = ""
    candidate_roles: list[str] | None = None
    candidate_users: list[str] = field(default_factory=list)
    excluded_users: list[str] = field(default_factory=list)
    escalate_after: int | None = None
    stage: str = ""
    escalate: bool = False
    final: bool = True
    required_approvals: int | None = None
    lines: list | None = None


def parse_uuids(values) -> list[uuid.UUID]:
    found = []
    for value in values or []:
        try:
            found.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return found


def open_task(ctx: TaskContext, spec: TaskSpec) -> HumanTask | None:
    """The human task for a waiting engine task; the same one when the handler re-runs.

    Returns None when the workflow stopped waiting before the handler ran.
    """
    if not ctx.task_token:
        raise TaskError("Approvals.NoTaskToken", "A human task needs a .waitForTaskToken resource")
    key = hashlib.sha256(ctx.idempotency_key.encode()).hexdigest()
    with transaction.atomic():
        token = one_or_none(
            TaskToken.objects.filter(token=ctx.task_token, execution__tenant_id=ctx.tenant_id).only(
                "token", "execution_id", "created_at"
            )
        )
        if token is None:
            raise TaskError("Approvals.UnknownTaskToken", "The task token is not known")
        _lock_execution(token.execution_id)
        existing = HumanTask.objects.filter(Q(task_token_id=token.pk) | Q(idempotency_key=key))
        task = existing.first()
        if task is not None:
            mail.deliver_after_commit(
                list(
                    mail.OutboundEmail.objects.filter(
                        key__startswith=f"approval:{task.pk}:", sent_at__isnull=True
                    )
                )
            )
            return task
        status = TaskToken.objects.filter(pk=token.pk).values_list("status", flat=True).get()
        if status != TaskToken.Status.OPEN:
            return None
        task = _create_task(ctx, spec, key, token)
    return task


def _lock_execution(execution_id) -> None:
    """Lock an execution's row (the first lock, see the module doc) without reading it."""
    one_or_none(Execution.objects.select_for_update().filter(pk=execution_id).values_list("pk"))


def _create_task(ctx, spec: TaskSpec, key: str, token: TaskToken) -> HumanTask:
    now = clock.now()
    described = subjects.describe(spec.subject_type, ctx.tenant_id, spec.subject_id)
    previous = None
    candidate_roles = spec.candidate_roles
    if spec.escalate:
        previous = (
            HumanTask.objects.select_for_update()
            .filter(
                execution_id=token.execution_id,
                subject_type=spec.subject_type,
                subject_id=spec.subject_id,
                status__in=[HumanTask.Status.EXPIRED, PENDING],
            )
            .order_by("-created_at")
            .first()
        )
        if candidate_roles is None:
            # The first candidates keep their say; the next role up joins (and is told).
            before = previous.candidate_roles if previous else []
            candidate_roles = [*before, *raised_roles(before)]
    candidate_roles = [r for r in dict.fromkeys(candidate_roles or []) if r in RANK]
    members = User.objects.filter(tenant_id=ctx.tenant_id)
    candidates = list(members.filter(pk__in=parse_uuids(spec.candidate_users), is_active=True))
    excluded = list(members.filter(pk__in=parse_uuids(spec.excluded_users)))
    task = HumanTask.objects.create(
        tenant_id=ctx.tenant_id,
        subject_type=spec.subject_type,
        subject_id=str(spec.subject_id),
        execution_id=token.execution_id,
        state_name=ctx.state_name,
        engine_task_id=ctx.task_id,
        task_token=token,
        idempotency_key=key,
        title=(spec.title or described.title)[:300],
        details={"lines": [list(map(str, line)) for line in (spec.lines or described.lines)]},
        stage=spec.stage[:40],
        final=spec.final,
        required_approvals=spec.required_approvals,
        candidate_roles=candidate_roles,
        min_role=lowest_role(candidate_roles),
        requested_by_id=described.requested_by_id,
        escalate_after=spec.escalate_after,
        due_at=token.created_at + timedelta(seconds=spec.escalate_after)
        if spec.escalate_after
        else None,
        escalated_from=previous,
        created_at=now,
        updated_at=now,
    )
    # A new task: adding is setting (and nothing to add costs no query).
    if candidates:
        task.candidate_users.add(*candidates)
    if excluded:
        task.excluded_users.add(*excluded)
    if previous is not None:
        HumanTask.objects.filter(pk=previous.pk).update(
            status=HumanTask.Status.ESCALATED, updated_at=now
        )
        _audit_task(previous, None, "approval.escalated", {"escalated_to": str(task.pk)})
    hook = subjects.get(spec.subject_type).on_opened
    if hook is not None:
        hook(task)
    _audit_task(
        task,
        None,
        "approval.task_created",
        {"candidate_roles": candidate_roles, "candidate_users": [str(u.pk) for u in candidates]},
    )
    mail.deliver_after_commit(_notify(task, now, candidates, excluded))
    return task


def _audit_task(task: HumanTask, actor, action: str, details: dict | None = None, request=None):
    audit.record(
        tenant=task.tenant_id,
        actor=actor,
        action=action,
        object_type=task.subject_type,
        object_id=task.subject_id,
        request=request,
        details={"task_id": str(task.pk), "stage": task.stage, "state": task.state_name}
        | (details or {}),
    )


def recipients(task: HumanTask, candidates: list[User], excluded: list[User]) -> list[User]:
    """Who is e-mailed: the named candidates and the members of the candidate roles
    (the next roles up when no member holds one), never an excluded user.

    ``candidates`` and ``excluded`` are the task's lists as its creator just set them
    (members of its tenant), so they are not read back.
    """
    excluded_ids = {user.pk for user in excluded}
    members = (
        User.objects.filter(tenant_id=task.tenant_id, is_active=True)
        .exclude(email="")
        .exclude(pk__in=excluded_ids)
    )
    chosen = {
        u.pk: u
        for u in candidates
        if u.tenant_id == task.tenant_id and u.is_active and u.email and u.pk not in excluded_ids
    }
    approving = [r for r in task.candidate_roles if roles.can_approve(r)]
    by_role = list(members.filter(role__in=approving))
    if not by_role and task.min_role and roles.can_approve(task.min_role):
        by_role = list(members.filter(role__in=[r for r in RANK if RANK[r] > RANK[task.min_role]]))
    for user in by_role:
        chosen.setdefault(user.pk, user)
    return list(chosen.values())


def _notify(task: HumanTask, now, candidates: list[User], excluded: list[User]) -> list:
    """A new task's links and e-mails (none can exist yet: they are created at once)."""
    lifetime = approval_settings(task.tenant_id).link_lifetime_seconds
    expires_at = now + timedelta(seconds=lifetime)
    links = ApprovalLink.objects.bulk_create(
        ApprovalLink(task=task, recipient=user, expires_at=expires_at, created_at=now)
        for user in recipients(task, candidates, excluded)
    )
    return [
        mail.queue(
            tenant_id=task.tenant_id,
            key=f"approval:{task.pk}:{link.recipient.pk}",
            kind=mail.APPROVAL_REQUEST,
            recipient=link.recipient,
            subject_type=task.subject_type,
            subject_id=task.subject_id,
            context={"task_id": str(task.pk), "link_id": str(link.pk)},
            new=True,
        )
        for link in links
    ]


# --- claiming -------------------------------------------------------------------------------


def claim(actor: User, task: HumanTask, request=None) -> HumanTask:
    with transaction.atomic():
        task = HumanTask.objects.select_for_update().get(pk=task.pk)
        if task.status != PENDING:
            raise TaskNotPending()
        if not may_decide(actor, task):
            raise exceptions.PermissionDenied("You may not decide this task.")
        if task.assignee_id == actor.pk:
            return task
        if task.assignee_id is not None:
            raise Conflict("This task is claimed by someone else.")
        now = clock.now()
        won = HumanTask.objects.filter(pk=task.pk, assignee__isnull=True, status=PENDING).update(
            assignee=actor, claimed_at=now, updated_at=now
        )
        if not won:
            raise Conflict("This task is claimed by someone else.")
        _audit_task(task, actor, "approval.claimed", request=request)
    task.refresh_from_db()
    return task


def unclaim(actor: User, task: HumanTask, request=None) -> HumanTask:
    """The assignee, or a MANAGER/ADMIN, gives the task back to every candidate."""
    with transaction.atomic():
        task = HumanTask.objects.select_for_update().get(pk=task.pk)
        if task.status != PENDING:
            raise TaskNotPending()
        if task.assignee_id is None:
            return task
        if task.assignee_id != actor.pk and not (
            roles.can_manage(actor.role) and may_decide(actor, task)
        ):
            raise exceptions.PermissionDenied("Only the assignee or a MANAGER may unclaim it.")
        HumanTask.objects.filter(pk=task.pk).update(
            assignee=None, claimed_at=None, updated_at=clock.now()
        )
        _audit_task(task, actor, "approval.unclaimed", request=request)
    task.refresh_from_db()
    return task


# --- deciding -------------------------------------------------------------------------------


def decide(
    actor: User,
    task: HumanTask,
    decision: str,
    notes_or_reason: str = "",
    *,
    request=None,
    via: str = "api",
    link: ApprovalLink | None = None,
) -> HumanTask:
    """Decide a human task: APPROVED (notes optional) or REJECTED (reason required).

    In one transaction: the task is marked, the audit entry written, the subject's
    ``on_decided`` hook called and the engine's task token completed with
    ``{"status", "decision", "decidedBy", "decidedByEmail", "decidedAt", "taskId",
    "stage", "notes" | "reason"}``. Raises 422 (bad decision, missing reason), 403
    (actor may not decide), 409 (``TaskNotPending``; or claimed by someone else), 410
    (``link`` already used). Another tenant's task is the caller's 404 to raise.
    """
    decision = decision.upper() if isinstance(decision, str) else ""
    if decision not in DECIDED:
        raise UnprocessableEntity({"decision": ["Must be APPROVED or REJECTED."]})
    note = notes_or_reason.strip() if isinstance(notes_or_reason, str) else ""
    field_name = "reason" if decision == REJECTED else "notes"
    if decision == REJECTED and not note:
        raise UnprocessableEntity({"reason": ["A reason is required to reject."]})
    if len(note) > MAX_NOTE:
        raise UnprocessableEntity({field_name: [f"At most {MAX_NOTE} characters."]})
    if task.tenant_id != actor.tenant_id:
        raise exceptions.NotFound()
    try:
        with transaction.atomic():
            _lock_execution(task.execution_id)
            task = HumanTask.objects.select_for_update().get(pk=task.pk)
            if task.status != PENDING:
                raise TaskNotPending(
                    f"This task is not waiting for a decision (it is {task.status})."
                )
            if not may_decide(actor, task):
                raise exceptions.PermissionDenied("You may not decide this task.")
            if task.assignee_id not in (None, actor.pk) and task.required_approvals is None:
                raise Conflict("This task is claimed by someone else.")
            now = clock.now()
            if link is not None:
                used = ApprovalLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
                    used_at=now
                )
                if not used:
                    raise Gone("This link has already been used.")
            votes = None
            if task.required_approvals is not None:
                votes = _vote(actor, task, decision, note, now)
                outcome = _tally(task, votes)
                _audit_task(
                    task, actor, "approval.vote", {"decision": decision, field_name: note},
                    request=request,
                )  # fmt: skip
                if outcome is None:  # not decided yet: more votes needed
                    task.refresh_from_db()
                    return task
                decision = outcome
                field_name = "reason" if decision == REJECTED else "notes"
                note = _vote_summary(votes, decision)
            decided = {
                "status": decision,
                "decision": decision,
                "decided_by": actor,
                "decided_at": now,
                "updated_at": now,
                field_name: note,
            }
            won = HumanTask.objects.filter(pk=task.pk, status=PENDING).update(**decided)
            if not won:
                raise TaskNotPending()
            for name, value in decided.items():  # the row as written, without re-reading it
                setattr(task, name, value)
            output = {
                "status": decision,
                "decision": decision,
                "decidedBy": str(actor.pk),
                "decidedByEmail": actor.email,
                "decidedAt": now.isoformat().replace("+00:00", "Z"),
                "taskId": str(task.pk),
                "stage": task.stage,
                field_name: note,
            }
            if votes is not None:
                output["votes"] = [
                    {"userId": str(v.voter_id), "decision": v.decision, "note": v.note}
                    for v in votes
                ]
            # The subject reacts first: its status event is then announced on commit
            # before the worker is woken for the workflow's next state, so a socket hears
            # APPROVED before ARCHIVED.
            hook = subjects.get(task.subject_type).on_decided
            if hook is not None:
                hook(task, actor)
            engine.send_task_success(task.tenant_id, task.task_token_id, json.dumps(output))
            _audit_task(
                task,
                actor,
                f"approval.{decision.lower()}",
                {"via": via, field_name: note},
                request=request,
            )
    except (engine_errors.TaskTimedOut, engine_errors.TaskDoesNotExist, engine_errors.InvalidToken):
        # The workflow no longer waits for this task: nothing was recorded; close it.
        _withdraw(task.pk, "the workflow no longer waits for it")
        raise TaskNotPending("The workflow is no longer waiting for this decision.")
    return task


def _vote(actor: User, task: HumanTask, decision: str, note: str, now) -> list[TaskVote]:
    """Record ``actor``'s vote on a parallel task (409 for a second vote)."""
    try:
        with transaction.atomic():
            TaskVote.objects.create(
                task=task, voter=actor, decision=decision, note=note, created_at=now
            )
    except IntegrityError:
        raise Conflict("You already voted on this task.") from None
    return list(TaskVote.objects.filter(task=task))


def _tally(task: HumanTask, votes: list[TaskVote]) -> str | None:
    """APPROVED once enough approved, REJECTED once they no longer can; else None.

    With named candidates (N of M) a rejection decides only when fewer than N of the
    rest could still approve; with candidates by role, one rejection decides.
    """
    approvals = sum(1 for v in votes if v.decision == APPROVED)
    rejections = len(votes) - approvals
    if approvals >= task.required_approvals:
        return APPROVED
    voters = task.candidate_users.filter(is_active=True).exclude(
        pk__in=task.excluded_users.values("pk")
    )
    possible = voters.count()
    if not possible:
        return REJECTED if rejections else None
    if possible - rejections < task.required_approvals:
        return REJECTED
    return None


def _vote_summary(votes: list[TaskVote], decision: str) -> str:
    deciding = [v for v in votes if v.decision == decision]
    return "\n".join(v.note for v in deciding if v.note)[:MAX_NOTE]


def _withdraw(task_id, why: str) -> None:
    with transaction.atomic():
        task = HumanTask.objects.select_for_update().filter(pk=task_id, status=PENDING).first()
        if task is not None:
            HumanTask.objects.filter(pk=task.pk).update(
                status=HumanTask.Status.CANCELLED, updated_at=clock.now()
            )
            _audit_task(task, None, "approval.cancelled", {"why": why})


def on_task_cancelled(execution: Execution, task_id: str) -> None:
    """Engine cancel hook (inside its transaction): the workflow stopped waiting.

    Past the task's deadline it timed out (EXPIRED; the escalation that follows marks it
    ESCALATED); before it, the execution was stopped (CANCELLED).
    """
    now = clock.now()
    for task in HumanTask.objects.select_for_update().filter(
        execution=execution, engine_task_id=task_id, status=PENDING
    ):
        expired = task.due_at is not None and now >= task.due_at
        status = HumanTask.Status.EXPIRED if expired else HumanTask.Status.CANCELLED
        HumanTask.objects.filter(pk=task.pk).update(status=status, updated_at=now)
        task.status = status
        _audit_task(task, None, f"approval.{status.lower()}")
        if not expired:
            hook = subjects.get(task.subject_type).on_withdrawn
            if hook is not None:
                hook(task)


# --- certification requests --------------------------------------------------------------


def _certification_event(req: CertificationRequest, previous: str | None) -> None:
    manager_id = (
        User.objects.filter(pk=req.requester_id).values_list("manager_id", flat=True).first()
    )
    publish(
        StatusEvent(
            tenant_id=req.tenant_id,
            subject="certification",
            subject_id=str(req.pk),
            status=req.status,
            previous=previous,
            updated_at=req.updated_at,
            visible_to_users=frozenset(
                str(pk) for pk in (req.requester_id, manager_id) if pk is not None
            ),
            visible_to_roles=frozenset({Role.MANAGER.value, Role.ADMIN.value}),
        )
    )


def submit_certification(
    actor: User, *, name: str, course: str, cost: Decimal, request=None
) -> CertificationRequest:
    """Store the request (PENDING) and start its workflow, in one transaction."""
    machine = workflows.certification_machine(actor.tenant)
    now = clock.now()
    with transaction.atomic():
        req = CertificationRequest.objects.create(
            tenant_id=actor.tenant_id,
            requester=actor,
            name=name,
            course=course,
            cost=cost,
            request_date=now,
            updated_at=now,
        )
        payload = {
            "requestId": str(req.pk),
            "tenantId": req.tenant_id,
            "requesterId": str(actor.pk),
            "name": name,
            "course": course,
            "cost": float(cost),
            "requestDate": now.isoformat().replace("+00:00", "Z"),
        }
        execution = engine.start_execution(machine, json.dumps(payload), name=f"cert-{req.pk}")
        req.execution = execution
        req.save(update_fields=["execution"])
        audit.record(
            tenant=req.tenant_id,
            actor=actor,
            action="certification.submitted",
            object_type="certification",
            object_id=req.pk,
            request=request,
            details={"name": name, "course": course, "cost": str(cost)},
        )
        _certification_event(req, None)
    return req


def _describe_certification(tenant_id: str, subject_id: str) -> subjects.Description | None:
    req = (
        CertificationRequest.objects.select_related("requester")
        .filter(tenant_id=tenant_id, pk__in=parse_uuids([subject_id]))
        .first()
    )
    if req is None:
        return None
    return subjects.Description(
        title=f"Certification: {req.course} for {req.name} ({req.cost})"[:300],
        lines=[
            ("Name", req.name),
            ("Course", req.course),
            ("Cost", str(req.cost)),
            ("Requested by", req.requester.email),
            ("Submitted", req.request_date.strftime("%Y-%m-%d %H:%M UTC")),
            ("Request id", str(req.pk)),
        ],
        requested_by_id=req.requester_id,
    )


def _certification_withdrawn(task: HumanTask) -> None:
    req = (
        CertificationRequest.objects.select_for_update()
        .filter(tenant_id=task.tenant_id, pk__in=parse_uuids([task.subject_id]))
        .first()
    )
    if req is not None and req.status == CertificationRequest.Status.PENDING:
        _set_certification_status(req, CertificationRequest.Status.CANCELLED, None, None)


def _set_certification_status(req, status: str, actor, request, details=None) -> None:
    previous = req.status
    req.status = status
    req.updated_at = clock.now()
    req.save(update_fields=["status", "updated_at", "decided_at", "decided_by"])
    audit.record(
        tenant=req.tenant_id,
        actor=actor,
        action=f"certification.{status.lower()}",
        object_type="certification",
        object_id=req.pk,
        request=request,
        details=details or {},
    )
    _certification_event(req, previous)


subjects.register_subject(
    HumanTask.Subject.CERTIFICATION,
    describe=_describe_certification,
    on_withdrawn=_certification_withdrawn,
)


def certification_routing(tenant_id: str, request_id: str) -> dict:
    """SaveRequest: who decides and the tenant's limits, read once per request."""
    req = (
        CertificationRequest.objects.select_related("requester__manager")
        .filter(tenant_id=tenant_id, pk__in=parse_uuids([request_id]))
        .first()
    )
    if req is None:
        raise TaskError("Certification.RequestNotFound", f"No certification request {request_id}")
    rules = approval_settings(tenant_id)
    manager = req.requester.manager
    has_manager = (
        manager is not None
        and manager.is_active
        and manager.tenant_id == tenant_id
        and manager.pk != req.requester_id
    )
    described = _describe_certification(tenant_id, request_id)
    return {
        "requestId": str(req.pk),
        "status": req.status,
        "title": described.title,
        "requesterId": str(req.requester_id),
        "candidateRoles": [] if has_manager else [Role.MANAGER.value],
        "candidateUsers": [str(manager.pk)] if has_manager else [],
        "excludedUsers": [str(req.requester_id)],
        "costLimit": float(rules.certification_cost_limit),
        "escalateAfterSeconds": int(rules.escalate_after_seconds),
    }


def finish_certification(tenant_id: str, request_id: str, status: str) -> dict:
    """MarkApproved / MarkRejected: the final status, who decided, the requester told."""
    if status not in (CertificationRequest.Status.APPROVED, CertificationRequest.Status.REJECTED):
        raise TaskError("Certification.InvalidStatus", f"Cannot finish with status {status}")
    with transaction.atomic():
        req = (
            CertificationRequest.objects.select_for_update()
            .filter(tenant_id=tenant_id, pk__in=parse_uuids([request_id]))
            .first()
        )
        if req is None:
            raise TaskError(
                "Certification.RequestNotFound", f"No certification request {request_id}"
            )
        if req.status == CertificationRequest.Status.PENDING:
            last = (
                HumanTask.objects.filter(
                    tenant_id=tenant_id,
                    subject_type=HumanTask.Subject.CERTIFICATION,
                    subject_id=str(req.pk),
                    status=status,
                )
                .order_by("-decided_at")
                .first()
            )
            req.decided_at = last.decided_at if last else clock.now()
            req.decided_by_id = last.decided_by_id if last else None
            _set_certification_status(
                req,
                status,
                None,
                None,
                {"task_id": str(last.pk) if last else None, "decided_by": str(req.decided_by_id)},
            )
            email = mail.queue(
                tenant_id=tenant_id,
                key=f"certification-decided:{req.pk}",
                kind=mail.CERTIFICATION_DECIDED,
                recipient=req.requester,
                subject_type="certification",
                subject_id=str(req.pk),
                context={"status": status},
            )
            mail.deliver_after_commit([email])
    return {"requestId": str(req.pk), "status": req.status}


def _open_tasks(req: CertificationRequest):
    return HumanTask.objects.filter(
        tenant_id=req.tenant_id,
        subject_type=HumanTask.Subject.CERTIFICATION,
        subject_id=str(req.pk),
    )


def decide_certification(
    actor: User,
    req: CertificationRequest,
    decision: str,
    note: str = "",
    *,
    task_token: str | None = None,
    request=None,
) -> HumanTask:
    """``POST /certification/approval``: the seed's handler, with its defects fixed.

    A token must belong to this request (422); a manager may omit it. A request that
    was already decided answers 410 (as the seed's handler); one that is not waiting
    for a decision yet 409.
    """
    tasks = _open_tasks(req)
    if task_token:
        task = tasks.filter(task_token_id=task_token).first()
        if task is None:
            if TaskToken.objects.filter(
                token=task_token, execution_id=req.execution_id, status=TaskToken.Status.OPEN
            ).exists():
                raise Conflict("The request is not waiting for a decision yet; try again shortly.")
            raise UnprocessableEntity(
                {"taskToken": ["This task token does not belong to this request."]}
            )
        if task.status != PENDING:
            raise Gone(f"This approval task was already closed ({task.status}).")
    else:
        if req.status != CertificationRequest.Status.PENDING:
            raise Gone(f"This request was already decided ({req.status}).")
        pending = [t for t in tasks.filter(status=PENDING).order_by("created_at")]
        task = next((t for t in pending if may_decide(actor, t)), pending[0] if pending else None)
        decided_before = tasks.filter(status__in=DECIDED)
        if task is None:
            if decided_before.exists():
                raise Gone("This request was already decided; the decision is being processed.")
            raise Conflict("The request is not waiting for a decision yet; try again shortly.")
        if not may_decide(actor, task) and decided_before.filter(decided_by=actor).exists():
            raise Gone("You already decided this request.")
    if req.status != CertificationRequest.Status.PENDING:
        raise Gone(f"This request was already decided ({req.status}).")
    try:
        return decide(actor, task, decision, note, request=request, via="certification-api")
    except TaskNotPending:
        if HumanTask.objects.filter(pk=task.pk, status__in=DECIDED).exists():
            raise Gone("This request was already decided.")
        raise


def cancel_certification(actor: User, req: CertificationRequest, request=None):
    """The requester (or a MANAGER/ADMIN) withdraws a pending request: its workflow stops."""
    if req.requester_id != actor.pk and not roles.can_manage(actor.role):
        raise exceptions.PermissionDenied("Only the requester or a MANAGER may cancel it.")
    with transaction.atomic():
        # The execution first: the engine's lock order when it stops one.
        Execution.objects.select_for_update().filter(pk=req.execution_id).first()
        req = CertificationRequest.objects.select_for_update().get(pk=req.pk)
        if req.status != CertificationRequest.Status.PENDING:
            raise Gone(f"This request was already decided ({req.status}).")
        _set_certification_status(req, CertificationRequest.Status.CANCELLED, actor, request)
        execution = req.execution
        if execution is not None and execution.status == Execution.Status.RUNNING:
            engine.stop_execution(
                execution, "Certification.Cancelled", f"Cancelled by {actor.email}"
            )
    req.refresh_from_db()
    return req
