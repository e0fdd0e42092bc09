"""The AWS JSON 1.0 protocol: targets, bodies, input validation from botocore's model."""

from __future__ import annotations

import pytest
from django.test import Client

from docuflow.sfnapi.operations import OPERATIONS
from docuflow.sfnapi.protocol import operation_model
from tests.sfnapi.conftest import assert_shape, sign, to_django

REQUIRED = {
    "CreateStateMachine",
    "UpdateStateMachine",
    "DeleteStateMachine",
    "DescribeStateMachine",
    "ListStateMachines",
    "ValidateStateMachineDefinition",
    "StartExecution",
    "StartSyncExecution",
    "StopExecution",
    "DescribeExecution",
    "ListExecutions",
    "GetExecutionHistory",
    "DescribeStateMachineForExecution",
    "SendTaskSuccess",
    "SendTaskFailure",
    "SendTaskHeartbeat",
    "CreateActivity",
    "DeleteActivity",
    "ListActivities",
    "DescribeActivity",
    "GetActivityTask",
    "TagResource",
    "UntagResource",
    "ListTagsForResource",
}


def test_every_operation_is_served_and_named_as_in_botocores_model():
    assert set(OPERATIONS) == REQUIRED
    for name in OPERATIONS:
        assert operation_model(name).name == name


def test_success_has_the_json_content_type_and_a_request_id(raw, key):
    request = sign(b"{}", "AWSStepFunctions.ListActivities", key.key.id, key.secret)
    response = to_django(Client(), request.prepare())
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/x-amz-json-1.0"
    assert response.headers["x-amzn-RequestId"]


@pytest.mark.parametrize(
    "target",
    ["AWSStepFunctions.DoMagic", "AWSStepFunctions.", "Other.ListStateMachines", "nonsense"],
)
def test_unknown_operation(raw, target):
    status, body = raw(target=target)
    assert status == 400
    assert body["__type"] == "UnknownOperationException"


def test_missing_target_is_unknown_operation(raw, key):
    request = sign(b"{}", None, key.key.id, key.secret)
    response = to_django(Client(), request.prepare())
    assert response.status_code == 400
    assert b"UnknownOperationException" in response.content


def test_unsupported_content_type(raw):
    status, body = raw("ListActivities", content_type="text/plain")
    assert (status, body["__type"]) == (400, "UnknownOperationException")


@pytest.mark.parametrize(
    "payload", [b"{", b"not json", b'{"maxResults": }', b"\xff\xfe", b"[1, 2]", b'"text"', b"3"]
)
def test_malformed_body_is_serialization_exception(raw, payload):
    status, body = raw("ListStateMachines", payload)
    assert status == 400
    assert body["__type"] == "SerializationException"
    assert body["message"]


def test_empty_body_is_an_empty_object(raw):
    assert raw("ListActivities", b"") == (200, {"activities": []})


def test_missing_required_member_is_validation_exception(raw):
    status, body = raw("CreateStateMachine", {"name": "x"})
    assert (status, body["__type"]) == (400, "ValidationException")
    assert body["message"].startswith("2 validation errors detected: ")
    assert (
        "Value null at 'definition' failed to satisfy constraint: Member must not be null"
        in (body["message"])
    )
    assert "'roleArn'" in body["message"]


def test_null_counts_as_missing(raw):
    status, body = raw("DescribeExecution", {"executionArn": None})
    assert (status, body["__type"]) == (400, "ValidationException")
    assert body["message"] == (
        "1 validation error detected: Value null at 'executionArn' failed to satisfy "
        "constraint: Member must not be null"
    )


@pytest.mark.parametrize(
    ("operation", "payload"),
    [
        ("ListStateMachines", {"maxResults": "10"}),
        ("ListStateMachines", {"maxResults": True}),
        ("ListStateMachines", {"maxResults": 1.5}),
        ("DescribeStateMachine", {"stateMachineArn": 12}),
        ("DescribeStateMachine", {"stateMachineArn": ["arn"]}),
        ("GetExecutionHistory", {"executionArn": "a", "reverseOrder": "yes"}),
        ("CreateActivity", {"name": "a", "tags": {"key": "k"}}),
        ("CreateActivity", {"name": "a", "tags": ["k"]}),
        ("UntagResource", {"resourceArn": "a", "tagKeys": "k"}),
        ("CreateStateMachine", {"name": "a", "definition": {}, "roleArn": "r"}),
    ],
)
def test_wrong_json_type_is_serialization_exception(raw, operation, payload):
    status, body = raw(operation, payload)
    assert (status, body["__type"]) == (400, "SerializationException")


@pytest.mark.parametrize(
    ("operation", "payload", "fragment"),
    [
        ("ListStateMachines", {"maxResults": 1001}, "less than or equal to 1000"),
        ("ListStateMachines", {"maxResults": -1}, "greater than or equal to 0"),
        ("ListStateMachines", {"nextToken": ""}, "length greater than or equal to 1"),
        ("CreateActivity", {"name": "n" * 81}, "length less than or equal to 80"),
        ("CreateActivity", {"name": ""}, "length greater than or equal to 1"),
        (
            "CreateStateMachine",
            {"name": "a", "definition": "{}", "roleArn": "r", "type": "TURBO"},
            "enum value set: [STANDARD, EXPRESS]",
        ),
        (
            "ListExecutions",
            {"stateMachineArn": "a", "statusFilter": "DONE"},
            "Member must satisfy enum value set",
        ),
        ("TagResource", {"resourceArn": "a", "tags": [{"value": "v"}]}, "'tags.1.member.key'"),
        ("StartExecution", {"stateMachineArn": "a", "traceHeader": "é"}, "pattern"),
        (
            "ValidateStateMachineDefinition",
            {"definition": "{}", "maxResults": 101},
            "less than or equal to 100",
        ),
    ],
)
def test_constraint_violations_are_validation_exceptions(raw, operation, payload, fragment):
    status, body = raw(operation, payload)
    assert (status, body["__type"]) == (400, "ValidationException")
    assert fragment in body["message"]


def test_unknown_members_are_ignored(raw):
    assert raw("ListActivities", {"somethingElse": 1}) == (200, {"activities": []})


def test_body_larger_than_the_limit_is_refused(raw, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    from docuflow.sfnapi import views

    big = b'{"name": "' + b"x" * (views.MIN_BODY_LIMIT + 10) + b'"}'
    status, body = raw("CreateActivity", big)
    assert status == 413
    assert body["__type"] == "RequestEntityTooLargeException"


def test_the_output_shape_check_of_these_tests_catches_strays():
    shape = operation_model("DescribeActivity").output_shape
    good = {"activityArn": "a", "name": "n", "creationDate": 1.5}
    assert_shape(good, shape)
    for bad in ({**good, "extra": 1}, {"activityArn": "a"}, {**good, "creationDate": "x"}):
        with pytest.raises(AssertionError):
            assert_shape(bad, shape)
    history = operation_model("GetExecutionHistory").output_shape
    event = {"timestamp": 1.0, "type": "TaskSubmitted", "id": 1, "previousEventId": 0}
    assert_shape({"events": [event]}, history)
    with pytest.raises(AssertionError):
        assert_shape({"events": [{**event, "type": "NoSuchEvent"}]}, history)
    with pytest.raises(AssertionError):
        assert_shape({"events": [{**event, "taskSubmittedEventDetails": {"x": 1}}]}, history)
