"""decide(): one transaction with the workflow, one winner under races, hooks for subjects."""

from __future__ import annotations

import json
import logging
import threading

import pytest
from django.db import connection

from docuflow.approvals import services, subjects
from docuflow.approvals.models import HumanTask
from docuflow.audit.models import AuditEntry
from docuflow.engine import services as engine
from docuflow.engine.models import TaskToken
from tests.approvals.conftest import drain
from tests.approvals.test_human_tasks import DOCUMENT_REVIEW
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def waiting_task(tenant):
    machine = engine.create_state_machine(tenant, "doc-review", json.dumps(DOCUMENT_REVIEW))
    payload = {"document_id": "doc-9", "tenant_id": tenant.pk, "extraction": {}}
    execution = engine.start_execution(machine, json.dumps(payload))
    drain()
    return execution, HumanTask.objects.get(execution=execution)


@pytest.fixture
def document_hook():
    """Replace the documents' subject hooks for one test; the real ones come back after."""
    shipped = subjects.get("document")
    calls = []
    subjects.register_subject("document", on_decided=lambda task, actor: calls.append(task))
    yield calls
    subjects.register_subject(
        "document",
        describe=shipped.describe,
        on_decided=shipped.on_decided,
        on_withdrawn=shipped.on_withdrawn,
        on_opened=shipped.on_opened,
    )


def test_a_failing_subject_hook_records_nothing_and_the_workflow_still_waits(
    waiting_task, users, document_hook
):
    execution, task = waiting_task

    def boom(task, actor):
        raise RuntimeError("document store unavailable")

    subjects.register_subject("document", on_decided=boom)
    with pytest.raises(RuntimeError):
        services.decide(users["REVIEWER"], task, "APPROVED", "ok")
    task.refresh_from_db()
    execution.refresh_from_db()
    assert task.status == "PENDING" and task.decided_by is None
    assert TaskToken.objects.get(pk=task.task_token_id).status == "OPEN"
    assert execution.status == "RUNNING"
    assert not AuditEntry.objects.filter(action="approval.approved").exists()

    subjects.register_subject("document", on_decided=lambda t, a: document_hook.append(t))
    services.decide(users["REVIEWER"], task, "APPROVED", "ok")
    execution.refresh_from_db()
    assert execution.status == "SUCCEEDED"
    assert [t.status for t in document_hook] == ["APPROVED"]


def test_concurrent_decisions_have_exactly_one_winner(waiting_task, users, tenant):
    _, task = waiting_task
    deciders = [users["REVIEWER"], users["MANAGER"], users["ADMIN"]] + [
        UserFactory(tenant=tenant, role="REVIEWER", email=f"r{i}@acme.test") for i in range(3)
    ]
    barrier = threading.Barrier(len(deciders))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(user, index):
        decision = "APPROVED" if index % 2 == 0 else "REJECTED"
        try:
            barrier.wait()
            services.decide(user, task, decision, f"reason {index}")
            result = "won"
        except services.TaskNotPending:
            result = "conflict"
        except Exception as exc:  # any other error is a bug
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(u, i)) for i, u in enumerate(deciders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes).count("won") == 1, outcomes
    assert sorted(outcomes).count("conflict") == len(deciders) - 1, outcomes
    task.refresh_from_db()
    token = TaskToken.objects.get(pk=task.task_token_id)
    assert token.status == "SUCCEEDED"
    assert (
        AuditEntry.objects.filter(action__in=["approval.approved", "approval.rejected"]).count()
        == 1
    )


def test_the_worker_and_decisions_never_log_the_token(tenant, users, caplog):
    caplog.set_level(logging.DEBUG)
    machine = engine.create_state_machine(tenant, "doc-review", json.dumps(DOCUMENT_REVIEW))
    payload = {"document_id": "doc-1", "tenant_id": tenant.pk, "extraction": {}}
    engine.start_execution(machine, json.dumps(payload))
    drain()
    task = HumanTask.objects.get()
    services.decide(users["REVIEWER"], task, "REJECTED", "blurry scan")
    drain()
    assert task.task_token_id not in caplog.text
    assert all(task.task_token_id not in json.dumps(e.details) for e in AuditEntry.objects.all())


def test_escalation_emails_the_managers(api, users, smtp, fake_clock):
    admin = api(users["ADMIN"])
    admin.patch("/api/v1/approvals/settings/", {"escalate_after_seconds": 600}, format="json")
    request_id = (
        api(users["UPLOADER"])
        .post(
            "/api/v1/certification/request",
            {"name": "Bob", "course": "CKAD", "cost": 99},
            format="json",
        )
        .json()["requestId"]
    )
    drain()
    assert len(smtp.to(users["MANAGER"].email)) == 1
    assert not smtp.to(users["ADMIN"].email)
    fake_clock.advance(601)
    drain()
    # Candidates were MANAGERs: escalation adds the ADMINs and reminds the MANAGERs.
    [escalated] = smtp.to(users["ADMIN"].email)
    assert "Escalated" in escalated["data"] and "CKAD" in escalated["data"]
    assert len(smtp.to(users["MANAGER"].email)) == 2
    task = HumanTask.objects.get(subject_id=request_id, status="PENDING")
    assert task.candidate_roles == ["MANAGER", "ADMIN"]
    assert not smtp.to(users["UPLOADER"].email)  # the requester never decides
