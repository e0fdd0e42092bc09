"""Live: a real ``docuflow serve`` process, driven by boto3 and by the AWS CLI.

The server gets its own data directory (and, when the suite runs on PostgreSQL, its own
fresh database), is migrated, and gets a tenant, a user and an access key through the
``docuflow`` command, exactly as an operator would set it up.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.sfnapi.conftest import CALLBACK_MACHINE, ROLE, activity_machine, assert_shape

pytestmark = pytest.mark.live

BIN = Path(sys.executable).parent
REGION = "us-west-2"
EMAIL = "ops@live.test"


# An Express machine whose one task runs the built-in docuflow-echo function.
ECHO_MACHINE = {
    "StartAt": "Echo",
    "States": {
        "Echo": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "docuflow-echo", "Payload.$": "$"},
            "OutputPath": "$.Payload",
            "End": True,
        }
    },
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _docuflow(env: dict, *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "docuflow"), *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"docuflow {' '.join(args)}: {done.stderr}"
    return done.stdout


class _Database:
    """SQLite in the data directory, or a fresh PostgreSQL database when the suite uses one."""

    def __init__(self) -> None:
        self.url = None
        self.admin_url = None
        base = os.environ.get("DATABASE_URL", "")
        if base.startswith(("postgres://", "postgresql://")):
            parts = urlsplit(base)
            name = f"{parts.path.lstrip('/') or 'docuflow'}_sfnlive_{secrets.token_hex(4)}"
            self.name = name
            self.admin_url = urlunsplit(parts._replace(path="/postgres"))
            self.url = urlunsplit(parts._replace(path=f"/{name}"))

    def create(self) -> None:
        if self.admin_url:
            import psycopg

            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        if self.admin_url:
            import psycopg

            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("sfn-live")
    database = _Database()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "DJANGO_", "PYTEST_"))
        and key not in ("DATABASE_URL", "SECRET_KEY", "DEBUG")
    }
    env.update(DOCUFLOW_DATA_DIR=str(data), LOG_LEVEL="WARNING", DOCUFLOW_WORKER_POLL_SECONDS="0.2")
    if database.url:
        env["DATABASE_URL"] = database.url
    database.create()
    process = None
    log = (data / "server.log").open("w")
    try:
        _docuflow(env, "migrate", "--verbosity", "0")
        # The server starts (collectstatic, uvicorn) while the operator's commands run.
        port = _free_port()
        process = subprocess.Popen(
            [str(BIN / "docuflow"), "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        _docuflow(
            env,
            "tenant",
            "create",
            "live",
            "--name",
            "Live",
            "--admin-email",
            EMAIL,
            # One argument: a random password may start with "-", which argparse would
            # take for an option.
            f"--admin-password={secrets.token_urlsafe(16)}",
        )
        credentials = json.loads(_docuflow(env, "access-key", "create", "--user", EMAIL, "--json"))
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start:\n{(data / 'server.log').read_text()}")
            time.sleep(0.2)
        yield {
            "endpoint": f"{base}/sfn",
            "key": credentials["AccessKeyId"],
            "secret": credentials["SecretAccessKey"],
            "log": data / "server.log",
        }
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()
        database.drop()


def _check_shape(operation_model, response_dict, **_):
    if response_dict["status_code"] == 200:
        body = json.loads(response_dict["body"])
        assert_shape(body, operation_model.output_shape, operation_model.name)


def _client(server, **config):
    client = boto3.client(
        "stepfunctions",
        endpoint_url=server["endpoint"],
        region_name=REGION,
        aws_access_key_id=server["key"],
        aws_secret_access_key=server["secret"],
        config=Config(**{"retries": {"total_max_attempts": 1}, **config}),
    )
    client.meta.events.register("before-parse", _check_shape)
    return client


@pytest.fixture(scope="module")
def sfn(server):
    return _client(server)


def _wait(predicate, timeout: float = 15, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {message}")


def _submitted_token(sfn, execution_arn: str):
    for event in sfn.get_execution_history(executionArn=execution_arn)["events"]:
        if event["type"] == "TaskSubmitted":
            return json.loads(event["taskSubmittedEventDetails"]["output"])["Payload"]["token"]
    return None


def _status(sfn, execution_arn: str) -> str:
    return sfn.describe_execution(executionArn=execution_arn)["status"]


def test_boto3_callback_round_trip(sfn):
    arn = sfn.create_state_machine(
        name="boto-callback", definition=json.dumps(CALLBACK_MACHINE), roleArn=ROLE
    )["stateMachineArn"]
    assert f":{REGION}:" in arn
    execution = sfn.start_execution(stateMachineArn=arn, input='{"doc": "d-42"}')["executionArn"]
    token = _wait(lambda: _submitted_token(sfn, execution), message="the task token")
    assert _status(sfn, execution) == "RUNNING"
    history = sfn.get_execution_history(executionArn=execution)["events"]
    scheduled = next(e for e in history if e["type"] == "TaskScheduled")
    details = scheduled["taskScheduledEventDetails"]
    assert details["resource"] == "invoke.waitForTaskToken"
    assert json.loads(details["parameters"])["Payload"]["doc"] == "d-42"
    sfn.send_task_success(taskToken=token, output='{"approved": true}')
    described = sfn.describe_execution(executionArn=execution)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"approved": True}
    with pytest.raises(ClientError) as exc:
        sfn.send_task_success(taskToken=token, output="{}")
    assert exc.value.response["Error"]["Code"] == "TaskTimedOut"


def test_aws_cli(server, sfn, tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AWS_") and key != "DATABASE_URL"
    }
    env.update(
        AWS_ACCESS_KEY_ID=server["key"],
        AWS_SECRET_ACCESS_KEY=server["secret"],
        AWS_DEFAULT_REGION=REGION,
        AWS_CONFIG_FILE=str(tmp_path / "none"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
        AWS_EC2_METADATA_DISABLED="true",
    )

    def command(*args: str) -> list[str]:
        return [str(BIN / "aws"), "stepfunctions", "--endpoint-url", server["endpoint"], *args]

    def aws(*args: str):
        done = subprocess.run(command(*args), env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else {}

    definition = tmp_path / "machine.json"
    definition.write_text(json.dumps(CALLBACK_MACHINE))
    arn = aws(
        "create-state-machine",
        "--name",
        "cli-callback",
        "--definition",
        f"file://{definition}",
        "--role-arn",
        ROLE,
    )["stateMachineArn"]
    execution = aws("start-execution", "--state-machine-arn", arn, "--input", '{"doc": "cli"}')[
        "executionArn"
    ]
    _wait(lambda: _submitted_token(sfn, execution), message="the task token")
    events = aws("get-execution-history", "--execution-arn", execution)["events"]
    submitted = next(e for e in events if e["type"] == "TaskSubmitted")
    task_token = json.loads(submitted["taskSubmittedEventDetails"]["output"])["Payload"]["token"]
    aws("send-task-success", "--task-token", task_token, "--task-output", '{"ok": 1}')
    described = aws("describe-execution", "--execution-arn", execution)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"ok": 1}

    # Errors reach the CLI with their AWS names; start-sync-execution works once the
    # "sync-" host prefix is turned off (three processes at once, to save time).
    express = sfn.create_state_machine(
        name="cli-express", definition=json.dumps(ECHO_MACHINE), roleArn=ROLE, type="EXPRESS"
    )["stateMachineArn"]
    sync = subprocess.Popen(
        command("start-sync-execution", "--state-machine-arn", express, "--input", '{"y": 1}'),
        env={**env, "AWS_DISABLE_HOST_PREFIX_INJECTION": "true"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wrong = {**env, "AWS_SECRET_ACCESS_KEY": "wrong" + server["secret"][5:]}
    failing = [
        subprocess.Popen(
            command("describe-execution", "--execution-arn", execution + "-nope"),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ),
        subprocess.Popen(
            command("list-state-machines"),
            env=wrong,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ),
    ]
    outcomes = [(p.communicate(timeout=60)[1], p.returncode) for p in failing]
    assert outcomes[0][1] != 0 and "ExecutionDoesNotExist" in outcomes[0][0]
    assert outcomes[1][1] != 0 and "InvalidSignatureException" in outcomes[1][0]
    out, err = sync.communicate(timeout=60)
    assert sync.returncode == 0, err
    synced = json.loads(out)
    assert synced["status"] == "SUCCEEDED"
    assert json.loads(synced["output"]) == {"y": 1}


def test_activity_worker_in_another_thread(server, sfn):
    activity = sfn.create_activity(name="live-review")["activityArn"]
    arn = sfn.create_state_machine(
        name="live-activity", definition=json.dumps(activity_machine(activity)), roleArn=ROLE
    )["stateMachineArn"]
    poller = _client(server, read_timeout=70)
    received: dict = {}

    def work() -> None:
        task = poller.get_activity_task(activityArn=activity, workerName="thread-worker")
        received.update(task)
        poller.send_task_success(
            taskToken=task["taskToken"], output=json.dumps({"seen": json.loads(task["input"])})
        )

    worker = threading.Thread(target=work)
    worker.start()
    time.sleep(0.5)  # the worker is now long-polling: other calls must not wait for it
    started = time.monotonic()
    assert sfn.list_activities()["activities"]
    assert time.monotonic() - started < 2
    execution = sfn.start_execution(stateMachineArn=arn, input='{"n": 1}')["executionArn"]
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert json.loads(received["input"]) == {"n": 1}
    _wait(lambda: _status(sfn, execution) == "SUCCEEDED", message="SUCCEEDED")
    output = json.loads(sfn.describe_execution(executionArn=execution)["output"])
    assert output == {"seen": {"n": 1}}


def test_one_token_answered_100_times_concurrently(server, sfn):
    arn = sfn.create_state_machine(
        name="live-race", definition=json.dumps(CALLBACK_MACHINE), roleArn=ROLE
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, input='{"doc": "race"}')["executionArn"]
    token = _wait(lambda: _submitted_token(sfn, execution), message="the task token")
    racer = _client(server, max_pool_connections=100, read_timeout=60)
    gate = threading.Barrier(100)

    def answer(index: int) -> str:
        gate.wait()
        try:
            racer.send_task_success(taskToken=token, output=json.dumps({"winner": index}))
            return "won"
        except ClientError as exc:
            return exc.response["Error"]["Code"]

    with ThreadPoolExecutor(max_workers=100) as pool:
        results = list(pool.map(answer, range(100)))
    assert results.count("won") == 1, results
    assert results.count("TaskTimedOut") == 99, results
    described = sfn.describe_execution(executionArn=execution)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["winner"] == results.index("won")
    types = [e["type"] for e in sfn.get_execution_history(executionArn=execution)["events"]]
    assert types.count("TaskSucceeded") == 1


def test_start_sync_execution_runs_tasks(server, sfn):
    arn = sfn.create_state_machine(
        name="live-sync", definition=json.dumps(ECHO_MACHINE), roleArn=ROLE, type="EXPRESS"
    )["stateMachineArn"]
    # AWS sends StartSyncExecution to a "sync-" host; a local endpoint has none.
    client = _client(server, inject_host_prefix=False)
    out = client.start_sync_execution(stateMachineArn=arn, input='{"x": 5}')
    assert out["status"] == "SUCCEEDED"
    assert json.loads(out["output"]) == {"x": 5}


def test_the_fast_path_answers_bad_requests_as_aws_does(server, sfn):
    """``/sfn`` is served in front of Django: its refusals keep AWS's shape."""
    base = server["endpoint"]
    wrong_method = httpx.get(base)
    assert wrong_method.status_code == 405 and wrong_method.headers["allow"] == "POST"
    assert wrong_method.json()["__type"] == "UnknownOperationException"
    unsigned = httpx.post(
        base,
        content=b"{}",
        headers={
            "X-Amz-Target": "AWSStepFunctions.ListStateMachines",
            "Content-Type": "application/x-amz-json-1.0",
        },
    )
    assert unsigned.status_code in (400, 403)
    assert unsigned.headers["x-amzn-requestid"] and "__type" in unsigned.json()
    assert unsigned.headers["x-content-type-options"] == "nosniff"
    huge = httpx.post(base, content=b"x" * (5 * 1024 * 1024))
    assert huge.status_code == 413
    assert huge.json()["__type"] == "RequestEntityTooLargeException"
    # Both spellings of the path reach the API; everything else is still Django's.
    assert sfn.list_state_machines()["stateMachines"] is not None
    slash = httpx.post(base + "/", content=b"{}")
    assert slash.status_code in (400, 403) and "__type" in slash.json()
    assert httpx.get(base.removesuffix("/sfn") + "/healthz").status_code == 200
