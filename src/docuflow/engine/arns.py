"""Amazon Resource Names for state machines, executions and activities."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings

# AWS: 1-80 characters, no white space, brackets, wildcards, these specials or controls.
_BAD_NAME_CHARS = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")
_ARN_RE = re.compile(
    r"^arn:aws:states:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"(?P<kind>stateMachine|execution|activity|express):(?P<rest>.+)$"
)


def default_region() -> str:
    return getattr(settings, "DOCUFLOW_REGION", "us-east-1")


def state_machine(region: str, account: str, name: str) -> str:
    return f"arn:aws:states:{region}:{account}:stateMachine:{name}"


def execution(region: str, account: str, machine_name: str, name: str) -> str:
    return f"arn:aws:states:{region}:{account}:execution:{machine_name}:{name}"


def activity(region: str, account: str, name: str) -> str:
    return f"arn:aws:states:{region}:{account}:activity:{name}"


@dataclass(frozen=True)
class Arn:
    region: str
    account: str
    kind: str
    parts: tuple[str, ...]


def parse(arn: str) -> Arn | None:
    match = _ARN_RE.match(arn or "")
    if not match:
        return None
    return Arn(match["region"], match["account"], match["kind"], tuple(match["rest"].split(":")))


def valid_name(name: str) -> bool:
    """AWS's rule for state machine, execution and activity names."""
    return bool(name) and len(name) <= 80 and not _BAD_NAME_CHARS.search(name)
