"""JSONPath selection, validation and ResultPath placement as Step Functions does them."""

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docuflow.asl.errors import RESULT_PATH_MATCH_FAILURE, StatesError
from docuflow.asl.paths import (
    PathNotFoundError,
    apply_result_path,
    is_definite,
    select,
    validate_path,
)

# The "Input and output processing" example document of the AWS guide.
DOC = {
    "comment": "Example for InputPath.",
    "dataset1": {"val1": 1, "val2": 2, "val3": 3},
    "dataset2": {"val1": "a", "val2": "b", "val3": "c"},
}

STORE = {
    "store": {
        "book": [
            {"category": "reference", "author": "Nigel Rees", "price": 8.95},
            {"category": "fiction", "author": "Evelyn Waugh", "price": 12.99},
            {"category": "fiction", "author": "J. R. R. Tolkien", "price": 22.99, "isbn": "x"},
        ],
        "bicycle": {"color": "red", "price": 19.95},
    }
}


class TestReferencePaths:
    def test_root_returns_the_data_itself(self):
        assert select("$", DOC) is DOC

    def test_dot_notation(self):
        assert select("$.dataset2", DOC) == {"val1": "a", "val2": "b", "val3": "c"}
        assert select("$.dataset1.val2", DOC) == 2

    def test_bracket_notation_with_spaces_and_quotes(self):
        data = {"a b": {"it's": 1}, 'q"': 2}
        assert select("$['a b']['it\\'s']", data) == 1
        assert select('$["q\\""]', data) == 2

    def test_array_index(self):
        assert select("$.store.book[1].author", STORE) == "Evelyn Waugh"

    def test_negative_index_counts_from_the_end(self):
        assert select("$.store.book[-1].isbn", STORE) == "x"

    def test_names_with_dashes_and_digits(self):
        assert select("$.my-field.1st", {"my-field": {"1st": True}}) is True

    def test_context_object(self):
        context = {"Execution": {"Id": "arn:exec", "Input": {"k": 1}}, "Task": {"Token": "t"}}
        assert select("$$.Execution.Id", {"ignored": 1}, context) == "arn:exec"
        assert select("$$.Task.Token", None, context) == "t"
        assert select("$$", None, context) is context

    @pytest.mark.parametrize(
        ("path", "data"),
        [
            ("$.missing", {"a": 1}),
            ("$.a.b", {"a": 1}),
            ("$.a[0]", {"a": {"0": 1}}),
            ("$.a[3]", {"a": [1, 2]}),
            ("$.a.b", {"a": [1]}),
            ("$.a", [1, 2]),
        ],
    )
    def test_definite_path_that_matches_nothing_raises(self, path, data):
        with pytest.raises(PathNotFoundError) as info:
            select(path, data)
        assert info.value.path == path

    def test_null_value_is_found_not_missing(self):
        assert select("$.a", {"a": None}) is None

    def test_missing_context_field(self):
        with pytest.raises(PathNotFoundError):
            select("$$.Map.Item.Value", {}, {"Execution": {}})


class TestGeneralPaths:
    def test_wildcard_returns_a_list(self):
        assert select("$.store.book[*].author", STORE) == [
            "Nigel Rees",
            "Evelyn Waugh",
            "J. R. R. Tolkien",
        ]

    def test_filter(self):
        cheap = select("$.store.book[?(@.price < 10)].author", STORE)
        assert cheap == ["Nigel Rees"]

    def test_filter_on_field_presence_and_equality(self):
        assert select("$.store.book[?(@.category == 'fiction')].price", STORE) == [12.99, 22.99]

    def test_slice_from_the_states_language_spec(self):
        data = {"flagged": 7, "vals": [0, 10, 20, 30, 40, 50]}
        assert select("$.vals[3:]", data) == [30, 40, 50]
        assert select("$.vals[:2]", data) == [0, 10]

    def test_union_of_indexes(self):
        assert select("$.store.book[0,2].price", STORE) == [8.95, 22.99]

    def test_recursive_descent(self):
        prices = select("$..price", STORE)
        assert sorted(prices) == [8.95, 12.99, 19.95, 22.99]

    def test_indefinite_path_without_match_is_an_empty_list(self):
        assert select("$.store.book[?(@.price > 100)]", STORE) == []
        assert select("$.nothing[*]", STORE) == []

    def test_general_path_on_context_object(self):
        context = {"Map": {"Item": {"Value": [{"x": 1}, {"x": 2}]}}}
        assert select("$$.Map.Item.Value[*].x", {}, context) == [1, 2]

    def test_definiteness(self):
        assert is_definite("$.a.b[0]['c d']")
        assert not is_definite("$.a[*]")
        assert not is_definite("$..a")
        assert not is_definite("$.a[1:2]")


class TestValidatePath:
    @pytest.mark.parametrize(
        "path",
        ["$", "$.a", "$.a.b[0]", "$['a b'].c", "$$.Execution.Id", "$$", "$.a[-1]"],
    )
    def test_valid_reference_paths(self, path):
        assert validate_path(path, reference=True) is None
        assert validate_path(path) is None

    @pytest.mark.parametrize(
        "path", ["$.a[*]", "$..a", "$.a[0:2]", "$.a[0,1]", "$.a[?(@.b == 1)]", "$.*"]
    )
    def test_general_paths_are_not_reference_paths(self, path):
        assert validate_path(path) is None
        assert "Reference Path" in validate_path(path, reference=True)

    @pytest.mark.parametrize(
        "path",
        ["", "a.b", "$.", "$[", "$.a[", "$.a..", "$['a", "$.list.length()", "$.a | $.b", 5, None],
    )
    def test_invalid_paths(self, path):
        assert validate_path(path) is not None
        assert validate_path(path, reference=True) is not None

    def test_select_with_an_invalid_path_raises_value_error(self):
        with pytest.raises(ValueError):
            select("$.a[", {})


class TestApplyResultPath:
    def test_null_discards_the_result(self):
        data = {"a": 1}
        assert apply_result_path(data, None, {"r": 2}) is data

    def test_root_replaces_the_input(self):
        assert apply_result_path({"a": 1}, "$", "result") == "result"

    def test_aws_example_adds_result_next_to_input(self):
        # ResultPath docs: input {"comment": ..., "details": ...}, ResultPath "$.taskresult".
        data = {"comment": "This is a test", "details": "Default example", "who": "AWS"}
        out = apply_result_path(data, "$.taskresult", "Hello, AWS!")
        assert out == {**data, "taskresult": "Hello, AWS!"}

    def test_creates_missing_objects_and_does_not_mutate_the_input(self):
        data = {"a": {"keep": 1}, "other": [1, 2]}
        before = copy.deepcopy(data)
        out = apply_result_path(data, "$.a.b.c", 42)
        assert out == {"a": {"keep": 1, "b": {"c": 42}}, "other": [1, 2]}
        assert data == before
        assert out["other"] is data["other"]  # untouched branches are shared, not copied

    def test_replaces_an_existing_value(self):
        assert apply_result_path({"a": {"b": 1}}, "$.a.b", [9]) == {"a": {"b": [9]}}

    def test_existing_array_element(self):
        assert apply_result_path({"a": [1, {"x": 0}]}, "$.a[1].x", 5) == {"a": [1, {"x": 5}]}

    def test_bracket_names(self):
        assert apply_result_path({}, "$['my key']", 1) == {"my key": 1}

    @pytest.mark.parametrize(
        ("data", "path"),
        [
            ("a string", "$.x"),
            ({"a": 5}, "$.a.b"),
            ({"a": [1]}, "$.a[3]"),
            ({}, "$.a[0]"),
            ([1, 2], "$.x"),
        ],
    )
    def test_unplaceable_result_fails_with_result_path_match_failure(self, data, path):
        with pytest.raises(StatesError) as info:
            apply_result_path(data, path, 1)
        assert info.value.error == RESULT_PATH_MATCH_FAILURE
        assert info.value.cause.startswith(f"Unable to apply ReferencePath {path} to input ")

    def test_non_reference_result_path_is_rejected(self):
        with pytest.raises(StatesError):
            apply_result_path({}, "$.a[*]", 1)


# --------------------------------------------------------------------------- properties

json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=5)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=10,
)
names = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=6)


def _bracket(name: str) -> str:
    return "['" + name.replace("\\", "\\\\").replace("'", "\\'") + "']"


@given(st.lists(names, min_size=1, max_size=4), json_values, json_values)
def test_result_path_then_select_returns_the_result(keys, data, result):
    path = "$" + "".join(_bracket(k) for k in keys)
    base = data if isinstance(data, dict) else {}
    out = apply_result_path(base, path, result)
    assert select(path, out) == result


@given(st.dictionaries(names, json_values, max_size=5))
def test_every_top_level_key_is_selectable_by_bracket_path(data):
    for key, value in data.items():
        assert select("$" + _bracket(key), data) == value


@given(st.text(max_size=12))
def test_validate_path_never_raises(text):
    validate_path(text)
    validate_path("$" + text, reference=True)
