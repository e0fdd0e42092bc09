"""Mocked Task responses in Step Functions Local's ``MockConfigFile.json`` format.

::

    {"StateMachines": {"<machine>": {"TestCases": {"<case>": {"<state>": "<response>"}}}},
     "MockedResponses": {"<response>": {"0": {"Return": ...},
                                        "1-2": {"Throw": {"Error": ..., "Cause": ...}}}}}

Response keys number the attempts of a state (0 = first try, 1 = first retry …), as a
single number or an inclusive range; together they must cover 0..n without gaps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["MockConfigError", "MockResponse", "TestCase", "load_test_case"]


class MockConfigError(ValueError):
    """The mock file is malformed or does not name the requested machine/test case."""


@dataclass(frozen=True, slots=True)
class MockResponse:
    returns: Any = None
    error: str | None = None  # set for a Throw
    cause: str | None = None

    @property
    def is_throw(self) -> bool:
        return self.error is not None


@dataclass(frozen=True)
class TestCase:
    __test__ = False  # not a pytest class

    name: str
    responses: dict[str, tuple[MockResponse, ...]]  # state name -> response per attempt

    def response(self, state_name: str, attempt: int) -> MockResponse | None:
        """The response for ``attempt`` (0-based) of ``state_name``; None if not mocked.

        Raises MockConfigError when the state is mocked but not for that many attempts.
        """
        sequence = self.responses.get(state_name)
        if sequence is None:
            return None
        if attempt >= len(sequence):
            raise MockConfigError(
                f"test case '{self.name}' mocks state '{state_name}' for {len(sequence)} "
                f"attempt(s) only; attempt {attempt} was made"
            )
        return sequence[attempt]


def load_test_case(config: Any, test_case: str | None, machine_hint: str | None) -> TestCase:
    """Pick the state machine (the only one, or the one named ``machine_hint``) and case."""
    if not isinstance(config, dict) or not isinstance(config.get("StateMachines"), dict):
        raise MockConfigError("the mock file must be an object with a 'StateMachines' object")
    machines = config["StateMachines"]
    if len(machines) == 1:
        machine_name = next(iter(machines))
    elif machine_hint in machines:
        machine_name = machine_hint
    else:
        raise MockConfigError(
            f"the mock file defines state machines {sorted(machines)}; none is named "
            f"'{machine_hint}' (the definition file's name)"
        )
    cases = (machines[machine_name] or {}).get("TestCases")
    if not isinstance(cases, dict) or not cases:
        raise MockConfigError(f"state machine '{machine_name}' has no TestCases")
    if test_case is None:
        if len(cases) != 1:
            raise MockConfigError(f"choose a test case with --test-case: {sorted(cases)}")
        test_case = next(iter(cases))
    if test_case not in cases:
        raise MockConfigError(
            f"no test case '{test_case}' for state machine '{machine_name}': {sorted(cases)}"
        )
    library = config.get("MockedResponses") or {}
    responses: dict[str, tuple[MockResponse, ...]] = {}
    for state_name, response_name in cases[test_case].items():
        if response_name not in library:
            raise MockConfigError(
                f"test case '{test_case}' maps state '{state_name}' to unknown mocked "
                f"response '{response_name}'"
            )
        responses[state_name] = _sequence(response_name, library[response_name])
    return TestCase(test_case, responses)


def _sequence(name: str, spec: Any) -> tuple[MockResponse, ...]:
    if not isinstance(spec, dict) or not spec:
        raise MockConfigError(f"mocked response '{name}' must be a non-empty object")
    ranges = sorted((_range(name, key), value) for key, value in spec.items())
    out: list[MockResponse] = []
    for (start, end), value in ranges:
        if start != len(out):
            raise MockConfigError(
                f"mocked response '{name}': attempts must be contiguous from 0; "
                f"expected {len(out)}, found {start}"
            )
        response = _response(name, value)
        out.extend([response] * (end - start + 1))
    return tuple(out)


def _range(name: str, key: str) -> tuple[int, int]:
    parts = key.strip().split("-")
    try:
        numbers = [int(part) for part in parts]
    except ValueError:
        raise MockConfigError(f"mocked response '{name}': '{key}' is not a number or range")
    if len(numbers) == 1:
        numbers.append(numbers[0])
    start, end = numbers[0], numbers[-1]
    if len(numbers) != 2 or start < 0 or end < start:
        raise MockConfigError(f"mocked response '{name}': invalid attempt range '{key}'")
    return start, end


def _response(name: str, value: Any) -> MockResponse:
    if isinstance(value, dict) and "Return" in value:
        return MockResponse(returns=value["Return"])
    if isinstance(value, dict) and isinstance(value.get("Throw"), dict):
        throw = value["Throw"]
        error = throw.get("Error")
        if not isinstance(error, str):
            raise MockConfigError(f"mocked response '{name}': Throw needs an 'Error' string")
        cause = throw.get("Cause")
        return MockResponse(error=error, cause=None if cause is None else str(cause))
    raise MockConfigError(f"mocked response '{name}': each entry needs 'Return' or 'Throw'")
