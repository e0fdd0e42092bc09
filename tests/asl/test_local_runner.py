"""``docuflow sfn execute``: the reference machines with mocks, built-ins, errors."""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path

import pytest

from docuflow.asl.local_runner import main

FIXTURES = Path(__file__).parent / "fixtures"
CERT = FIXTURES / "certification-approval.asl.json"
CERT_MOCK = FIXTURES / "certification-approval.mock.json"
DOCUFLOW = FIXTURES / "docuflow-document-workflow.asl.json"
DOCUFLOW_MOCK = FIXTURES / "docuflow-document-workflow.mock.json"

CERT_SUBS = [
    "--sub",
    "DynamoDBTableName=CertificationRequests",
    "--sub",
    "NotifyManagerFunctionName=notify-manager",
]
CERT_INPUT = {
    "requestId": "req-7",
    "name": "Ada",
    "course": "Step Functions Deep Dive",
    "cost": 250,
    "requestDate": "2026-02-01",
}


def function(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:123456789012:function:{name}"


DOCUFLOW_SUBS = [
    arg
    for name, value in {
        "TextExtractorLambdaArn": function("extract"),
        "ValidationLambdaArn": function("validate"),
        "NotificationLambdaArn": function("notify"),
        "ArchiveLambdaArn": function("archive"),
        "StatusUpdaterLambdaArn": function("status"),
        "ApprovalQueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/approvals",
    }.items()
    for arg in ("--sub", f"{name}={value}")
]
DOC_INPUT = {"document_id": "doc-1", "tenant_id": "tenant-1", "bucket": "uploads", "key": "a.pdf"}


def run(capsys, *args) -> tuple[int, dict | None, str]:
    code = main(["execute", *map(str, args)])
    captured = capsys.readouterr()
    report = json.loads(captured.out) if captured.out.strip() else None
    return code, report, captured.err


def types(report) -> list[str]:
    return [event["type"] for event in report["history"]]


# --------------------------------------------------------------------------- certification


def test_certification_approved(capsys):
    code, report, _ = run(
        capsys,
        CERT,
        "--input",
        json.dumps(CERT_INPUT),
        "--mock",
        CERT_MOCK,
        "--test-case",
        "Approved",
        "--history",
        *CERT_SUBS,
    )
    assert code == 0
    assert report["status"] == "SUCCEEDED"
    assert report["output"]["SdkResponseMetadata"] == {"RequestId": "update-1"}
    history = report["history"]
    scheduled = [e for e in history if e["type"] == "TaskScheduled"]
    put = json.loads(scheduled[0]["taskScheduledEventDetails"]["parameters"])
    assert put["TableName"] == "CertificationRequests"
    assert put["Item"]["cost"] == {"N": "250"}
    assert put["Item"]["status"] == {"S": "PENDING"}
    callback = scheduled[1]["taskScheduledEventDetails"]
    assert (callback["resourceType"], callback["resource"]) == ("lambda", "invoke.waitForTaskToken")
    payload = json.loads(callback["parameters"])["Payload"]
    assert payload["requestId"] == "req-7" and len(payload["taskToken"]) > 20
    choice = next(e for e in history if e["type"] == "ChoiceStateExited")
    assert json.loads(choice["stateExitedEventDetails"]["output"])["approvalResult"] == {
        "status": "APPROVED",
        "approver": "manager@example.com",
    }
    assert [
        e["stateEnteredEventDetails"]["name"] for e in history if "stateEnteredEventDetails" in e
    ] == [
        "SaveRequest",
        "WaitForApproval",
        "ProcessApproval",
        "MarkApproved",
    ]
    assert history[-1]["type"] == "ExecutionSucceeded"
    datetime.fromisoformat(history[0]["timestamp"])  # ISO 8601


@pytest.mark.parametrize(
    ("case", "final_state"), [("Rejected", "MarkRejected"), ("NoDecision", "MarkRejected")]
)
def test_certification_rejected_paths(capsys, case, final_state):
    code, report, _ = run(
        capsys,
        CERT,
        "--input",
        json.dumps(CERT_INPUT),
        "--mock",
        CERT_MOCK,
        "--test-case",
        case,
        "--history",
        *CERT_SUBS,
    )
    assert code == 0 and report["status"] == "SUCCEEDED"
    entered = [
        e["stateEnteredEventDetails"]["name"]
        for e in report["history"]
        if "stateEnteredEventDetails" in e
    ]
    assert entered[-1] == final_state
    update = json.loads(
        [e for e in report["history"] if e["type"] == "TaskScheduled"][-1][
            "taskScheduledEventDetails"
        ]["parameters"]
    )
    assert update["ExpressionAttributeValues"][":status"] == {"S": "REJECTED"}


def test_certification_missing_status_is_a_runtime_error_not_the_default(capsys):
    # AWS: a Choice Variable that names nothing fails with States.Runtime; Default only
    # applies when every rule evaluates to false.
    code, report, _ = run(
        capsys,
        CERT,
        "--input",
        json.dumps(CERT_INPUT),
        "--mock",
        CERT_MOCK,
        "--test-case",
        "MissingStatus",
        *CERT_SUBS,
    )
    assert code == 0
    assert (report["status"], report["error"]) == ("FAILED", "States.Runtime")
    assert "$.approvalResult.status" in report["cause"]


def test_certification_save_failure_fails_the_execution_exit_zero(capsys):
    code, report, _ = run(
        capsys,
        CERT,
        "--input",
        json.dumps(CERT_INPUT),
        "--mock",
        CERT_MOCK,
        "--test-case",
        "TableMissing",
        *CERT_SUBS,
    )
    assert code == 0
    assert report == {
        "status": "FAILED",
        "error": "DynamoDB.ResourceNotFoundException",
        "cause": "Requested resource not found",
    }


# --------------------------------------------------------------------------- docuflow workflow


def test_docuflow_happy_path(capsys):
    code, report, _ = run(
        capsys,
        DOCUFLOW,
        "--input",
        json.dumps(DOC_INPUT),
        "--mock",
        DOCUFLOW_MOCK,
        "--test-case",
        "HappyPath",
        "--history",
        *DOCUFLOW_SUBS,
    )
    assert code == 0 and report["status"] == "SUCCEEDED"
    assert report["output"] == {"notified": True, "document_id": "doc-1"}
    kinds = types(report)
    assert kinds.count("LambdaFunctionScheduled") == 5
    assert kinds.count("TaskScheduled") == 1  # the SQS callback
    sqs = next(e for e in report["history"] if e["type"] == "TaskScheduled")[
        "taskScheduledEventDetails"
    ]
    assert (sqs["resourceType"], sqs["resource"], sqs["heartbeatInSeconds"]) == (
        "sqs",
        "sendMessage.waitForTaskToken",
        86400,
    )
    body = json.loads(sqs["parameters"])["MessageBody"]
    assert body["document_id"] == "doc-1" and body["extraction"]["text"] == "Invoice 42"
    assert body["task_token"]


@pytest.mark.parametrize(
    ("case", "last_state", "status"),
    [
        ("Rejected", "MarkRejected", "SUCCEEDED"),
        ("ValidationFails", "MarkValidationFailed", "SUCCEEDED"),
        ("ExtractionFails", "MarkExtractionFailed", "SUCCEEDED"),
        ("UndecidedApproval", "CheckApprovalDecision", "FAILED"),
    ],
)
def test_docuflow_branches(capsys, case, last_state, status):
    code, report, _ = run(
        capsys,
        DOCUFLOW,
        "--input",
        json.dumps(DOC_INPUT),
        "--mock",
        DOCUFLOW_MOCK,
        "--test-case",
        case,
        "--history",
        *DOCUFLOW_SUBS,
    )
    assert code == 0 and report["status"] == status
    entered = [
        e["stateEnteredEventDetails"]["name"]
        for e in report["history"]
        if "stateEnteredEventDetails" in e
    ]
    assert entered[-1] == last_state
    if case == "UndecidedApproval":
        assert report["error"] == "States.NoChoiceMatched"
    if case == "ExtractionFails":
        mark = next(
            e
            for e in report["history"]
            if e.get("stateEnteredEventDetails", {}).get("name") == "MarkExtractionFailed"
        )
        caught = json.loads(mark["stateEnteredEventDetails"]["input"])
        assert caught["error"] == {"Error": "UnsupportedFormat", "Cause": "not a PDF"}


def test_docuflow_extraction_retry_uses_backoff_on_the_simulated_clock(capsys):
    code, report, _ = run(
        capsys,
        DOCUFLOW,
        "--input",
        json.dumps(DOC_INPUT),
        "--mock",
        DOCUFLOW_MOCK,
        "--test-case",
        "ExtractionRetried",
        "--history",
        *DOCUFLOW_SUBS,
    )
    assert code == 0 and report["status"] == "SUCCEEDED"
    history = report["history"]
    scheduled = [e for e in history if e["type"] == "LambdaFunctionScheduled"]
    extract_times = [datetime.fromisoformat(e["timestamp"]) for e in scheduled[:3]]
    gaps = [(b - a).total_seconds() for a, b in zip(extract_times, extract_times[1:], strict=False)]
    assert gaps == [2.0, 4.0]  # IntervalSeconds 2, BackoffRate 2


# --------------------------------------------------------------------------- built-ins and errors


def write(tmp_path: Path, name: str, definition: dict) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(definition))
    return path


def test_echo_through_lambda_invoke_has_the_aws_output_shape(capsys, tmp_path):
    path = write(
        tmp_path,
        "echo.asl.json",
        {
            "StartAt": "Echo",
            "States": {
                "Echo": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": "docuflow-echo", "Payload.$": "$"},
                    "End": True,
                }
            },
        },
    )
    code, report, _ = run(capsys, path, "--input", '{"hello": "world"}')
    assert code == 0 and report["status"] == "SUCCEEDED"
    output = report["output"]
    assert output["Payload"] == {"hello": "world"}
    assert output["ExecutedVersion"] == "$LATEST"
    assert output["StatusCode"] == 200
    assert output["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert set(output) == {
        "ExecutedVersion",
        "Payload",
        "SdkHttpMetadata",
        "SdkResponseMetadata",
        "StatusCode",
    }


def test_echo_function_arn_returns_the_payload_itself(capsys, tmp_path):
    path = write(
        tmp_path,
        "direct.json",
        {
            "StartAt": "Echo",
            "States": {
                "Echo": {
                    "Type": "Task",
                    "Resource": "arn:aws:lambda:us-east-1:123456789012:function:docuflow-echo",
                    "End": True,
                }
            },
        },
    )
    code, report, _ = run(capsys, path, "--input", "[1, 2]")
    assert (code, report) == (0, {"status": "SUCCEEDED", "output": [1, 2]})


def test_unknown_resource_fails_the_task_clearly(capsys, tmp_path):
    path = write(
        tmp_path,
        "unknown.json",
        {
            "StartAt": "Send",
            "States": {
                "Send": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sns:publish",
                    "Parameters": {"TopicArn": "t", "Message": "m"},
                    "End": True,
                }
            },
        },
    )
    code, report, _ = run(capsys, path)
    assert code == 0 and report["status"] == "FAILED"
    assert "Send" in report["cause"] and "--mock" in report["cause"]


def test_a_day_long_wait_returns_at_once(capsys, tmp_path):
    path = write(
        tmp_path,
        "wait.json",
        {
            "StartAt": "Nap",
            "States": {
                "Nap": {"Type": "Wait", "Seconds": 86400, "Next": "Done"},
                "Done": {"Type": "Succeed"},
            },
        },
    )
    began = time.monotonic()
    code, report, _ = run(capsys, path, "--input", '{"x": 1}', "--history")
    assert time.monotonic() - began < 5
    assert code == 0 and report["output"] == {"x": 1}
    stamps = [datetime.fromisoformat(e["timestamp"]) for e in report["history"]]
    assert (stamps[-1] - stamps[0]).total_seconds() == 86400
    entered = report["history"][1]
    assert entered["stateEnteredEventDetails"]["input"] == '{"x":1}'  # JSON string, as AWS


def test_input_from_file(capsys, tmp_path):
    path = write(
        tmp_path, "p.json", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    )
    (tmp_path / "in.json").write_text('{"from": "file"}')
    code, report, _ = run(capsys, path, "--input", f"@{tmp_path / 'in.json'}")
    assert report == {"status": "SUCCEEDED", "output": {"from": "file"}}


def test_invalid_definition_exits_non_zero_with_the_problem(capsys, tmp_path):
    path = write(
        tmp_path, "bad.json", {"StartAt": "Missing", "States": {"P": {"Type": "Pass", "End": True}}}
    )
    code, report, err = run(capsys, path)
    assert code != 0 and report is None
    assert "invalid definition" in err and "Missing" in err


def test_definition_that_is_not_json(capsys, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    code, report, err = run(capsys, path)
    assert code != 0 and report is None and err


def test_invalid_input_exits_non_zero(capsys, tmp_path):
    path = write(
        tmp_path, "p.json", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    )
    code, report, err = run(capsys, path, "--input", "{oops")
    assert code != 0 and report is None and "--input" in err


def test_unknown_test_case_exits_non_zero(capsys):
    code, report, err = run(capsys, CERT, "--mock", CERT_MOCK, "--test-case", "Nope", *CERT_SUBS)
    assert code != 0 and "Nope" in err and "Approved" in err


def test_mock_file_with_several_machines_is_matched_by_file_stem(capsys, tmp_path):
    definition = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {},
                "End": True,
            }
        },
    }
    path = write(tmp_path, "notify.json", definition)
    mock = {
        "StateMachines": {
            "other": {"TestCases": {"Case": {"T": "Fail"}}},
            "notify": {"TestCases": {"Case": {"T": "Ok"}}},
        },
        "MockedResponses": {
            "Ok": {"0": {"Return": {"MessageId": "m-1"}}},
            "Fail": {"0": {"Throw": {"Error": "X"}}},
        },
    }
    (tmp_path / "mock.json").write_text(json.dumps(mock))
    code, report, _ = run(capsys, path, "--mock", tmp_path / "mock.json", "--test-case", "Case")
    assert report == {"status": "SUCCEEDED", "output": {"MessageId": "m-1"}}


def test_mock_attempt_beyond_the_defined_range_fails_the_task(capsys, tmp_path):
    definition = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {},
                "Retry": [{"ErrorEquals": ["X"], "MaxAttempts": 3}],
                "End": True,
            }
        },
    }
    path = write(tmp_path, "t.json", definition)
    mock = {
        "StateMachines": {"t": {"TestCases": {"Case": {"T": "Flaky"}}}},
        "MockedResponses": {"Flaky": {"0-1": {"Throw": {"Error": "X", "Cause": "c"}}}},
    }
    (tmp_path / "mock.json").write_text(json.dumps(mock))
    code, report, _ = run(capsys, path, "--mock", tmp_path / "mock.json")
    assert code == 0 and report["status"] == "FAILED"
    assert "attempt 2" in report["cause"]


def test_cli_entry_point_dispatches_to_the_runner(capsys, tmp_path):
    from docuflow.cli import main as cli_main

    path = write(
        tmp_path, "p.json", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    )
    assert cli_main(["sfn", "execute", str(path), "--input", "3"]) == 0
    assert json.loads(capsys.readouterr().out) == {"status": "SUCCEEDED", "output": 3}


def callback_definition(**extra) -> dict:
    return {
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {
                    "FunctionName": "docuflow-echo",
                    "Payload": {"token.$": "$$.Task.Token"},
                },
                "End": True,
                **extra,
            }
        },
    }


def test_unanswered_callback_reports_running(capsys, tmp_path):
    path = write(tmp_path, "ask.json", callback_definition())
    code, report, _ = run(capsys, path, "--history")
    assert code == 0 and report["status"] == "RUNNING"
    assert report["waitingFor"] == ["task-1"]
    assert types(report)[-1] == "TaskSubmitted"
    submitted = json.loads(report["history"][-1]["taskSubmittedEventDetails"]["output"])
    assert submitted["StatusCode"] == 200 and submitted["Payload"]["token"]


def test_unanswered_callback_with_heartbeat_times_out_on_the_simulated_clock(capsys, tmp_path):
    path = write(tmp_path, "ask.json", callback_definition(HeartbeatSeconds=3600))
    code, report, _ = run(capsys, path, "--history")
    assert code == 0 and (report["status"], report["error"]) == ("FAILED", "States.Timeout")
    stamps = [datetime.fromisoformat(e["timestamp"]) for e in report["history"]]
    assert (stamps[-1] - stamps[0]).total_seconds() == 3600


def test_mocked_callback_result_is_the_callback_output(capsys, tmp_path):
    path = write(tmp_path, "ask.json", callback_definition())
    mock = {
        "StateMachines": {"ask": {"TestCases": {"Yes": {"Ask": "Approve"}}}},
        "MockedResponses": {"Approve": {"0": {"Return": {"approved": True}}}},
    }
    (tmp_path / "mock.json").write_text(json.dumps(mock))
    code, report, _ = run(capsys, path, "--mock", tmp_path / "mock.json", "--test-case", "Yes")
    assert report == {"status": "SUCCEEDED", "output": {"approved": True}}
