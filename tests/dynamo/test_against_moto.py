"""Differential tests: the same updateItem calls against moto's DynamoDB and ours.

moto is a second, independent implementation of DynamoDB's expression semantics; where
both agree we are more likely to agree with AWS. Outcomes compared: success (with the
resulting item, sets unordered), ConditionalCheckFailedException or ValidationException.
Attribute names avoid DynamoDB's reserved words (name, list, map …), which AWS and moto
reject unless written as #placeholders and DocuFlow accepts.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from docuflow.dynamo import operations, types
from docuflow.dynamo.errors import DynamoError

pytestmark = pytest.mark.pure

S = lambda s: {"S": s}  # noqa: E731
N = lambda n: {"N": str(n)}  # noqa: E731
ITEM = {
    "id": S("k"),
    "nm": S("Alice"),
    "cost": N(150),
    "tags": {"SS": ["a", "b"]},
    "nums": {"NS": ["1", "2"]},
    "lst": {"L": [N(1), S("two"), {"M": {"x": N(3)}}]},
    "mp": {"M": {"child1": {"M": {"v": S("deep")}}, "n": N(5)}},
    "flag": {"BOOL": False},
    "nil": {"NULL": True},
}

CASES = [
    # (UpdateExpression, ConditionExpression, values)
    ("SET cost = cost + :n", None, {":n": N(5)}),
    ("SET cost = :n - cost", None, {":n": N(5)}),
    ("SET fresh = if_not_exists(fresh, :n)", None, {":n": N(1)}),
    ("SET cost = if_not_exists(cost, :n)", None, {":n": N(1)}),
    ("SET lst = list_append(lst, :l)", None, {":l": {"L": [S("z")]}}),
    ("SET lst = list_append(:l, lst)", None, {":l": {"L": [S("z")]}}),
    ("SET lst[1] = :s", None, {":s": S("TWO")}),
    ("SET lst[7] = :s", None, {":s": S("end")}),
    ("SET mp.child1.v = :s, mp.added = :n", None, {":s": S("new"), ":n": N(1)}),
    ("SET lst[2].x = :n", None, {":n": N(9)}),
    ("SET nm = cost", None, None),
    ("SET a = nm, nm = cost", None, None),
    ("REMOVE lst[0], lst[2]", None, None),
    ("REMOVE mp.child1, tags", None, None),
    ("REMOVE nope", None, None),
    ("ADD cost :n", None, {":n": N(-150)}),
    ("ADD cnt :n", None, {":n": N("0.25")}),
    ("ADD tags :t", None, {":t": {"SS": ["b", "c"]}}),
    ("ADD nums :t", None, {":t": {"NS": ["2", "3.5"]}}),
    ("DELETE tags :t", None, {":t": {"SS": ["a"]}}),
    ("DELETE tags :t", None, {":t": {"SS": ["a", "b"]}}),
    ("SET cost = cost + nm", None, None),
    ("SET x = absent", None, None),
    ("SET nope.child = :n", None, {":n": N(1)}),
    ("SET cost = :n REMOVE nm ADD c2 :n DELETE tags :t", None, {":n": N(1), ":t": {"SS": ["a"]}}),
    ("SET a = :n, a = :n", None, {":n": N(1)}),
    ("ADD tags :s", None, {":s": S("x")}),
    ("DELETE cost :t", None, {":t": {"SS": ["a"]}}),
    ("ADD nm :n", None, {":n": N(1)}),
    ("SET a = :n SET b = :n", None, {":n": N(1)}),
    ("SET a = :n", None, {":n": N(1), ":unused": N(2)}),
    # conditions
    ("SET hit = :n", "cost = :c", {":n": N(1), ":c": N("150.00")}),
    ("SET hit = :n", "cost <> :c", {":n": N(1), ":c": N(150)}),
    ("SET hit = :n", "cost > :c", {":n": N(1), ":c": N(149)}),
    ("SET hit = :n", "nm < :c", {":n": N(1), ":c": S("B")}),
    ("SET hit = :n", "nm BETWEEN :a AND :b", {":n": N(1), ":a": S("A"), ":b": S("B")}),
    ("SET hit = :n", "cost IN (:a, :n)", {":n": N(1), ":a": N(150)}),
    ("SET hit = :n", "attribute_exists(mp.child1.v)", {":n": N(1)}),
    ("SET hit = :n", "attribute_not_exists(mp.child1.w)", {":n": N(1)}),
    ("SET hit = :n", "attribute_type(nil, :t)", {":n": N(1), ":t": S("NULL")}),
    ("SET hit = :n", "attribute_type(tags, :t)", {":n": N(1), ":t": S("SS")}),
    ("SET hit = :n", "begins_with(nm, :p)", {":n": N(1), ":p": S("Al")}),
    ("SET hit = :n", "begins_with(nm, :p)", {":n": N(1), ":p": S("al")}),
    ("SET hit = :n", "contains(nm, :p)", {":n": N(1), ":p": S("lic")}),
    ("SET hit = :n", "contains(tags, :p)", {":n": N(1), ":p": S("b")}),
    ("SET hit = :n", "contains(nums, :n)", {":n": N(1)}),
    ("SET hit = :n", "contains(lst, :p)", {":n": N(1), ":p": S("two")}),
    ("SET hit = :n", "size(tags) = :two", {":n": N(1), ":two": N(2)}),
    ("SET hit = :n", "size(nm) > :two", {":n": N(1), ":two": N(2)}),
    ("SET hit = :n", "size(lst) >= :two", {":n": N(1), ":two": N(3)}),
    ("SET hit = :n", "NOT flag = :t OR cost = :n", {":n": N(1), ":t": {"BOOL": True}}),
    (
        "SET hit = :n",
        "flag = :t AND (cost = :n OR cost = :c)",
        {":n": N(1), ":t": {"BOOL": False}, ":c": N(150)},
    ),
    (
        "SET hit = :n",
        "attribute_exists(absent) OR nil = :nil",
        {":n": N(1), ":nil": {"NULL": True}},
    ),
    ("SET hit = :n", "absent <> :n", {":n": N(1)}),
    ("SET hit = :n", "tags = :t", {":n": N(1), ":t": {"SS": ["b", "a"]}}),
    ("SET hit = :n", "mp.child1 = :m", {":n": N(1), ":m": {"M": {"v": S("deep")}}}),
]


def _moto(update: str, condition: str | None, values: dict | None):
    with mock_aws():
        client = boto3.client(
            "dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
        )
        client.create_table(
            TableName="Tbl",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        client.put_item(TableName="Tbl", Item=ITEM)
        params = {"TableName": "Tbl", "Key": {"id": S("k")}, "UpdateExpression": update}
        if condition:
            params["ConditionExpression"] = condition
        if values:
            params["ExpressionAttributeValues"] = values
        try:
            client.update_item(**params)
        except ClientError as error:
            return error.response["Error"]["Code"], None
        return "ok", client.get_item(TableName="Tbl", Key={"id": S("k")})["Item"]


def _ours(update: str, condition: str | None, values: dict | None):
    params = {"TableName": "Tbl", "Key": {"id": S("k")}, "UpdateExpression": update}
    if condition:
        params["ConditionExpression"] = condition
    if values:
        params["ExpressionAttributeValues"] = values
    schema = operations.KeySchema("id", "S")
    try:
        request = operations.prepare("updateItem", params)
        key = schema.key_of_request(request.key)
        outcome = operations.run_update(request, key, types.canonical_item(ITEM))
    except DynamoError as error:
        return error.code, None
    return "ok", outcome.new_item


def _comparable(item):
    if item is None:
        return None
    return types.item_to_plain(types.canonical_item(item))


@pytest.mark.parametrize(("update", "condition", "values"), CASES)
def test_same_outcome_as_moto(update, condition, values):
    theirs, ours = _moto(update, condition, values), _ours(update, condition, values)
    assert ours[0] == theirs[0]
    assert _comparable(ours[1]) == _comparable(theirs[1])


# Where moto and DocuFlow differ, DocuFlow follows DynamoDB's documented behaviour.
DIVERGENT = [
    # DynamoDB checks every pair of paths for overlap, REMOVE against SET included;
    # moto lets this one through.
    ("SET lst[0] = :n REMOVE lst", None, {":n": N(1)}, "ValidationException"),
    # DynamoDB rejects a BETWEEN whose literal bounds are reversed; moto evaluates it.
    (
        "SET hit = :n",
        "cost BETWEEN :b AND :a",
        {":n": N(1), ":a": N(1), ":b": N(9)},
        "ValidationException",
    ),
    # DynamoDB rejects unknown type names in attribute_type; moto evaluates to false.
    ("SET hit = :n", "attribute_type(cost, :t)", {":n": N(1), ":t": S("X")}, "ValidationException"),
    # size() of a number: the comparison is false (moto raises an internal error).
    ("SET hit = :n", "size(cost) = :n", {":n": N(1)}, "ConditionalCheckFailedException"),
]


@pytest.mark.parametrize(("update", "condition", "values", "expected"), DIVERGENT)
def test_where_moto_differs(update, condition, values, expected):
    assert _ours(update, condition, values)[0] == expected
