"""Fixtures of the Step Functions API tests.

``sfn`` is a real boto3 client whose HTTP requests are handed to Django's test client
instead of a socket: boto3 serializes and signs, our view verifies and answers, botocore
parses. ``raw`` sends hand-made (but properly signed) requests for the error paths.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, AWSResponse
from botocore.config import Config
from botocore.credentials import Credentials
from django.test import Client

from docuflow.engine.worker import Worker
from docuflow.sfnapi import keys
from docuflow.sfnapi.protocol import operation_model

ENDPOINT = "http://127.0.0.1:8000/sfn"
REGION = "eu-west-3"
ROLE = "arn:aws:iam::123456789012:role/docuflow"
ECHO_ARN = "arn:aws:lambda:us-east-1:123456789012:function:docuflow-echo"

PASS_MACHINE = {
    "StartAt": "Hello",
    "States": {
        "Hello": {"Type": "Pass", "Result": {"greeting": "hi"}, "ResultPath": "$.r", "End": True}
    },
}
CALLBACK_MACHINE = {
    "StartAt": "Ask",
    "States": {
        "Ask": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {
                "FunctionName": "docuflow-echo",
                "Payload": {"token.$": "$$.Task.Token", "doc.$": "$.doc"},
            },
            "End": True,
        }
    },
}


def activity_machine(activity_arn: str) -> dict:
    return {
        "StartAt": "Work",
        "States": {"Work": {"Type": "Task", "Resource": activity_arn, "End": True}},
    }


class _Raw:
    def __init__(self, content: bytes) -> None:
        self._content = content

    def stream(self, **_):
        yield self._content


def assert_shape(value, shape, where: str = "") -> None:
    """``value`` has exactly the members, types and enums of botocore's ``shape``."""
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(value, dict), f"{where}: not an object"
        unknown = set(value) - set(shape.members)
        assert not unknown, f"{where}: members not in {shape.name}: {sorted(unknown)}"
        missing = [name for name in shape.required_members if name not in value]
        assert not missing, f"{where}: {shape.name} misses {missing}"
        for name, member in value.items():
            assert member is not None, f"{where}.{name}: null"
            assert_shape(member, shape.members[name], f"{where}.{name}")
    elif kind == "list":
        assert isinstance(value, list), f"{where}: not a list"
        for index, item in enumerate(value):
            assert_shape(item, shape.member, f"{where}[{index}]")
    elif kind == "map":
        assert isinstance(value, dict), f"{where}: not a map"
        for key, item in value.items():
            assert_shape(item, shape.value, f"{where}.{key}")
    elif kind == "string":
        assert isinstance(value, str), f"{where}: not a string"
        assert not shape.enum or value in shape.enum, f"{where}: {value!r} not in {shape.enum}"
    elif kind in ("integer", "long"):
        assert isinstance(value, int) and not isinstance(value, bool), f"{where}: not an integer"
    elif kind == "boolean":
        assert isinstance(value, bool), f"{where}: not a boolean"
    elif kind == "timestamp":
        assert isinstance(value, (int, float)) and not isinstance(value, bool), f"{where}: date"


def _check_output(request, status: int, content: bytes) -> None:
    """Every successful answer in these tests is checked against botocore's output shape."""
    if status != 200:
        return
    target = request.headers.get("X-Amz-Target", b"")
    target = target.decode() if isinstance(target, bytes) else target
    output = operation_model(target.partition(".")[2]).output_shape
    assert_shape(json.loads(content), output, target)


def to_django(client: Client, request) -> AWSResponse:
    """Send a prepared botocore request through Django's test client."""
    url = urlsplit(request.url)
    meta: dict[str, str] = {}
    content_type = ""
    for name, value in request.headers.items():
        value = value.decode() if isinstance(value, bytes) else value
        lower = name.lower()
        if lower == "content-type":
            content_type = value
        elif lower != "content-length":
            meta["HTTP_" + name.upper().replace("-", "_")] = value
    meta.setdefault("HTTP_HOST", url.netloc)
    meta["CONTENT_TYPE"] = content_type  # the test client drops it when the body is empty
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    elif hasattr(body, "read"):
        body = body.read()
    response = client.generic(
        request.method,
        url.path + (f"?{url.query}" if url.query else ""),
        body,
        content_type,
        **meta,
    )
    _check_output(request, response.status_code, response.content)
    return AWSResponse(
        request.url, response.status_code, dict(response.headers), _Raw(response.content)
    )


def boto_client(client: Client, key_id: str, secret: str, region: str = REGION):
    sfn = boto3.client(
        "stepfunctions",
        endpoint_url=ENDPOINT,
        region_name=region,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        config=Config(retries={"total_max_attempts": 1}, inject_host_prefix=False),
    )
    sfn.meta.events.register("before-send", lambda request, **_: to_django(client, request))
    return sfn


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The ``users`` fixture sets passwords; argon2 would make each test ~2 s slower."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def key(users):
    return keys.create_access_key(users["ADMIN"])


@pytest.fixture
def sfn_for(db):
    """``sfn_for(user)``: a boto3 client signed with a new access key of ``user``."""

    def make(user, region: str = REGION):
        new = keys.create_access_key(user)
        return boto_client(Client(), new.key.id, new.secret, region)

    return make


@pytest.fixture
def sfn(key):
    return boto_client(Client(), key.key.id, key.secret)


def sign(
    body: bytes,
    target: str | None,
    key_id: str,
    secret: str,
    *,
    region: str = REGION,
    service: str = "states",
    content_type: str = "application/x-amz-json-1.0",
    url: str = ENDPOINT,
) -> AWSRequest:
    headers = {"Content-Type": content_type}
    if target is not None:
        headers["X-Amz-Target"] = target
    request = AWSRequest(method="POST", url=url, data=body, headers=headers)
    SigV4Auth(Credentials(key_id, secret), service, region).add_auth(request)
    return request


@pytest.fixture
def raw(key):
    """``raw(operation, body)`` → (status, parsed JSON) for a correctly signed request.

    ``body`` may be a dict (sent as JSON) or bytes (sent as is); ``target`` overrides the
    whole ``X-Amz-Target`` header; ``prepare`` may edit the signed request before it goes.
    """
    client = Client()

    def send(operation=None, body=b"{}", *, target=None, prepare=None, **sign_kwargs):
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        header = target if target is not None else f"AWSStepFunctions.{operation}"
        request = sign(data, header, key.key.id, key.secret, **sign_kwargs)
        if prepare is not None:
            prepare(request)
        response = to_django(client, request.prepare())
        return response.status_code, json.loads(response.content or b"null")

    return send


def drain(rounds: int = 50) -> None:
    worker = Worker()
    for _ in range(rounds):
        if worker.run_once() == 0:
            return
