"""Human tasks: the inbox, claims, decisions, escalation, withdrawal, idempotent creation."""

from __future__ import annotations

import json
import logging

import pytest

from docuflow.approvals import handlers, services
from docuflow.approvals.models import HumanTask
from docuflow.audit.models import AuditEntry
from docuflow.engine import services as engine
from docuflow.engine.models import Execution, TaskToken
from docuflow.engine.resources import TaskContext
from tests.approvals.conftest import drain
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

# The seed's document workflow shape around its WaitForApproval (sqs:sendMessage).
DOCUMENT_REVIEW = {
    "StartAt": "WaitForApproval",
    "States": {
        "WaitForApproval": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {
                "QueueUrl": "${ApprovalQueueUrl}",
                "MessageBody": {
                    "document_id.$": "$.document_id",
                    "tenant_id.$": "$.tenant_id",
                    "task_token.$": "$$.Task.Token",
                    "extraction.$": "$.extraction",
                },
            },
            "HeartbeatSeconds": 86400,
            "Next": "CheckApprovalDecision",
            "ResultPath": "$.approval",
        },
        "CheckApprovalDecision": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.approval.status", "StringEquals": "APPROVED", "Next": "Approved"}
            ],
            "Default": "Rejected",
        },
        "Approved": {"Type": "Succeed"},
        "Rejected": {"Type": "Fail", "Error": "Rejected"},
    },
}


@pytest.fixture
def document_review(tenant):
    machine = engine.create_state_machine(tenant, "doc-review", json.dumps(DOCUMENT_REVIEW))

    def start(document_id="doc-1"):
        payload = {"document_id": document_id, "tenant_id": tenant.pk, "extraction": {}}
        execution = engine.start_execution(machine, json.dumps(payload))
        drain()
        return execution, HumanTask.objects.get(execution=execution)

    return start


def test_sqs_wait_for_approval_creates_a_reviewer_task_and_decide_resumes_it(
    document_review, users, api
):
    execution, task = document_review()
    assert task.subject_type == "document" and task.subject_id == "doc-1"
    assert task.candidate_roles == ["REVIEWER"] and task.status == "PENDING"
    reviewer = api(users["REVIEWER"])
    [listed] = reviewer.get("/api/v1/approvals/").json()["results"]
    assert listed["id"] == str(task.pk) and listed["task_token"] == task.task_token_id
    # An UPLOADER sees nothing and may not decide (403, same tenant).
    uploader = api(users["UPLOADER"])
    assert uploader.get("/api/v1/approvals/").json()["results"] == []
    denied = uploader.post(
        f"/api/v1/approvals/{task.pk}/decide/", {"decision": "APPROVED"}, format="json"
    )
    assert denied.status_code == 403
    missing = reviewer.post(
        f"/api/v1/approvals/{task.pk}/decide/", {"decision": "REJECTED"}, format="json"
    )
    assert missing.status_code == 422 and "reason" in missing.json()["errors"]
    response = reviewer.post(
        f"/api/v1/approvals/{task.pk}/decide/",
        {"decision": "APPROVED", "notes": "fine"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "APPROVED" and response.json()["task_token"] is None
    execution.refresh_from_db()
    assert execution.status == "SUCCEEDED"
    output = json.loads(execution.output)["approval"]
    assert output["status"] == "APPROVED" and output["decidedBy"] == str(users["REVIEWER"].pk)
    again = reviewer.post(
        f"/api/v1/approvals/{task.pk}/decide/", {"decision": "APPROVED"}, format="json"
    )
    assert again.status_code == 409


def test_claim_and_unclaim(document_review, users, tenant, api):
    _, task = document_review()
    other_reviewer = UserFactory(tenant=tenant, role="REVIEWER", email="r2@acme.test")
    first, second = api(users["REVIEWER"]), api(other_reviewer)
    claimed = first.post(f"/api/v1/approvals/{task.pk}/claim/")
    assert claimed.status_code == 200
    assert claimed.json()["assignee"]["email"] == users["REVIEWER"].email
    assert second.post(f"/api/v1/approvals/{task.pk}/claim/").status_code == 409
    [seen] = second.get("/api/v1/approvals/").json()["results"]
    assert seen["task_token"] is None  # claimed by someone else
    blocked = second.post(
        f"/api/v1/approvals/{task.pk}/decide/", {"decision": "APPROVED"}, format="json"
    )
    assert blocked.status_code == 409
    assert second.post(f"/api/v1/approvals/{task.pk}/unclaim/").status_code == 403
    assert first.post(f"/api/v1/approvals/{task.pk}/unclaim/").json()["assignee"] is None
    assert second.post(f"/api/v1/approvals/{task.pk}/claim/").status_code == 200
    assert api(users["UPLOADER"]).post(f"/api/v1/approvals/{task.pk}/claim/").status_code == 403
    actions = AuditEntry.objects.filter(action__startswith="approval.").values_list(
        "action", flat=True
    )
    assert {"approval.claimed", "approval.unclaimed"} <= set(actions)


def test_inbox_filters_and_tenant_isolation(document_review, users, api, outsider):
    _, task = document_review("doc-a")
    document_review("doc-b")
    manager = api(users["MANAGER"])
    assert manager.get("/api/v1/approvals/").json()["count"] == 2
    assert manager.get("/api/v1/approvals/?subject_type=certification").json()["count"] == 0
    assert manager.get("/api/v1/approvals/?status=APPROVED").json()["count"] == 0
    assert manager.get("/api/v1/approvals/?status=bogus").status_code == 422
    manager.post(f"/api/v1/approvals/{task.pk}/decide/", {"decision": "APPROVED"}, format="json")
    assert manager.get("/api/v1/approvals/?status=APPROVED").json()["count"] == 1
    assert manager.get("/api/v1/approvals/?status=ANY").json()["count"] == 2
    stranger = api(outsider)
    assert stranger.get("/api/v1/approvals/?status=ANY").json()["count"] == 0
    assert stranger.get(f"/api/v1/approvals/{task.pk}/").status_code == 404
    assert stranger.post(f"/api/v1/approvals/{task.pk}/claim/").status_code == 404


def test_stopping_the_execution_withdraws_the_task(document_review, users, api):
    execution, task = document_review()
    engine.stop_execution(execution, "Stopped", "by a test")
    task.refresh_from_db()
    assert task.status == "CANCELLED"
    assert AuditEntry.objects.filter(action="approval.cancelled", object_id="doc-1").exists()
    response = api(users["REVIEWER"]).post(
        f"/api/v1/approvals/{task.pk}/decide/", {"decision": "APPROVED"}, format="json"
    )
    assert response.status_code == 409


def test_a_closed_token_records_no_decision(document_review, users):
    execution, task = document_review()
    # The token closed under the task without the hook (as a raced stop would leave it).
    TaskToken.objects.filter(pk=task.task_token_id).update(status="CLOSED")
    with pytest.raises(services.TaskNotPending):
        services.decide(users["REVIEWER"], task, "APPROVED")
    task.refresh_from_db()
    assert task.status == "CANCELLED" and task.decision == "" and task.decided_by is None
    assert not AuditEntry.objects.filter(action="approval.approved").exists()


def test_creation_is_idempotent_and_never_logs_the_token(document_review, users, caplog):
    caplog.set_level(logging.DEBUG)
    execution, task = document_review()
    ctx = TaskContext(
        tenant_id=task.tenant_id,
        execution_arn=execution.arn,
        state_name=task.state_name,
        task_id=task.engine_task_id,
        attempt=1,
        task_token=task.task_token_id,
        idempotency_key=f"{execution.arn}#{task.engine_task_id}#1",
        now=task.created_at,
    )
    body = {"document_id": "doc-1", "tenant_id": task.tenant_id, "task_token": task.task_token_id}
    again = handlers.sqs_send_message({"QueueUrl": "q", "MessageBody": json.dumps(body)}, ctx)
    assert again["taskId"] == str(task.pk)
    assert HumanTask.objects.count() == 1
    assert task.task_token_id not in caplog.text
    assert task.task_token_id not in repr(task) and task.task_token_id not in str(task)
    history = "".join(json.dumps(e.details) for e in execution.events.all())
    assert task.task_token_id not in json.dumps(again)
    assert "taskId" in history


def test_a_message_for_another_tenant_fails_the_task(tenant, other_tenant):
    machine = engine.create_state_machine(tenant, "doc-review", json.dumps(DOCUMENT_REVIEW))
    payload = {"document_id": "d", "tenant_id": other_tenant.pk, "extraction": {}}
    execution = engine.start_execution(machine, json.dumps(payload))
    drain()
    execution.refresh_from_db()
    assert execution.status == "FAILED" and execution.error == "Approvals.InvalidTask"
    assert not HumanTask.objects.exists()


def test_escalation_after_the_timeout_goes_to_the_next_role_up(
    api, users, tenant, fake_clock, settings
):
    boss = UserFactory(tenant=tenant, role="REVIEWER", email="boss@acme.test")
    employee = users["UPLOADER"]
    employee.manager = boss
    employee.save(update_fields=["manager"])
    assert (
        api(users["ADMIN"])
        .patch("/api/v1/approvals/settings/", {"escalate_after_seconds": 3600}, format="json")
        .status_code
        == 200
    )
    response = api(employee).post(
        "/api/v1/certification/request",
        {"name": "Alice", "course": "CKA", "cost": 300},
        format="json",
    )
    request_id = response.json()["requestId"]
    drain()
    first = HumanTask.objects.get(subject_id=request_id)
    assert first.due_at is not None and first.candidate_roles == []
    assert api(users["MANAGER"]).get("/api/v1/approvals/").json()["count"] == 0

    fake_clock.advance(3599)
    drain()
    first.refresh_from_db()
    assert first.status == "PENDING"

    fake_clock.advance(2)
    drain()
    first.refresh_from_db()
    assert first.status == "ESCALATED"
    escalated = HumanTask.objects.get(subject_id=request_id, status="PENDING")
    assert escalated.escalated_from == first and escalated.candidate_roles == ["MANAGER"]
    assert escalated.candidate_users.filter(pk=boss.pk).exists()  # the manager keeps a say
    # The old token is spent; MANAGERs see the new task and e-mails went out.
    stale = api(boss).post(
        "/api/v1/certification/approval",
        {"requestId": request_id, "decision": "APPROVED", "taskToken": first.task_token_id},
        format="json",
    )
    assert stale.status_code == 410
    [listed] = api(users["MANAGER"]).get("/api/v1/approvals/").json()["results"]
    assert listed["id"] == str(escalated.pk)
    assert AuditEntry.objects.filter(action="approval.escalated", object_id=request_id).exists()
    decided = api(users["MANAGER"]).post(
        "/api/v1/certification/approval",
        {"requestId": request_id, "decision": "APPROVED"},
        format="json",
    )
    assert decided.status_code == 200
    drain()
    body = api(employee).get(f"/api/v1/certification/request/{request_id}").json()
    assert body["status"] == "APPROVED" and body["decidedBy"] == users["MANAGER"].email
    execution = Execution.objects.get(arn=body["executionArn"])
    assert execution.status == "SUCCEEDED"


def test_shipped_definition_is_valid():
    from docuflow.approvals import workflows

    problems = engine.check_definition(workflows.definition(workflows.CERTIFICATION_MACHINE))
    assert problems == []
