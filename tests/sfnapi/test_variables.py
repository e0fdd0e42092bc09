"""Variables through the API: DescribeStateMachine's variableReferences, history redaction."""

from __future__ import annotations

import json

from tests.sfnapi.conftest import ROLE, drain

# BASE_REFERENCE_IN_CHOICE (AWS recorded variableReferences for it, November 2024)
CHOICE_MACHINE = {
    "StartAt": "Setup",
    "States": {
        "Setup": {
            "Type": "Pass",
            "Assign": {"guess": "the_guess", "answer": "the_answer"},
            "Next": "CheckAnswer",
        },
        "CheckAnswer": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$guess", "StringEqualsPath": "$answer", "Next": "CorrectAnswer"}
            ],
            "Default": "WrongAnswer",
        },
        "CorrectAnswer": {"Type": "Pass", "Result": {"state": "CORRECT"}, "End": True},
        "WrongAnswer": {
            "Type": "Pass",
            "Assign": {"guess.$": "$answer"},
            "Result": {"state": "WRONG"},
            "Next": "CheckAnswer",
        },
    },
}


def _create(sfn, definition: dict, name: str) -> str:
    return sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)[
        "stateMachineArn"
    ]


def test_describe_reports_variable_references(sfn):
    arn = _create(sfn, CHOICE_MACHINE, "choice")
    expected = {"CheckAnswer": ["answer", "guess"], "WrongAnswer": ["answer"]}
    assert sfn.describe_state_machine(stateMachineArn=arn)["variableReferences"] == expected
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    drain()
    described = sfn.describe_state_machine_for_execution(executionArn=execution)
    assert described["variableReferences"] == expected


def test_variable_references_in_jsonata_and_nested_states(sfn):
    machine = {
        "QueryLanguage": "JSONata",
        "StartAt": "Set",
        "States": {
            "Set": {"Type": "Pass", "Assign": {"x": 1, "items": [1, 2]}, "Next": "Each"},
            "Each": {
                "Type": "Map",
                "Items": "{% $items %}",
                "ItemProcessor": {
                    "StartAt": "Inner",
                    "States": {
                        "Inner": {
                            "Type": "Pass",
                            "Output": "{% ($y := $x; $y + $states.input + $sum($items)) %}",
                            "End": True,
                        }
                    },
                },
                "End": True,
            },
        },
    }
    arn = _create(sfn, machine, "nested")
    assert sfn.describe_state_machine(stateMachineArn=arn)["variableReferences"] == {
        "Each": ["items"],
        "Inner": ["items", "x"],
    }


def test_no_variable_references_leaves_the_field_out(sfn):
    machine = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    arn = _create(sfn, machine, "plain")
    assert "variableReferences" not in sfn.describe_state_machine(stateMachineArn=arn)


def test_history_without_execution_data_drops_assigned_variables(sfn):
    arn = _create(sfn, CHOICE_MACHINE, "redacted")
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    drain()
    full = sfn.get_execution_history(executionArn=execution)["events"]
    assert full[2]["stateExitedEventDetails"]["assignedVariables"] == {
        "answer": '"the_answer"',
        "guess": '"the_guess"',
    }
    assert full[2]["stateExitedEventDetails"]["assignedVariablesDetails"] == {"truncated": False}
    redacted = sfn.get_execution_history(executionArn=execution, includeExecutionData=False)
    for event in redacted["events"]:
        details = event.get("stateExitedEventDetails")
        if details is not None:
            assert "assignedVariables" not in details
            assert "output" not in details
    assert "the_answer" not in json.dumps(redacted["events"], default=str)
