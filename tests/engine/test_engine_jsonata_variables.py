"""The durable engine runs JSONata machines; variables survive persistence between steps."""

import json

import pytest

from docuflow.engine import services
from docuflow.engine.models import HistoryEvent, TaskToken
from tests.engine.conftest import ECHO, drain, event_types, reload

pytestmark = pytest.mark.django_db(transaction=True)

# Assign, a task through the worker (the state is stored and reloaded in between), a
# callback (stored again), then Output reading the variables assigned before both.
WITH_VARIABLES = {
    "QueryLanguage": "JSONata",
    "StartAt": "Remember",
    "States": {
        "Remember": {
            "Type": "Pass",
            "Assign": {"who": "{% $states.input.who %}", "n": 2},
            "Next": "Work",
        },
        "Work": {
            "Type": "Task",
            "Resource": ECHO,
            "Arguments": {"double": "{% $n * 2 %}"},
            "Assign": {"doubled": "{% $states.result.double %}"},
            "Next": "Ask",
        },
        "Ask": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Arguments": {
                "FunctionName": "docuflow-echo",
                "Payload": {"token": "{% $states.context.Task.Token %}"},
            },
            "Output": {
                "who": "{% $who %}",
                "doubled": "{% $doubled %}",
                "decision": "{% $states.result.decision %}",
            },
            "End": True,
        },
    },
}


def test_variables_survive_the_database_between_steps(machine, tenant):
    execution = services.start_execution(machine(WITH_VARIABLES), '{"who": "Ada"}', "vars-1")
    drain()
    token = TaskToken.objects.get(execution=execution)
    assert reload(execution).status == "RUNNING"
    services.send_task_success(tenant, token.token, '{"decision": "APPROVED"}')
    drain()
    execution = reload(execution)
    assert execution.status == "SUCCEEDED"
    assert json.loads(execution.output) == {"who": "Ada", "doubled": 4, "decision": "APPROVED"}
    exited = HistoryEvent.objects.get(execution=execution, type="PassStateExited")
    assert exited.details["stateExitedEventDetails"]["assignedVariables"] == {
        "n": "2",
        "who": '"Ada"',
    }


def test_a_query_evaluation_error_is_recorded(machine):
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Output": "{% $nothing %}", "End": True}},
    }
    execution = reload(services.start_execution(machine(definition), "{}", "vars-2"))
    assert execution.status == "FAILED"
    assert execution.error == "States.QueryEvaluationError"
    assert event_types(execution) == [
        "ExecutionStarted",
        "PassStateEntered",
        "EvaluationFailed",
        "ExecutionFailed",
    ]
