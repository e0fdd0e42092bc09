"""The 18 intrinsic functions, their argument rules, escaping and nesting."""

import base64
import hashlib
import json
import random
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docuflow.asl.errors import INTRINSIC_FAILURE, RUNTIME, StatesError
from docuflow.asl.intrinsics import evaluate, is_intrinsic, validate_intrinsic


def ev(expr, data=None, context=None, seed=0):
    return evaluate(expr, data if data is not None else {}, context, random.Random(seed))


def fails(expr, data=None, error=INTRINSIC_FAILURE):
    with pytest.raises(StatesError) as info:
        ev(expr, data)
    assert info.value.error == error
    return info.value.cause


def quote(text: str) -> str:
    """Write ``text`` as an intrinsic string literal."""
    for ch in "\\'{}":
        text = text.replace(ch, "\\" + ch)
    return "'" + text + "'"


class TestFormat:
    def test_aws_examples(self):
        data = {"name": "Arnav", "template": "Hello, my name is {}."}
        assert ev("States.Format('Hello, my name is {}.', $.name)", data) == (
            "Hello, my name is Arnav."
        )
        assert ev("States.Format($.template, $.name)", data) == "Hello, my name is Arnav."

    def test_spec_example_with_a_number(self):
        assert (
            ev(
                "States.Format('Your name is {}, we are in the year {}', $.name, 2020)",
                {"name": "Foo"},
            )
            == "Your name is Foo, we are in the year 2020"
        )

    def test_scalars_use_their_natural_representation(self):
        assert ev("States.Format('{}|{}|{}|{}|{}', 'a', 1, 1.5, true, null)") == "a|1|1.5|true|null"

    def test_escaped_reserved_characters(self):
        assert (
            ev("States.Format('\\{\\} is not a placeholder: {}', 'x')")
            == "{} is not a placeholder: x"
        )
        assert ev("States.Format('it\\'s a back\\\\slash')") == "it's a back\\slash"

    def test_commas_and_parentheses_inside_literals(self):
        assert ev("States.Format('a, b ({})', 'c)')") == "a, b (c))"

    def test_objects_and_arrays_are_rejected(self):
        fails("States.Format('{}', $.o)", {"o": {"a": 1}})
        fails("States.Format('{}', $.o)", {"o": [1]})

    def test_placeholder_count_must_match_at_runtime(self):
        fails("States.Format($.t, 1)", {"t": "no placeholders"})

    def test_template_from_path_must_be_a_string(self):
        fails("States.Format($.t)", {"t": 3})


class TestJson:
    def test_string_to_json(self):
        assert ev("States.StringToJson($.s)", {"s": '{"foo": "bar"}'}) == {"foo": "bar"}
        assert ev("States.StringToJson('[1,2]')") == [1, 2]

    def test_string_to_json_rejects_bad_text(self):
        fails("States.StringToJson($.s)", {"s": "{oops"})
        fails("States.StringToJson($.s)", {"s": 5})

    def test_json_to_string_is_compact(self):
        data = {"someJson": {"name": "Foo", "year": 2020}}
        assert ev("States.JsonToString($.someJson)", data) == '{"name":"Foo","year":2020}'

    def test_json_to_string_needs_a_path(self):
        assert "path" in validate_intrinsic("States.JsonToString('x')")

    def test_json_merge_is_shallow(self):
        data = {
            "json1": {"a": {"a1": 1, "a2": 2}, "b": 2},
            "json2": {"a": {"a3": 1, "a4": 2}, "c": 3},
        }
        assert ev("States.JsonMerge($.json1, $.json2, false)", data) == {
            "a": {"a3": 1, "a4": 2},
            "b": 2,
            "c": 3,
        }
        assert data["json1"] == {"a": {"a1": 1, "a2": 2}, "b": 2}

    def test_json_merge_deep_flag_is_an_error(self):
        assert validate_intrinsic("States.JsonMerge($.a, $.b, true)") is not None
        fails("States.JsonMerge($.a, $.b, $.deep)", {"a": {}, "b": {}, "deep": True})
        fails("States.JsonMerge($.a, $.b, false)", {"a": [], "b": {}})


class TestArrays:
    def test_array(self):
        data = {"someJson": {"random": "abcdefg"}}
        assert ev("States.Array('Foo', 2020, $.someJson, null)", data) == [
            "Foo",
            2020,
            {"random": "abcdefg"},
            None,
        ]
        assert ev("States.Array()") == []

    def test_partition(self):
        data = {"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9]}
        assert ev("States.ArrayPartition($.inputArray,4)", data) == [
            [1, 2, 3, 4],
            [5, 6, 7, 8],
            [9],
        ]
        assert ev("States.ArrayPartition($.e, 3)", {"e": []}) == []

    @pytest.mark.parametrize("size", ["0", "-1", "1.5", "'2'"])
    def test_partition_needs_a_positive_integer(self, size):
        fails(f"States.ArrayPartition($.a, {size})", {"a": [1]})

    def test_contains(self):
        data = {"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9], "lookingFor": 5}
        assert ev("States.ArrayContains($.inputArray, $.lookingFor)", data) is True
        assert ev("States.ArrayContains($.inputArray, 10)", data) is False
        assert ev("States.ArrayContains($.a, $.o)", {"a": [{"x": [1]}], "o": {"x": [1]}}) is True

    def test_contains_uses_json_equality(self):
        assert ev("States.ArrayContains($.a, true)", {"a": [1]}) is False

    def test_range(self):
        assert ev("States.ArrayRange(1, 9, 2)") == [1, 3, 5, 7, 9]
        assert ev("States.ArrayRange(5, 1, -2)") == [5, 3, 1]
        assert ev("States.ArrayRange(1, 1000, 1)") == list(range(1, 1001))
        assert ev("States.ArrayRange(3, 1, 1)") == []

    def test_range_limits(self):
        fails("States.ArrayRange(0, 1000, 1)")  # 1001 items
        fails("States.ArrayRange(1, 9, 0)")
        fails("States.ArrayRange(1.5, 9, 1)")

    def test_get_item(self):
        data = {"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9], "index": 5}
        assert ev("States.ArrayGetItem($.inputArray, $.index)", data) == 6
        fails("States.ArrayGetItem($.inputArray, 9)", data)
        fails("States.ArrayGetItem($.inputArray, -1)", data)

    def test_length(self):
        assert ev("States.ArrayLength($.inputArray)", {"inputArray": [1] * 9}) == 9
        fails("States.ArrayLength($.s)", {"s": "abc"})

    def test_unique(self):
        assert ev("States.ArrayUnique($.a)", {"a": [1, 2, 3, 3, 3, 3, 3, 3, 4]}) == [1, 2, 3, 4]
        assert ev("States.ArrayUnique($.a)", {"a": [{"k": 1}, {"k": 1}, 1, True]}) == [
            {"k": 1},
            1,
            True,
        ]


class TestEncodingAndHash:
    def test_base64_examples(self):
        assert (
            ev("States.Base64Encode($.input)", {"input": "Data to encode"})
            == "RGF0YSB0byBlbmNvZGU="
        )
        assert ev("States.Base64Decode($.b)", {"b": "RGF0YSB0byBlbmNvZGU="}) == "Data to encode"

    def test_base64_limits_and_errors(self):
        fails("States.Base64Encode($.s)", {"s": "x" * 10_001})
        assert ev("States.Base64Encode($.s)", {"s": "x" * 10_000})
        fails("States.Base64Decode($.s)", {"s": "A" * 10_004})
        fails("States.Base64Decode('not base64!')")
        fails("States.Base64Encode(1)")

    @pytest.mark.parametrize(
        ("algorithm", "name"),
        [
            ("MD5", "md5"),
            ("SHA-1", "sha1"),
            ("SHA-256", "sha256"),
            ("SHA-384", "sha384"),
            ("SHA-512", "sha512"),
        ],
    )
    def test_hash_algorithms(self, algorithm, name):
        data = {"Data": "input data", "Algorithm": algorithm}
        expected = hashlib.new(name, b"input data").hexdigest()
        assert ev("States.Hash($.Data, $.Algorithm)", data) == expected

    def test_hash_errors(self):
        fails("States.Hash('x', 'SHA-3')")
        fails("States.Hash($.d, 'MD5')", {"d": "x" * 10_001})


class TestMathAndStrings:
    def test_math_add(self):
        assert ev("States.MathAdd($.value1, $.step)", {"value1": 111, "step": -1}) == 110
        fails("States.MathAdd('1', 1)")
        fails("States.MathAdd(true, 1)")

    def test_math_add_rounds_non_integers_like_aws(self):
        # AWS: "If you specify a non-integer value ... Step Functions will round it off to the
        # nearest integer."
        assert ev("States.MathAdd(1.5, 1)") == 3
        assert ev("States.MathAdd(1.4, 1)") == 2
        assert ev("States.MathAdd(-1.5, 0)") == -1

    def test_math_random_is_in_range_and_seeded(self):
        values = {
            ev("States.MathRandom($.start, $.end)", {"start": 1, "end": 3}, seed=seed)
            for seed in range(60)
        }
        assert values == {1, 2, 3}
        first = ev("States.MathRandom(1, 1000, 42)", seed=1)
        second = ev("States.MathRandom(1, 1000, 42)", seed=2)
        assert first == second
        assert ev("States.MathRandom(5, 5)") == 5
        fails("States.MathRandom(9, 3)")
        fails("States.MathRandom('1', 3)")

    def test_math_random_uses_the_given_rng(self):
        assert ev("States.MathRandom(0, 1000000)", seed=7) == ev(
            "States.MathRandom(0, 1000000)", seed=7
        )

    def test_string_split(self):
        data = {"inputString": "1,2,3,4,5", "splitter": ","}
        assert ev("States.StringSplit($.inputString, $.splitter)", data) == [
            "1",
            "2",
            "3",
            "4",
            "5",
        ]

    def test_string_split_treats_each_character_as_a_delimiter(self):
        assert ev("States.StringSplit('This.is+a,test=string', '.+,=')") == [
            "This",
            "is",
            "a",
            "test",
            "string",
        ]

    def test_uuid_is_version_4_and_comes_from_the_rng(self):
        value = ev("States.UUID()", seed=3)
        assert uuid.UUID(value).version == 4
        assert value == ev("States.UUID()", seed=3)
        assert value != ev("States.UUID()", seed=4)


class TestSyntax:
    def test_nested_calls_aws_example(self):
        arn = "arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/my-recipe/1.0.0"
        expr = (
            "States.Format('{}.{}', "
            "States.ArrayGetItem(States.StringSplit(States.ArrayGetItem("
            "States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), "
            "States.ArrayGetItem(States.StringSplit(States.ArrayGetItem("
            "States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1))"
        )
        assert ev(expr, {"ImageRecipe": {"Arn": arn}}) == "1.0"

    def test_nesting_limit_is_ten(self):
        ten = "States.Array(" * 10 + ")" * 10
        eleven = "States.Array(" * 11 + ")" * 11
        assert validate_intrinsic(ten) is None
        assert "nested" in validate_intrinsic(eleven)

    def test_context_object_paths(self):
        assert (
            ev("States.Format('{}', $$.Execution.Name)", {}, {"Execution": {"Name": "run-1"}})
            == "run-1"
        )

    def test_path_arguments_with_filters_and_brackets(self):
        data = {"a": [{"x": 1, "n": "p"}, {"x": 3, "n": "q"}], "b c": 2}
        assert ev("States.Array($.a[?(@.x > 1)].n, $['b c'])", data) == [["q"], 2]

    @pytest.mark.parametrize(
        "expr",
        [
            "States.Format('x')",
            "States.Array(1, 'two', $.three, true, null, -4.5)",
            "  States.UUID()  ",
            "States.MathRandom(1, 10, 3)",
        ],
    )
    def test_valid(self, expr):
        assert validate_intrinsic(expr) is None

    @pytest.mark.parametrize(
        ("expr", "reason"),
        [
            ("States.Unknown()", "unknown"),
            ("States.Format(", "expected"),
            ("States.Format('abc)", "unterminated"),
            ("States.Format('a\\b')", "escape"),
            ("States.Array(1,)", "expected"),
            ("States.Array(1) extra", "unexpected"),
            ("States.UUID(1)", "argument"),
            ("States.ArrayLength()", "argument"),
            ("States.MathRandom(1)", "argument"),
            ("States.Format('{} {}', 1)", "placeholder"),
            ("States.Format(1)", "string"),
            ("States.Array($.a[)", "path"),
            ("States.Array(foo)", "expected"),
        ],
    )
    def test_invalid(self, expr, reason):
        message = validate_intrinsic(expr)
        assert message is not None and reason in message

    def test_invalid_at_runtime_is_an_intrinsic_failure(self):
        fails("States.Nope()")

    def test_missing_path_argument_is_a_runtime_error(self):
        cause = fails("States.ArrayLength($.missing)", {"x": 1}, error=RUNTIME)
        assert "'$.missing'" in cause and '{"x":1}' in cause

    def test_is_intrinsic(self):
        assert is_intrinsic("States.Format('x')")
        assert not is_intrinsic("$.a")
        assert not is_intrinsic("States")
        assert not is_intrinsic(3)


# --------------------------------------------------------------------------- properties

safe_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | safe_text,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(safe_text, children, max_size=4)
    ),
    max_leaves=15,
)


@given(safe_text)
def test_format_of_an_escaped_literal_round_trips(text):
    assert ev(f"States.Format({quote(text)})") == text


@given(st.lists(safe_text.filter(lambda s: "{}" not in s), min_size=1, max_size=5))
def test_format_interpolates_values_in_order(parts):
    template = "{}".join(quote(p)[1:-1] for p in parts)
    values = [f"v{i}" for i in range(len(parts) - 1)]
    args = "".join(", " + quote(v) for v in values)
    expected = parts[0] + "".join(v + p for v, p in zip(values, parts[1:], strict=True))
    assert ev(f"States.Format('{template}'{args})") == expected


@given(st.lists(json_values, max_size=30), st.integers(min_value=1, max_value=10))
def test_array_partition_rejoins_to_the_input(items, size):
    chunks = ev("States.ArrayPartition($.a, $.n)", {"a": items, "n": size})
    assert [item for chunk in chunks for item in chunk] == items
    assert all(len(chunk) == size for chunk in chunks[:-1])
    assert all(0 < len(chunk) <= size for chunk in chunks)


@given(safe_text)
def test_base64_round_trip(text):
    encoded = ev("States.Base64Encode($.s)", {"s": text})
    assert base64.b64decode(encoded).decode("utf-8") == text
    assert ev("States.Base64Decode($.s)", {"s": encoded}) == text


@given(json_values)
def test_json_to_string_and_back_round_trips(value):
    text = ev("States.JsonToString($.v)", {"v": value})
    assert json.loads(text) == value
    assert ev("States.StringToJson($.t)", {"t": text}) == value


@given(st.integers(-50, 50), st.integers(-50, 50), st.integers(-7, 7).filter(bool))
def test_array_range_matches_an_inclusive_python_range(start, end, step):
    expected = list(range(start, end + (1 if step > 0 else -1), step))
    assert ev(f"States.ArrayRange({start}, {end}, {step})") == expected


@given(st.lists(st.text(alphabet="abc", min_size=1, max_size=4), min_size=1, max_size=6))
def test_string_split_inverts_join(pieces):
    assert ev("States.StringSplit($.s, ',')", {"s": ",".join(pieces)}) == pieces


@given(st.lists(json_values, max_size=10))
def test_array_unique_keeps_first_occurrences(items):
    unique = ev("States.ArrayUnique($.a)", {"a": items})
    keys = [json.dumps(u, sort_keys=True) for u in unique]
    assert len(keys) == len(set(keys))
    assert {json.dumps(i, sort_keys=True) for i in items} == set(keys)


@given(st.text(max_size=40))
def test_validate_intrinsic_never_raises(text):
    validate_intrinsic(text)
    validate_intrinsic("States.Format(" + text)
