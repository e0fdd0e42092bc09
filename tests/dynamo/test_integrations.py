"""The dynamodb:* Task integrations, run through the engine as a state machine would."""

from __future__ import annotations

import json
import zlib

import pytest

from docuflow.dynamo import selectors, services
from docuflow.engine import services as engine
from tests.dynamo.conftest import output, run_until_idle

TABLE = "Requests"
S = lambda s: {"S": s}  # noqa: E731
N = lambda n: {"N": str(n)}  # noqa: E731

SDK_CAUSE = "(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: {code}; Request ID: "


def body_of(result: dict) -> dict:
    return {k: v for k, v in result.items() if not k.startswith("Sdk")}


def put(call, item: dict, **extra):
    return call("putItem", {"TableName": TABLE, "Item": item, **extra})


def test_put_then_get_returns_the_item_with_aws_metadata(call):
    result = put(call, {"requestId": S("r1"), "cost": N("150.0"), "tags": {"SS": ["a"]}})
    assert list(result) == ["SdkHttpMetadata", "SdkResponseMetadata"]

    got = call("getItem", {"TableName": TABLE, "Key": {"requestId": S("r1")}})
    assert got["Item"] == {"requestId": S("r1"), "cost": N(150), "tags": {"SS": ["a"]}}
    assert list(got)[0] == "Item"
    metadata = got["SdkHttpMetadata"]
    body = json.dumps(body_of(got), separators=(",", ":")).encode()
    assert metadata["HttpHeaders"]["Content-Length"] == str(len(body))
    assert metadata["HttpHeaders"]["x-amz-crc32"] == str(zlib.crc32(body))
    assert metadata["HttpStatusCode"] == 200
    assert set(metadata["AllHttpHeaders"]) == set(metadata["HttpHeaders"])
    assert got["SdkResponseMetadata"]["RequestId"] == metadata["HttpHeaders"]["x-amzn-RequestId"]


def test_get_of_a_missing_item_has_no_item_key(call):
    put(call, {"requestId": S("r1")})
    got = call("getItem", {"TableName": TABLE, "Key": {"requestId": S("nope")}})
    assert "Item" not in got


def test_get_with_projection(call):
    put(call, {"requestId": S("r1"), "status": S("PENDING"), "cost": N(1)})
    got = call(
        "getItem",
        {
            "TableName": TABLE,
            "Key": {"requestId": S("r1")},
            "ProjectionExpression": "#s",
            "ExpressionAttributeNames": {"#s": "status"},
        },
    )
    assert got["Item"] == {"status": S("PENDING")}


@pytest.mark.parametrize("action", ["getItem", "updateItem", "deleteItem"])
def test_missing_table_is_resource_not_found(call, action):
    params = {"TableName": "NoSuchTable", "Key": {"id": S("1")}}
    if action == "updateItem":
        params["UpdateExpression"] = "SET a = :v"
        params["ExpressionAttributeValues"] = {":v": N(1)}
    error, cause = call(action, params, expect_failure=True)
    assert error == "DynamoDB.ResourceNotFoundException"
    assert cause.startswith(
        "Requested resource not found " + SDK_CAUSE.format(code="ResourceNotFoundException")
    )
    assert cause.endswith("; Proxy: null)")


def test_conditional_put_fails_with_conditional_check_failed(call):
    item = {"requestId": S("r1"), "status": S("PENDING")}
    condition = {"ConditionExpression": "attribute_not_exists(requestId)"}
    put(call, item, **condition)
    error, cause = call(
        "putItem", {"TableName": TABLE, "Item": item, **condition}, expect_failure=True
    )
    assert error == "DynamoDB.ConditionalCheckFailedException"
    assert cause.startswith(
        "The conditional request failed " + SDK_CAUSE.format(code="ConditionalCheckFailedException")
    )


def test_catch_routes_a_failed_condition(tenant):
    definition = {
        "StartAt": "Save",
        "States": {
            "Save": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": {
                    "TableName": TABLE,
                    "Item": {"requestId": {"S.$": "$.id"}},
                    "ConditionExpression": "attribute_not_exists(requestId)",
                },
                "Catch": [
                    {
                        "ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"],
                        "ResultPath": "$.error",
                        "Next": "Duplicate",
                    }
                ],
                "End": True,
            },
            "Duplicate": {"Type": "Pass", "Result": "duplicate", "End": True},
        },
    }
    machine = engine.create_state_machine(tenant, "save-once", json.dumps(definition))
    first = engine.start_execution(machine, '{"id": "r1"}')
    second = engine.start_execution(machine, '{"id": "r1"}')
    run_until_idle()
    assert "Item" not in output(first) and "SdkHttpMetadata" in output(first)
    assert output(second) == "duplicate"


def test_validation_errors_surface_as_amazon_dynamodb_exception(call):
    put(call, {"requestId": S("r1")})
    error, cause = call(
        "updateItem",
        {"TableName": TABLE, "Key": {"requestId": S("r1")}, "UpdateExpression": "SET = :v"},
        expect_failure=True,
    )
    assert error == "DynamoDB.AmazonDynamoDBException"
    assert cause.startswith('Invalid UpdateExpression: Syntax error; token: "="')
    assert SDK_CAUSE.format(code="ValidationException") in cause


@pytest.mark.parametrize(
    ("action", "params", "message"),
    [
        ("putItem", {"TableName": "/bad", "Item": {"requestId": S("1")}}, "regular expression"),
        ("putItem", {"TableName": TABLE, "Item": None}, "Value null at 'item'"),
        ("putItem", {"TableName": TABLE, "Item": {"other": S("1")}}, "Missing the key requestId"),
        ("putItem", {"TableName": TABLE, "Item": {"requestId": N(1)}}, "Type mismatch for key"),
        ("putItem", {"TableName": TABLE, "Item": {"requestId": S("")}}, "cannot contain an empty"),
        (
            "putItem",
            {"TableName": TABLE, "Item": {"requestId": S("1")}, "ReturnValues": "ALL_NEW"},
            "Return values set to invalid value",
        ),
        ("getItem", {"TableName": TABLE, "Key": {"other": S("1")}}, "does not match the schema"),
        (
            "getItem",
            {"TableName": TABLE, "Key": {"requestId": S("1"), "x": S("1")}},
            "does not match the schema",
        ),
        (
            "updateItem",
            {
                "TableName": TABLE,
                "Key": {"requestId": S("1")},
                "UpdateExpression": "SET requestId = :v",
                "ExpressionAttributeValues": {":v": S("2")},
            },
            "Cannot update attribute requestId. This attribute is part of the key",
        ),
        (
            "updateItem",
            {
                "TableName": TABLE,
                "Key": {"requestId": S("1")},
                "UpdateExpression": "SET a = :v",
                "ExpressionAttributeValues": {":v": S("2"), ":w": S("3")},
            },
            "unused in expressions: keys: {:w}",
        ),
        (
            "deleteItem",
            {"TableName": TABLE, "Key": {"requestId": S("1")}, "Expected": {}},
            "legacy parameter Expected",
        ),
        ("deleteItem", {"TableName": TABLE, "Key": {"requestId": S("1")}, "Foo": 1}, "'Foo'"),
    ],
)
def test_bad_requests(call, action, params, message):
    put(call, {"requestId": S("seed")})
    error, cause = call(action, params, expect_failure=True)
    assert error == "DynamoDB.AmazonDynamoDBException"
    assert message in cause


def test_put_return_values_all_old(call):
    first = put(call, {"requestId": S("r1"), "v": N(1)}, ReturnValues="ALL_OLD")
    assert "Attributes" not in first
    second = put(call, {"requestId": S("r1"), "v": N(2)}, ReturnValues="ALL_OLD")
    assert second["Attributes"] == {"requestId": S("r1"), "v": N(1)}


@pytest.mark.parametrize(
    ("return_values", "attributes"),
    [
        ("NONE", None),
        ("ALL_OLD", {"requestId": S("r1"), "status": S("PENDING"), "n": N(1)}),
        ("ALL_NEW", {"requestId": S("r1"), "status": S("APPROVED"), "n": N(3), "added": N(2)}),
        ("UPDATED_OLD", {"status": S("PENDING"), "n": N(1)}),
        ("UPDATED_NEW", {"status": S("APPROVED"), "n": N(3), "added": N(2)}),
    ],
)
def test_update_return_values(call, return_values, attributes):
    put(call, {"requestId": S("r1"), "status": S("PENDING"), "n": N(1)})
    result = call(
        "updateItem",
        {
            "TableName": TABLE,
            "Key": {"requestId": S("r1")},
            "UpdateExpression": "SET #s = :s ADD n :two, added :two",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":s": S("APPROVED"), ":two": N(2)},
            "ReturnValues": return_values,
        },
    )
    assert result.get("Attributes") == attributes


def test_update_creates_a_missing_item_and_checks_conditions(call, tenant):
    put(call, {"requestId": S("seed")})
    params = {
        "TableName": TABLE,
        "Key": {"requestId": S("new")},
        "UpdateExpression": "ADD visits :one",
        "ExpressionAttributeValues": {":one": N(1)},
        "ReturnValues": "ALL_NEW",
    }
    assert call("updateItem", params)["Attributes"] == {"requestId": S("new"), "visits": N(1)}
    assert call("updateItem", params)["Attributes"]["visits"] == N(2)
    guarded = {
        **params,
        "ConditionExpression": "visits < :max",
        "ExpressionAttributeValues": {":one": N(1), ":max": N(2)},
    }
    error, _ = call("updateItem", guarded, expect_failure=True)
    assert error == "DynamoDB.ConditionalCheckFailedException"
    item = selectors.get_item(tenant.slug, TABLE, {"requestId": "new"})
    assert item["visits"] == N(2)  # the failed update changed nothing


def test_delete(call, tenant):
    put(call, {"requestId": S("r1"), "status": S("PENDING")})
    key = {"TableName": TABLE, "Key": {"requestId": S("r1")}}
    error, _ = call(
        "deleteItem",
        {
            **key,
            "ConditionExpression": "#s = :done",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":done": S("DONE")},
        },
        expect_failure=True,
    )
    assert error == "DynamoDB.ConditionalCheckFailedException"
    deleted = call("deleteItem", {**key, "ReturnValues": "ALL_OLD"})
    assert deleted["Attributes"] == {"requestId": S("r1"), "status": S("PENDING")}
    assert selectors.get_item(tenant.slug, TABLE, {"requestId": "r1"}) is None
    again = call("deleteItem", {**key, "ReturnValues": "ALL_OLD"})
    assert "Attributes" not in again


def test_consumed_capacity_when_asked(call):
    result = put(call, {"requestId": S("r1")}, ReturnConsumedCapacity="TOTAL")
    assert result["ConsumedCapacity"] == {"CapacityUnits": 1.0, "TableName": TABLE}


def test_explicit_table_with_sort_key(call, tenant):
    services.create_table(tenant.slug, "Events", "pk", "S", "at", "N")
    for at in ("1", "2.0"):
        call("putItem", {"TableName": "Events", "Item": {"pk": S("a"), "at": N(at), "v": S(at)}})
    got = call("getItem", {"TableName": "Events", "Key": {"pk": S("a"), "at": N("2")}})
    assert got["Item"]["v"] == S("2.0")
    assert len(selectors.scan(tenant.slug, "Events")) == 2
    error, cause = call(
        "getItem", {"TableName": "Events", "Key": {"pk": S("a")}}, expect_failure=True
    )
    assert "does not match the schema" in cause


def test_key_inference_on_first_put(call, tenant):
    call("putItem", {"TableName": "Orders", "Item": {"total": N(3), "order_id": N(7)}})
    table = services.get_table(tenant.slug, "Orders")
    assert (table.partition_key, table.partition_key_type) == ("order_id", "N")
    call("putItem", {"TableName": "Single", "Item": {"PK": S("u#1"), "SK": S("p"), "x": N(1)}})
    table = services.get_table(tenant.slug, "Single")
    assert (table.partition_key, table.sort_key) == ("PK", "SK")
    error, cause = call(
        "putItem",
        {"TableName": "Unclear", "Item": {"name": S("a"), "course": S("b")}},
        expect_failure=True,
    )
    assert "Cannot infer the key of a new table" in cause
    assert "docuflow dynamo create-table" in cause


def test_tables_belong_to_their_tenant(call, tenant, other_tenant):
    put(call, {"requestId": S("r1")})
    with pytest.raises(services.ResourceNotFoundException):
        services.execute(
            other_tenant.slug, "getItem", {"TableName": TABLE, "Key": {"requestId": S("r1")}}
        )
    # The other tenant's first put makes its own table of the same name.
    services.execute(
        other_tenant.slug, "putItem", {"TableName": TABLE, "Item": {"requestId": S("x")}}
    )
    assert len(selectors.scan(tenant.slug, TABLE)) == 1
    assert len(selectors.scan(other_tenant.slug, TABLE)) == 1


def test_a_rerun_attempt_does_not_apply_a_write_twice(tenant):
    params = {
        "TableName": TABLE,
        "Key": {"requestId": S("r1")},
        "UpdateExpression": "ADD n :one",
        "ExpressionAttributeValues": {":one": N(1)},
        "ReturnValues": "UPDATED_NEW",
    }
    services.execute(tenant.slug, "putItem", {"TableName": TABLE, "Item": {"requestId": S("r1")}})
    first = services.execute(tenant.slug, "updateItem", params, idempotency_key="exec#task-1#1")
    again = services.execute(tenant.slug, "updateItem", params, idempotency_key="exec#task-1#1")
    retry = services.execute(tenant.slug, "updateItem", params, idempotency_key="exec#task-1#2")
    assert first == again == {"Attributes": {"n": N(1)}}
    assert retry == {"Attributes": {"n": N(2)}}


def test_table_arn_as_table_name(call):
    put(call, {"requestId": S("r1")})
    arn = f"arn:aws:dynamodb:us-east-1:123456789012:table/{TABLE}"
    got = call("getItem", {"TableName": arn, "Key": {"requestId": S("r1")}})
    assert got["Item"] == {"requestId": S("r1")}
