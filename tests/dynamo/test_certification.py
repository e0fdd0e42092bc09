"""THE acceptance test: the seed's certification state machine runs unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docuflow.dynamo import selectors, services, types
from docuflow.engine import services as engine
from docuflow.engine.models import Execution, HistoryEvent, TaskToken
from tests.dynamo.conftest import run_until_idle

# A byte-identical copy of shared/reference/certification-approval.asl.json.
REFERENCE = Path(__file__).parents[1] / "asl" / "fixtures" / "certification-approval.asl.json"
TABLE = "CertificationRequests"
REQUEST = {
    "requestId": "9b2f4c1e-0d7a-4b8e-9a51-3f6c2d8e7a10",
    "name": "Alice",
    "course": "AWS Certified Developer",
    "cost": 150,
    "requestDate": "2026-11-22T07:00:00Z",
}


def certification_definition() -> str:
    text = REFERENCE.read_text()
    return text.replace("${DynamoDBTableName}", TABLE).replace(
        "${NotifyManagerFunctionName}", "docuflow-echo"
    )


def stored(tenant) -> dict:
    item = selectors.get_item(tenant.slug, TABLE, {"requestId": REQUEST["requestId"]})
    assert item is not None
    return item


def start(tenant) -> Execution:
    machine = engine.create_state_machine(
        tenant, "ApprovalStateMachine", certification_definition()
    )
    execution = engine.start_execution(machine, json.dumps(REQUEST))
    run_until_idle()
    execution.refresh_from_db()
    return execution


def open_token(execution: Execution) -> TaskToken:
    return TaskToken.objects.get(execution=execution, status=TaskToken.Status.OPEN)


@pytest.mark.parametrize("decision", ["APPROVED", "REJECTED"])
def test_certification_request_is_stored_pending_then_final(tenant, decision):
    execution = start(tenant)

    # Paused at WaitForApproval, the request stored as PENDING by SaveRequest.
    assert execution.status == Execution.Status.RUNNING
    assert execution.current_state == "WaitForApproval"
    token = open_token(execution)
    assert stored(tenant) == {
        "requestId": {"S": REQUEST["requestId"]},
        "name": {"S": "Alice"},
        "course": {"S": "AWS Certified Developer"},
        "cost": {"N": "150"},
        "status": {"S": "PENDING"},
        "requestDate": {"S": "2026-11-22T07:00:00Z"},
    }
    # The table was created by that first putItem, keyed by requestId.
    table = services.get_table(tenant.slug, TABLE)
    assert (table.partition_key, table.partition_key_type, table.inferred) == (
        "requestId",
        "S",
        True,
    )

    # The seed's ProcessApproval reads $.approvalResult.status: the manager's answer
    # (SendTaskSuccess output) is {"status": "APPROVED" | "REJECTED"}.
    engine.send_task_success(tenant, token.token, json.dumps({"status": decision}))
    run_until_idle()

    execution.refresh_from_db()
    assert execution.status == Execution.Status.SUCCEEDED, (execution.error, execution.cause)
    assert types.item_to_json(stored(tenant))["status"] == decision
    # The last state's output is the updateItem result: no Attributes (ReturnValues NONE).
    result = json.loads(execution.output)
    assert set(result) == {"SdkHttpMetadata", "SdkResponseMetadata"}
    assert result["SdkHttpMetadata"]["HttpStatusCode"] == 200


def test_save_request_output_has_the_put_item_result_in_ddb_result(tenant):
    execution = start(tenant)
    exited = (
        HistoryEvent.objects.filter(execution=execution, type="TaskStateExited")
        .order_by("event_id")
        .first()
    )
    details = exited.details["stateExitedEventDetails"]
    assert details["name"] == "SaveRequest"
    saved = json.loads(details["output"])
    # ResultPath $.ddbResult keeps the input and adds putItem's result, shaped as on AWS.
    assert {k: saved[k] for k in REQUEST} == REQUEST
    ddb = saved["ddbResult"]
    assert list(ddb) == ["SdkHttpMetadata", "SdkResponseMetadata"]
    headers = ddb["SdkHttpMetadata"]["HttpHeaders"]
    assert headers["Content-Length"] == "2"  # the DynamoDB response body is {}
    assert headers["Content-Type"] == "application/x-amz-json-1.0"
    assert headers["x-amz-crc32"] == "2745614147"  # CRC32 of "{}"
    assert ddb["SdkHttpMetadata"]["AllHttpHeaders"]["Content-Length"] == ["2"]
    assert ddb["SdkResponseMetadata"]["RequestId"] == headers["x-amzn-RequestId"]
    assert len(headers["x-amzn-RequestId"]) == 52


def test_a_decision_without_status_fails_the_choice_and_keeps_pending(tenant):
    """An answer shaped {"decision": …} is not what the seed reads: like AWS, its Choice
    state fails with States.Runtime (the path $.approvalResult.status does not exist)."""
    execution = start(tenant)
    engine.send_task_success(tenant, open_token(execution).token, '{"decision": "APPROVED"}')
    run_until_idle()

    execution.refresh_from_db()
    assert execution.status == Execution.Status.FAILED
    assert execution.error == "States.Runtime"
    assert "$.approvalResult.status" in execution.cause
    assert types.item_to_json(stored(tenant))["status"] == "PENDING"
