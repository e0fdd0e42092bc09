"""Seed 000's walkthrough through the HTTP API, with the seed's defects fixed."""

from __future__ import annotations

import pytest

from docuflow.approvals.models import CertificationRequest, HumanTask
from docuflow.audit.models import AuditEntry
from docuflow.engine.models import Execution
from tests.approvals.conftest import drain
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

BASE = "/api/v1/certification"


def submit(client, cost=150, slash=""):
    response = client.post(
        f"{BASE}/request{slash}",
        {"name": "Alice", "course": "AWS Certified Developer", "cost": cost},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def status_of(client, request_id, slash=""):
    response = client.get(f"{BASE}/request/{request_id}{slash}")
    assert response.status_code == 200, response.json()
    return response.json()


def inbox(client, **params):
    response = client.get("/api/v1/approvals/", params)
    assert response.status_code == 200, response.json()
    return response.json()["results"]


@pytest.mark.parametrize("slash", ["", "/"])
def test_seed_walkthrough_submit_check_approve_verify(api, users, slash):
    requester, manager = api(users["UPLOADER"]), api(users["MANAGER"])
    created = submit(requester, slash=slash)
    assert set(created) == {"requestId", "executionArn"}
    assert created["executionArn"].startswith("arn:aws:states:")
    request_id = created["requestId"]

    body = status_of(requester, request_id, slash)
    assert body["status"] == "PENDING"
    assert body["name"] == "Alice" and body["course"] == "AWS Certified Developer"
    assert body["cost"] == 150 and body["decidedAt"] is None and body["decidedBy"] is None

    drain()  # SaveRequest, then WaitForApproval creates the manager's task
    [task] = inbox(manager, subject_type="certification")
    assert task["subject_id"] == request_id and task["status"] == "PENDING"
    token = task["task_token"]
    assert token

    response = manager.post(
        f"{BASE}/approval{slash}",
        {"requestId": request_id, "decision": "APPROVED", "taskToken": token},
        format="json",
    )
    assert response.status_code == 200, response.json()
    drain()
    body = status_of(requester, request_id, slash)
    assert body["status"] == "APPROVED"
    assert body["decidedBy"] == users["MANAGER"].email
    assert body["decidedAt"] is not None
    execution = Execution.objects.get(arn=created["executionArn"])
    assert execution.status == "SUCCEEDED"


def test_manager_may_omit_the_token_and_reject_with_a_reason(api, users):
    requester, manager = api(users["UPLOADER"]), api(users["MANAGER"])
    request_id = submit(requester)["requestId"]
    drain()
    missing = manager.post(
        f"{BASE}/approval", {"requestId": request_id, "decision": "REJECTED"}, format="json"
    )
    assert missing.status_code == 422
    assert "reason" in missing.json()["errors"]
    assert HumanTask.objects.get(subject_id=request_id).status == "PENDING"

    response = manager.post(
        f"{BASE}/approval",
        {"requestId": request_id, "decision": "REJECTED", "reason": "Not in this year's plan"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    drain()
    body = status_of(requester, request_id)
    assert body["status"] == "REJECTED"
    assert body["approvals"][0]["reason"] == "Not in this year's plan"


def test_a_second_decision_is_410_and_nothing_changes(api, users):
    requester, manager = api(users["UPLOADER"]), api(users["MANAGER"])
    request_id = submit(requester)["requestId"]
    drain()
    [task] = inbox(manager)
    first = manager.post(
        f"{BASE}/approval",
        {"requestId": request_id, "decision": "APPROVED", "taskToken": task["task_token"]},
        format="json",
    )
    assert first.status_code == 200
    # Before the workflow has recorded the final status: the same token is spent.
    again = manager.post(
        f"{BASE}/approval",
        {
            "requestId": request_id,
            "decision": "REJECTED",
            "reason": "x",
            "taskToken": task["task_token"],
        },
        format="json",
    )
    assert again.status_code == 410
    drain()
    for body in (
        {"requestId": request_id, "decision": "APPROVED"},
        {"requestId": request_id, "decision": "APPROVED", "taskToken": task["task_token"]},
    ):
        response = manager.post(f"{BASE}/approval", body, format="json")
        assert response.status_code == 410, response.json()
        assert response.json()["code"] == "gone"
    assert status_of(requester, request_id)["status"] == "APPROVED"
    # The inbox's decide answers 409 for a task that is no longer pending.
    response = manager.post(
        f"/api/v1/approvals/{task['id']}/decide/", {"decision": "APPROVED"}, format="json"
    )
    assert response.status_code == 409


def test_not_waiting_for_a_decision_yet_is_409(api, users):
    requester, manager = api(users["UPLOADER"]), api(users["MANAGER"])
    request_id = submit(requester)["requestId"]
    # No worker has run: the workflow has not reached WaitForApproval.
    response = manager.post(
        f"{BASE}/approval", {"requestId": request_id, "decision": "APPROVED"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_a_token_of_another_request_is_422(api, users):
    requester, manager = api(users["UPLOADER"]), api(users["MANAGER"])
    first = submit(requester)["requestId"]
    second = submit(requester)["requestId"]
    drain()
    tasks = {t["subject_id"]: t for t in inbox(manager)}
    response = manager.post(
        f"{BASE}/approval",
        {"requestId": first, "decision": "APPROVED", "taskToken": tasks[second]["task_token"]},
        format="json",
    )
    assert response.status_code == 422
    assert "taskToken" in response.json()["errors"]
    garbage = manager.post(
        f"{BASE}/approval",
        {"requestId": first, "decision": "APPROVED", "taskToken": "not-a-token"},
        format="json",
    )
    assert garbage.status_code == 422
    assert HumanTask.objects.filter(status="PENDING").count() == 2


def test_reviewer_of_another_tenant_gets_404(api, users, other_tenant):
    stranger = UserFactory(tenant=other_tenant, role="MANAGER", email="m@globex.test")
    request_id = submit(api(users["UPLOADER"]))["requestId"]
    drain()
    [task] = inbox(api(users["MANAGER"]))
    client = api(stranger)
    assert client.get(f"{BASE}/request/{request_id}").status_code == 404
    response = client.post(
        f"{BASE}/approval",
        {"requestId": request_id, "decision": "APPROVED", "taskToken": task["task_token"]},
        format="json",
    )
    assert response.status_code == 404
    assert (
        client.post(
            f"/api/v1/approvals/{task['id']}/decide/", {"decision": "APPROVED"}, format="json"
        ).status_code
        == 404
    )
    assert inbox(client) == []
    assert HumanTask.objects.get(pk=task["id"]).status == "PENDING"


def test_same_tenant_reviewer_and_requester_may_not_decide(api, users):
    requester = api(users["MANAGER"])  # a MANAGER asking for themself
    request_id = submit(requester)["requestId"]
    drain()
    assert inbox(requester) == []  # not their own request
    own = requester.post(
        f"{BASE}/approval", {"requestId": request_id, "decision": "APPROVED"}, format="json"
    )
    assert own.status_code == 403
    reviewer = api(users["REVIEWER"])
    assert inbox(reviewer) == []
    response = reviewer.post(
        f"{BASE}/approval", {"requestId": request_id, "decision": "APPROVED"}, format="json"
    )
    assert response.status_code in (403, 404)
    admin = api(users["ADMIN"])  # above MANAGER: may decide
    response = admin.post(
        f"{BASE}/approval", {"requestId": request_id, "decision": "APPROVED"}, format="json"
    )
    assert response.status_code == 200


def test_over_the_limit_needs_a_second_approval_by_an_admin(api, users):
    requester, manager, admin = api(users["UPLOADER"]), api(users["MANAGER"]), api(users["ADMIN"])
    request_id = submit(requester, cost="1500.00")["requestId"]
    drain()
    response = manager.post(
        f"{BASE}/approval", {"requestId": request_id, "decision": "APPROVED"}, format="json"
    )
    assert response.status_code == 200
    drain()
    assert status_of(requester, request_id)["status"] == "PENDING"
    [admin_task] = inbox(admin)
    assert admin_task["stage"] == "admin" and admin_task["candidate_roles"] == ["ADMIN"]
    assert inbox(manager) == []
    # The manager cannot take the second approval too.
    again = manager.post(
        f"{BASE}/approval", {"requestId": request_id, "decision": "APPROVED"}, format="json"
    )
    assert again.status_code == 410
    response = admin.post(
        f"{BASE}/approval",
        {"requestId": request_id, "decision": "APPROVED", "notes": "ok"},
        format="json",
    )
    assert response.status_code == 200
    drain()
    body = status_of(requester, request_id)
    assert body["status"] == "APPROVED"
    assert body["decidedBy"] == users["ADMIN"].email
    assert [a["stage"] for a in body["approvals"]] == ["manager", "admin"]


def test_at_the_limit_one_approval_is_enough_and_the_limit_is_per_tenant(api, users):
    requester, manager, admin = api(users["UPLOADER"]), api(users["MANAGER"]), api(users["ADMIN"])
    response = admin.patch(
        "/api/v1/approvals/settings/", {"certification_cost_limit": "100.00"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (
        manager.patch(
            "/api/v1/approvals/settings/", {"certification_cost_limit": "1e9"}, format="json"
        ).status_code
        == 403
    )
    at_limit = submit(requester, cost=100)["requestId"]
    above = submit(requester, cost=100.01)["requestId"]
    drain()
    for request_id in (at_limit, above):
        manager.post(
            f"{BASE}/approval", {"requestId": request_id, "decision": "APPROVED"}, format="json"
        )
    drain()
    assert status_of(requester, at_limit)["status"] == "APPROVED"
    assert status_of(requester, above)["status"] == "PENDING"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"course": "X", "cost": 1},
        {"name": "A", "cost": 1},
        {"name": "A", "course": "X"},
        {"name": "A", "course": "X", "cost": -1},
        {"name": "A", "course": "X", "cost": "abc"},
        {"name": "A", "course": "X", "cost": True},
        {"name": "A", "course": "X", "cost": "NaN"},
        {"name": "A", "course": "X", "cost": 1.234},
        {"name": "", "course": "X", "cost": 1},
        {"name": 5, "course": "X", "cost": 1},
        {"name": "A", "course": ["X"], "cost": 1},
    ],
)
def test_invalid_requests_are_422_and_store_nothing(api, users, body):
    response = api(users["UPLOADER"]).post(f"{BASE}/request", body, format="json")
    assert response.status_code == 422, response.json()
    assert response.json()["code"] == "validation_error"
    assert CertificationRequest.objects.count() == 0


def test_requests_lists_mine_or_all_for_managers(api, users):
    uploader, reviewer = users["UPLOADER"], users["REVIEWER"]
    submit(api(uploader))
    submit(api(reviewer))
    mine = api(uploader).get(f"{BASE}/requests").json()
    assert mine["count"] == 1 and mine["results"][0]["requester"] == uploader.email
    assert api(users["MANAGER"]).get(f"{BASE}/requests/").json()["count"] == 2
    assert api().get(f"{BASE}/requests").status_code == 401


def test_the_requesters_own_manager_decides(api, users, tenant):
    boss = UserFactory(tenant=tenant, role="REVIEWER", email="boss@acme.test")
    employee = users["UPLOADER"]
    employee.manager = boss
    employee.save(update_fields=["manager"])
    request_id = submit(api(employee))["requestId"]
    drain()
    [task] = inbox(api(boss))
    assert task["candidate_users"][0]["email"] == boss.email
    assert inbox(api(users["MANAGER"])) == []  # only the named manager, until escalation
    assert api(boss).get(f"{BASE}/request/{request_id}").status_code == 200
    response = api(boss).post(
        f"{BASE}/approval", {"requestId": request_id, "decision": "APPROVED"}, format="json"
    )
    assert response.status_code == 200
    drain()
    assert status_of(api(employee), request_id)["status"] == "APPROVED"


def test_cancelling_withdraws_the_human_task(api, users):
    requester = api(users["UPLOADER"])
    created = submit(requester)
    drain()
    task = HumanTask.objects.get(subject_id=created["requestId"])
    response = requester.post(f"{BASE}/request/{created['requestId']}/cancel")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "CANCELLED"
    task.refresh_from_db()
    assert task.status == "CANCELLED"
    assert Execution.objects.get(arn=created["executionArn"]).status == "ABORTED"
    response = api(users["MANAGER"]).post(
        f"{BASE}/approval",
        {"requestId": created["requestId"], "decision": "APPROVED"},
        format="json",
    )
    assert response.status_code == 410


def test_audit_log_has_the_story(api, users):
    request_id = submit(api(users["UPLOADER"]))["requestId"]
    drain()
    api(users["MANAGER"]).post(
        f"{BASE}/approval", {"requestId": request_id, "decision": "APPROVED"}, format="json"
    )
    drain()
    actions = set(
        AuditEntry.objects.filter(object_type="certification", object_id=request_id).values_list(
            "action", flat=True
        )
    )
    assert {
        "certification.submitted",
        "approval.task_created",
        "approval.approved",
        "certification.approved",
        "email.sent",
    } <= actions


def test_a_request_is_visible_to_its_requester_and_deciders_only(api, users, tenant):
    colleague = UserFactory(tenant=tenant, role="UPLOADER", email="colleague@acme.test")
    request_id = submit(api(users["UPLOADER"]))["requestId"]
    assert api(colleague).get(f"{BASE}/request/{request_id}").status_code == 404
    assert api(users["MANAGER"]).get(f"{BASE}/request/{request_id}").status_code == 200
    assert api().get(f"{BASE}/request/{request_id}").status_code == 401
    assert api(users["UPLOADER"]).get(f"{BASE}/request/not-a-uuid").status_code == 404
    cancel = api(colleague).post(f"{BASE}/request/{request_id}/cancel")
    assert cancel.status_code == 404


@pytest.mark.parametrize(
    "change",
    [
        {"certification_cost_limit": "-1"},
        {"certification_cost_limit": "abc"},
        {"escalate_after_seconds": 5},
        {"link_lifetime_seconds": 0},
    ],
)
def test_invalid_settings_are_422(api, users, change):
    admin = api(users["ADMIN"])
    response = admin.patch("/api/v1/approvals/settings/", change, format="json")
    assert response.status_code == 422, response.json()
    body = admin.get("/api/v1/approvals/settings/").json()
    assert body["certification_cost_limit"] == "1000.00"
    assert body["escalate_after_seconds"] == 172800
    assert api(users["REVIEWER"]).get("/api/v1/approvals/settings/").status_code == 403
