"""State machines, definition validation and tags through boto3."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from botocore.exceptions import ClientError

from tests.sfnapi.conftest import PASS_MACHINE, ROLE

DEFINITION = json.dumps(PASS_MACHINE)


def _code(exc: pytest.ExceptionInfo) -> str:
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return exc.value.response["Error"]["Code"]


@pytest.fixture
def machine_arn(sfn):
    return sfn.create_state_machine(
        name="approvals",
        definition=DEFINITION,
        roleArn=ROLE,
        tags=[{"key": "team", "value": "legal"}],
    )["stateMachineArn"]


def test_create_and_describe(sfn, machine_arn, tenant):
    described = sfn.describe_state_machine(stateMachineArn=machine_arn)
    assert described["stateMachineArn"] == machine_arn
    assert described["name"] == "approvals"
    assert described["status"] == "ACTIVE"
    assert json.loads(described["definition"]) == PASS_MACHINE
    assert described["roleArn"] == ROLE
    assert described["type"] == "STANDARD"
    assert isinstance(described["creationDate"], datetime)
    assert described["loggingConfiguration"] == {"level": "OFF", "includeExecutionData": False}
    assert described["tracingConfiguration"] == {"enabled": False}
    assert described["revisionId"]


def test_create_express_with_logging_and_tracing(sfn):
    logging = {
        "level": "ALL",
        "includeExecutionData": True,
        "destinations": [
            {"cloudWatchLogsLogGroup": {"logGroupArn": "arn:aws:logs:eu-west-3:1:log-group:x:*"}}
        ],
    }
    arn = sfn.create_state_machine(
        name="fast",
        definition=DEFINITION,
        roleArn=ROLE,
        type="EXPRESS",
        loggingConfiguration=logging,
        tracingConfiguration={"enabled": True},
    )["stateMachineArn"]
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert described["type"] == "EXPRESS"
    assert described["loggingConfiguration"] == logging
    assert described["tracingConfiguration"] == {"enabled": True}


def test_logging_needs_one_destination_unless_off(sfn):
    with pytest.raises(ClientError) as exc:
        sfn.create_state_machine(
            name="x", definition=DEFINITION, roleArn=ROLE, loggingConfiguration={"level": "ERROR"}
        )
    assert _code(exc) == "InvalidLoggingConfiguration"


def test_create_again_with_the_same_definition_is_idempotent(sfn, machine_arn):
    again = sfn.create_state_machine(name="approvals", definition=DEFINITION, roleArn=ROLE)
    assert again["stateMachineArn"] == machine_arn


def test_create_with_another_definition_conflicts(sfn, machine_arn):
    other = json.dumps({"StartAt": "S", "States": {"S": {"Type": "Succeed"}}})
    with pytest.raises(ClientError) as exc:
        sfn.create_state_machine(name="approvals", definition=other, roleArn=ROLE)
    assert _code(exc) == "StateMachineAlreadyExists"


@pytest.mark.parametrize(
    "definition", ["{", "{}", json.dumps({"StartAt": "Nope", "States": {"A": {"Type": "Pass"}}})]
)
def test_invalid_definition(sfn, definition):
    with pytest.raises(ClientError) as exc:
        sfn.create_state_machine(name="bad", definition=definition, roleArn=ROLE)
    assert _code(exc) == "InvalidDefinition"


@pytest.mark.parametrize("name", ["has space", "a/b", "star*", "brace{"])
def test_invalid_name(sfn, name):
    with pytest.raises(ClientError) as exc:
        sfn.create_state_machine(name=name, definition=DEFINITION, roleArn=ROLE)
    assert _code(exc) == "InvalidName"


def test_invalid_role_arn(sfn):
    with pytest.raises(ClientError) as exc:
        sfn.create_state_machine(name="x", definition=DEFINITION, roleArn="my-role")
    assert _code(exc) == "InvalidArn"


def test_versions_and_customer_kms_keys_are_refused(sfn):
    with pytest.raises(ClientError) as exc:
        sfn.create_state_machine(name="x", definition=DEFINITION, roleArn=ROLE, publish=True)
    assert _code(exc) == "ValidationException"
    with pytest.raises(ClientError) as exc:
        sfn.create_state_machine(
            name="x",
            definition=DEFINITION,
            roleArn=ROLE,
            encryptionConfiguration={"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "k"},
        )
    assert _code(exc) == "InvalidEncryptionConfiguration"


def test_too_many_tags(sfn):
    tags = [{"key": f"k{i}", "value": "v"} for i in range(51)]
    with pytest.raises(ClientError) as exc:
        sfn.create_state_machine(name="x", definition=DEFINITION, roleArn=ROLE, tags=tags)
    assert _code(exc) == "TooManyTags"


def test_update_changes_new_executions_only(sfn, machine_arn):
    first = sfn.describe_state_machine(stateMachineArn=machine_arn)
    old_execution = sfn.start_execution(stateMachineArn=machine_arn)["executionArn"]
    changed = {"StartAt": "S", "States": {"S": {"Type": "Succeed"}}}
    updated = sfn.update_state_machine(
        stateMachineArn=machine_arn,
        definition=json.dumps(changed),
        roleArn="arn:aws:iam::123456789012:role/other",
    )
    assert isinstance(updated["updateDate"], datetime)
    assert updated["revisionId"] != first["revisionId"]
    described = sfn.describe_state_machine(stateMachineArn=machine_arn)
    assert json.loads(described["definition"]) == changed
    assert described["roleArn"] == "arn:aws:iam::123456789012:role/other"
    assert described["revisionId"] == updated["revisionId"]
    # The execution started before keeps the definition it ran with.
    for_old = sfn.describe_state_machine_for_execution(executionArn=old_execution)
    assert json.loads(for_old["definition"]) == PASS_MACHINE
    assert for_old["revisionId"] == first["revisionId"]
    new_execution = sfn.start_execution(stateMachineArn=machine_arn)["executionArn"]
    for_new = sfn.describe_state_machine_for_execution(executionArn=new_execution)
    assert json.loads(for_new["definition"]) == changed
    assert for_new["roleArn"] == "arn:aws:iam::123456789012:role/other"
    assert isinstance(for_new["updateDate"], datetime)


def test_update_needs_something_to_change(sfn, machine_arn):
    with pytest.raises(ClientError) as exc:
        sfn.update_state_machine(stateMachineArn=machine_arn)
    assert _code(exc) == "ValidationException"


def test_update_with_invalid_definition(sfn, machine_arn):
    with pytest.raises(ClientError) as exc:
        sfn.update_state_machine(stateMachineArn=machine_arn, definition="{}")
    assert _code(exc) == "InvalidDefinition"


def test_delete(sfn, machine_arn):
    sfn.delete_state_machine(stateMachineArn=machine_arn)
    with pytest.raises(ClientError) as exc:
        sfn.describe_state_machine(stateMachineArn=machine_arn)
    assert _code(exc) == "StateMachineDoesNotExist"
    # Deleting again (or what never existed) succeeds, as on AWS.
    sfn.delete_state_machine(stateMachineArn=machine_arn)


def test_delete_stops_running_executions(sfn, tenant):
    waiting = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}}
    arn = sfn.create_state_machine(name="waiter", definition=json.dumps(waiting), roleArn=ROLE)[
        "stateMachineArn"
    ]
    sfn.start_execution(stateMachineArn=arn, name="one")
    sfn.delete_state_machine(stateMachineArn=arn)
    assert sfn.list_state_machines()["stateMachines"] == []


def test_list_state_machines_paginates(sfn):
    for index in range(5):
        sfn.create_state_machine(name=f"m{index}", definition=DEFINITION, roleArn=ROLE)
    first = sfn.list_state_machines(maxResults=2)
    assert [m["name"] for m in first["stateMachines"]] == ["m0", "m1"]
    assert set(first["stateMachines"][0]) == {"stateMachineArn", "name", "type", "creationDate"}
    second = sfn.list_state_machines(maxResults=2, nextToken=first["nextToken"])
    assert [m["name"] for m in second["stateMachines"]] == ["m2", "m3"]
    third = sfn.list_state_machines(maxResults=2, nextToken=second["nextToken"])
    assert [m["name"] for m in third["stateMachines"]] == ["m4"]
    assert "nextToken" not in third
    pages = sfn.get_paginator("list_state_machines").paginate(PaginationConfig={"PageSize": 2})
    assert [m["name"] for page in pages for m in page["stateMachines"]] == [
        f"m{i}" for i in range(5)
    ]
    assert len(sfn.list_state_machines(maxResults=0)["stateMachines"]) == 5


def test_bad_next_token_is_invalid_token(sfn):
    with pytest.raises(ClientError) as exc:
        sfn.list_state_machines(nextToken="forged")
    assert _code(exc) == "InvalidToken"


def test_next_token_of_another_operation_is_invalid(sfn):
    for index in range(3):
        sfn.create_activity(name=f"a{index}")
    token = sfn.list_activities(maxResults=1)["nextToken"]
    with pytest.raises(ClientError) as exc:
        sfn.list_state_machines(nextToken=token)
    assert _code(exc) == "InvalidToken"


def test_other_tenants_machine_does_not_exist(sfn, sfn_for, outsider, machine_arn):
    theirs = sfn_for(outsider)
    assert theirs.list_state_machines()["stateMachines"] == []
    for call in (
        lambda: theirs.describe_state_machine(stateMachineArn=machine_arn),
        lambda: theirs.update_state_machine(stateMachineArn=machine_arn, roleArn=ROLE),
        lambda: theirs.start_execution(stateMachineArn=machine_arn),
        lambda: theirs.list_executions(stateMachineArn=machine_arn),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert _code(exc) == "StateMachineDoesNotExist"
    # Their delete is a no-op: ours is still there.
    theirs.delete_state_machine(stateMachineArn=machine_arn)
    assert sfn.describe_state_machine(stateMachineArn=machine_arn)["name"] == "approvals"
    # Even a same-named machine of theirs has its own ARN (its own account id).
    own = theirs.create_state_machine(name="approvals", definition=DEFINITION, roleArn=ROLE)
    assert own["stateMachineArn"] != machine_arn


@pytest.mark.parametrize(
    "arn",
    [
        "not-an-arn",
        "arn:aws:states:eu-west-3:123456789012:activity:approvals",
        "arn:aws:lambda:eu-west-3:123456789012:function:f",
    ],
)
def test_malformed_or_wrong_kind_arn_is_invalid_arn(sfn, arn):
    with pytest.raises(ClientError) as exc:
        sfn.describe_state_machine(stateMachineArn=arn)
    assert _code(exc) == "InvalidArn"


# --- ValidateStateMachineDefinition ---------------------------------------------------------


def test_validate_ok(sfn):
    assert_ok = sfn.validate_state_machine_definition(definition=DEFINITION)
    assert assert_ok["result"] == "OK"
    assert assert_ok["diagnostics"] == []
    assert assert_ok["truncated"] is False


def test_validate_reports_diagnostics_like_aws(sfn):
    bad = {
        "StartAt": "Missing",
        "States": {
            "A": {"Type": "Pass", "Next": "Nowhere"},
            "B": {"Type": "Bogus", "End": True},
        },
    }
    out = sfn.validate_state_machine_definition(definition=json.dumps(bad), type="STANDARD")
    assert out["result"] == "FAIL"
    assert out["truncated"] is False
    assert len(out["diagnostics"]) >= 2
    for diagnostic in out["diagnostics"]:
        assert diagnostic["severity"] == "ERROR"
        assert diagnostic["code"] and diagnostic["message"]
        assert diagnostic["location"].startswith("/")
    limited = sfn.validate_state_machine_definition(definition=json.dumps(bad), maxResults=1)
    assert len(limited["diagnostics"]) == 1
    assert limited["truncated"] is True


def test_validate_unparseable_json(sfn):
    out = sfn.validate_state_machine_definition(definition="{ nope")
    assert out["result"] == "FAIL"
    assert out["diagnostics"]


# --- Tags -------------------------------------------------------------------------------------


def test_tags_on_state_machines_and_activities(sfn, machine_arn):
    assert sfn.list_tags_for_resource(resourceArn=machine_arn)["tags"] == [
        {"key": "team", "value": "legal"}
    ]
    sfn.tag_resource(
        resourceArn=machine_arn,
        tags=[{"key": "team", "value": "finance"}, {"key": "env", "value": "prod"}],
    )
    tags = sfn.list_tags_for_resource(resourceArn=machine_arn)["tags"]
    assert sorted((t["key"], t["value"]) for t in tags) == [("env", "prod"), ("team", "finance")]
    sfn.untag_resource(resourceArn=machine_arn, tagKeys=["team", "absent"])
    assert sfn.list_tags_for_resource(resourceArn=machine_arn)["tags"] == [
        {"key": "env", "value": "prod"}
    ]
    activity = sfn.create_activity(name="review", tags=[{"key": "a", "value": "1"}])["activityArn"]
    assert sfn.list_tags_for_resource(resourceArn=activity)["tags"] == [{"key": "a", "value": "1"}]
    sfn.tag_resource(resourceArn=activity, tags=[{"key": "b", "value": "2"}])
    assert len(sfn.list_tags_for_resource(resourceArn=activity)["tags"]) == 2


def test_tag_limit(sfn, machine_arn):
    sfn.tag_resource(
        resourceArn=machine_arn, tags=[{"key": f"k{i}", "value": "v"} for i in range(49)]
    )
    with pytest.raises(ClientError) as exc:
        sfn.tag_resource(resourceArn=machine_arn, tags=[{"key": "one-too-many", "value": "v"}])
    assert _code(exc) == "TooManyTags"
    assert exc.value.response["resourceName"] == machine_arn


def test_tag_errors(sfn, sfn_for, outsider, machine_arn):
    theirs = sfn_for(outsider)
    for call in (
        lambda: theirs.list_tags_for_resource(resourceArn=machine_arn),
        lambda: theirs.tag_resource(resourceArn=machine_arn, tags=[{"key": "x", "value": "y"}]),
        lambda: theirs.untag_resource(resourceArn=machine_arn, tagKeys=["team"]),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert _code(exc) == "ResourceNotFound"
    assert sfn.list_tags_for_resource(resourceArn=machine_arn)["tags"] == [
        {"key": "team", "value": "legal"}
    ]
    with pytest.raises(ClientError) as exc:
        sfn.list_tags_for_resource(resourceArn="nope")
    assert _code(exc) == "InvalidArn"
    execution = machine_arn.replace(":stateMachine:", ":execution:") + ":e1"
    with pytest.raises(ClientError) as exc:
        sfn.tag_resource(resourceArn=execution, tags=[{"key": "x", "value": "y"}])
    assert _code(exc) == "InvalidArn"
