"""Payload templates (Parameters, ResultSelector, ItemSelector)."""

import json
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docuflow.asl.errors import INTRINSIC_FAILURE, RUNTIME, StatesError
from docuflow.asl.templates import resolve, validate_template


def run(template, data, context=None, seed=0):
    return resolve(template, data, context, random.Random(seed))


class TestResolve:
    def test_states_language_spec_example(self):
        template = {
            "flagged": True,
            "parts": {"first.$": "$.vals[0]", "last3.$": "$.vals[3:]"},
        }
        data = {"flagged": 7, "vals": [0, 10, 20, 30, 40, 50]}
        assert run(template, data) == {
            "flagged": True,
            "parts": {"first": 0, "last3": [30, 40, 50]},
        }

    def test_aws_parameters_example_with_context_object(self):
        # "Input and output processing" guide: Parameters mixing static values, paths and $$.
        template = {
            "comment": "Selecting what I care about.",
            "MyDetails": {
                "size.$": "$.product.details.size",
                "exists.$": "$.product.availability",
                "StaticValue": "foo",
            },
            "execution.$": "$$.Execution.Id",
        }
        data = {
            "comment": "Example for Parameters.",
            "product": {
                "details": {"color": "blue", "size": "small", "material": "cotton"},
                "availability": "in stock",
                "sku": "2317",
                "cost": "$23",
            },
        }
        out = run(template, data, {"Execution": {"Id": "arn:aws:states:exec"}})
        assert out == {
            "comment": "Selecting what I care about.",
            "MyDetails": {"size": "small", "exists": "in stock", "StaticValue": "foo"},
            "execution": "arn:aws:states:exec",
        }

    def test_result_selector_example(self):
        # ResultSelector picks parts of a task result (AWS "ResultSelector" example).
        result = {
            "resourceType": "elasticmapreduce",
            "resource": "createCluster.sync",
            "output": {"SdkHttpMetadata": {"HttpStatusCode": 200}, "ClusterId": "AKIAI"},
        }
        template = {"ClusterId.$": "$.output.ClusterId", "ResourceType.$": "$.resourceType"}
        assert run(template, result) == {"ClusterId": "AKIAI", "ResourceType": "elasticmapreduce"}

    def test_arrays_in_templates_are_resolved_recursively(self):
        template = {"items": [{"v.$": "$.a"}, "plain", [{"w.$": "$.b"}]]}
        assert run(template, {"a": 1, "b": 2}) == {"items": [{"v": 1}, "plain", [{"w": 2}]]}

    def test_intrinsic_values(self):
        template = {
            "greeting.$": "States.Format('Hello, {}!', $.name)",
            "ids.$": "States.Array($.id, 'x', 3)",
        }
        assert run(template, {"name": "Ana", "id": 7}) == {
            "greeting": "Hello, Ana!",
            "ids": [7, "x", 3],
        }

    def test_map_item_selector_uses_the_context_object(self):
        template = {"index.$": "$$.Map.Item.Index", "value.$": "$$.Map.Item.Value.name"}
        context = {"Map": {"Item": {"Index": 2, "Value": {"name": "n"}}}}
        assert run(template, {}, context) == {"index": 2, "value": "n"}

    def test_output_does_not_alias_the_template(self):
        template = {"static": {"list": [1, 2]}}
        out = run(template, {})
        out["static"]["list"].append(3)
        assert template == {"static": {"list": [1, 2]}}

    def test_non_object_templates_pass_through(self):
        assert run("text", {}) == "text"
        assert run([1, {"a.$": "$.x"}], {"x": 0}) == [1, {"a": 0}]

    def test_missing_path_fails_with_aws_cause(self):
        with pytest.raises(StatesError) as info:
            run({"missing.$": "$.nope.deep"}, {"other": 1})
        assert info.value.error == RUNTIME
        assert info.value.cause == (
            "The JSONPath '$.nope.deep' specified for the field 'missing.$' "
            "could not be found in the input '{\"other\":1}'"
        )

    def test_missing_path_inside_an_intrinsic_also_fails_with_runtime(self):
        with pytest.raises(StatesError) as info:
            run({"m.$": "States.Format('{}', $.nope)"}, {"other": 1})
        assert info.value.error == RUNTIME
        assert "'$.nope'" in info.value.cause and "'m.$'" in info.value.cause

    def test_intrinsic_failure_propagates(self):
        with pytest.raises(StatesError) as info:
            run({"n.$": "States.ArrayLength($.s)"}, {"s": "not an array"})
        assert info.value.error == INTRINSIC_FAILURE

    def test_value_that_is_neither_path_nor_intrinsic_fails(self):
        with pytest.raises(StatesError) as info:
            run({"a.$": "plain text"}, {})
        assert info.value.error == RUNTIME

    def test_indefinite_path_with_no_match_yields_empty_list(self):
        assert run({"a.$": "$.items[?(@.x > 5)]"}, {"items": [{"x": 1}]}) == {"a": []}


class TestValidateTemplate:
    def test_valid_template_has_no_diagnostics(self):
        template = {
            "a.$": "$.x",
            "b.$": "$$.Execution.Input",
            "c.$": "States.Format('{}', $.y)",
            "nested": {"d.$": "$.z[*]"},
            "list": [{"e.$": "$.w"}],
            "plain": "$.not.dynamic",
        }
        assert validate_template(template, "/States/P/Parameters") == []

    def test_reports_every_bad_entry_with_its_location(self):
        template = {
            "a.$": 5,
            "b.$": "hello",
            "nested": {"c.$": "$.a["},
            "list": [{"d.$": "States.Nope()"}],
            "e/f.$": "States.Format('{}')",
        }
        diagnostics = validate_template(template, "/States/P/Parameters")
        locations = sorted(d.location for d in diagnostics)
        assert locations == [
            "/States/P/Parameters/a.$",
            "/States/P/Parameters/b.$",
            "/States/P/Parameters/e~1f.$",
            "/States/P/Parameters/list/0/d.$",
            "/States/P/Parameters/nested/c.$",
        ]
        assert {d.code for d in diagnostics} == {"SCHEMA_VALIDATION_FAILED"}


# --------------------------------------------------------------------------- properties

json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=5)
static_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.text(max_size=4).filter(lambda k: not k.endswith(".$")), children, max_size=3
        )
    ),
    max_leaves=10,
)


@given(static_values)
def test_templates_without_dynamic_keys_resolve_to_themselves(template):
    assert run(template, {"anything": 1}) == template


@given(st.dictionaries(st.text(min_size=1, max_size=5), static_values, max_size=5))
def test_copying_every_field_by_path_reproduces_the_input(data):
    template = {
        key + ".$": "$['" + key.replace("\\", "\\\\").replace("'", "\\'") + "']" for key in data
    }
    assert run(template, data) == data
    assert validate_template(template, "") == []


@given(static_values)
def test_resolved_payload_is_json_serialisable(value):
    out = run({"v.$": "$.v", "w": value}, {"v": value})
    assert json.loads(json.dumps(out)) == {"v": value, "w": value}
