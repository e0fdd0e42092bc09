"""The per-process caches on the StartExecution path never outlive what they stand for.

Access keys are cached for ``keys.CACHE_SECONDS``: a revocation in this process is seen
at once, one made elsewhere (a plain UPDATE, as another process would leave it) within
the TTL. State machines are not cached across requests: the next start after an update
uses the new definition, whoever made the update.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from docuflow.accounts.models import User
from docuflow.engine.models import Execution, HistoryEvent, StateMachine, StateMachineRevision
from docuflow.sfnapi import keys
from docuflow.sfnapi.models import AccessKey
from tests.sfnapi.conftest import PASS_MACHINE, ROLE


def _code(exc: pytest.ExceptionInfo) -> str:
    return exc.value.response["Error"]["Code"]


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def monotonic(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(keys.time, "monotonic", clock)
    return clock


def test_revoked_key_stops_working_at_once_in_process(sfn, key):
    sfn.list_state_machines()  # cached now
    keys.revoke_access_key(key.key.id)
    with pytest.raises(ClientError) as exc:
        sfn.list_state_machines()
    assert _code(exc) == "UnrecognizedClientException"


def test_key_revoked_by_another_process_stops_working_within_the_ttl(sfn, key, monotonic):
    sfn.list_state_machines()
    AccessKey.objects.filter(pk=key.key.id).update(is_active=False)  # no signal: elsewhere
    monotonic.now += keys.CACHE_SECONDS / 2
    sfn.list_state_machines()  # still trusted, as documented
    monotonic.now += keys.CACHE_SECONDS
    with pytest.raises(ClientError) as exc:
        sfn.list_state_machines()
    assert _code(exc) == "UnrecognizedClientException"


def test_user_deactivated_elsewhere_stops_working_within_the_ttl(sfn, users, monotonic):
    sfn.list_state_machines()
    User.objects.filter(pk=users["ADMIN"].pk).update(is_active=False)
    monotonic.now += keys.CACHE_SECONDS + 0.1
    with pytest.raises(ClientError) as exc:
        sfn.list_state_machines()
    assert _code(exc) == "UnrecognizedClientException"


def test_cached_key_keeps_its_tenant(sfn, sfn_for, outsider):
    """Two keys of two tenants, both cached: each sees only its own machines."""
    other = sfn_for(outsider)
    mine = sfn.create_state_machine(name="m", definition=json.dumps(PASS_MACHINE), roleArn=ROLE)
    for _ in range(2):  # the second round is served from the cache
        assert [m["name"] for m in sfn.list_state_machines()["stateMachines"]] == ["m"]
        assert other.list_state_machines()["stateMachines"] == []
        with pytest.raises(ClientError) as exc:
            other.start_execution(stateMachineArn=mine["stateMachineArn"])
        assert _code(exc) == "StateMachineDoesNotExist"


def _output(sfn, machine_arn: str) -> dict:
    arn = sfn.start_execution(stateMachineArn=machine_arn)["executionArn"]
    described = sfn.describe_execution(executionArn=arn)
    assert described["status"] == "SUCCEEDED"
    return json.loads(described["output"])


def _pass(value: str) -> dict:
    return {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": value, "End": True}}}


def test_next_start_after_update_uses_the_new_definition(sfn):
    arn = sfn.create_state_machine(name="m", definition=json.dumps(_pass("one")), roleArn=ROLE)[
        "stateMachineArn"
    ]
    assert _output(sfn, arn) == "one"
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(_pass("two")))
    assert _output(sfn, arn) == "two"
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(_pass("three")))
    assert _output(sfn, arn) == "three"


def test_next_start_after_an_update_by_another_process_uses_it(sfn):
    arn = sfn.create_state_machine(name="m", definition=json.dumps(_pass("one")), roleArn=ROLE)[
        "stateMachineArn"
    ]
    assert _output(sfn, arn) == "one"
    machine = StateMachine.objects.get(arn=arn)
    revision = StateMachineRevision.objects.create(
        state_machine=machine, definition=json.dumps(_pass("two"))
    )
    StateMachine.objects.filter(pk=machine.pk).update(revision=revision)  # no signal, no cache
    assert _output(sfn, arn) == "two"


def test_deleted_machine_cannot_be_started(sfn):
    arn = sfn.create_state_machine(name="m", definition=json.dumps(_pass("one")), roleArn=ROLE)[
        "stateMachineArn"
    ]
    assert _output(sfn, arn) == "one"
    sfn.delete_state_machine(stateMachineArn=arn)
    with pytest.raises(ClientError) as exc:
        sfn.start_execution(stateMachineArn=arn)
    assert _code(exc) == "StateMachineDoesNotExist"


# --- The database threads of a live server (DOCUFLOW_SFN_DB_THREADS) -------------------------


@pytest.fixture
def db_threads(transactional_db, monkeypatch):
    """Calls run in pooled threads with their own connections: data must be committed."""
    from docuflow.sfnapi import views

    views.shutdown_db_threads()
    monkeypatch.setenv("DOCUFLOW_SFN_DB_THREADS", "2")
    yield views
    views.shutdown_db_threads()


def test_calls_in_db_threads_commit_and_reuse_connections(db_threads, users):
    from django.db import connection
    from django.test import Client

    from tests.sfnapi.conftest import boto_client

    new = keys.create_access_key(users["ADMIN"])
    sfn = boto_client(Client(), new.key.id, new.secret)
    arn = sfn.create_state_machine(name="m", definition=json.dumps(_pass("one")), roleArn=ROLE)[
        "stateMachineArn"
    ]
    for _ in range(3):
        assert _output(sfn, arn) == "one"
    pool = db_threads.thread_pool()

    def raw_connection(batch_size: int):  # called as the pool calls ``handle``
        return id(connection.connection)

    seen = {pool.submit(raw_connection).result() for _ in range(6)}
    assert len(seen) <= 2 and id(None) not in seen  # kept open, one per thread
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(_pass("two")))
    assert _output(sfn, arn) == "two"
    keys.revoke_access_key(new.key.id)
    with pytest.raises(ClientError) as exc:
        sfn.list_state_machines()
    assert _code(exc) == "UnrecognizedClientException"


def test_a_failed_call_in_a_db_thread_leaves_no_transaction_open(db_threads, sfn_for, users):
    sfn = sfn_for(users["ADMIN"])
    with pytest.raises(ClientError) as exc:
        sfn.start_execution(stateMachineArn="arn:aws:states:us-east-1:123456789012:stateMachine:x")
    assert _code(exc) == "StateMachineDoesNotExist"
    sfn.create_state_machine(name="after", definition=json.dumps(_pass("one")), roleArn=ROLE)
    # Committed, whichever pooled thread ran it: this test's own connection sees it.
    assert StateMachine.objects.filter(name="after").exists()


def test_calls_of_one_batch_commit_together_and_fail_alone(db_threads, sfn_for, users):
    """Group commit: the calls queued meanwhile share a transaction; each has a savepoint,
    so a call that fails (here on the unique execution name) undoes only its own work."""
    from concurrent.futures import ThreadPoolExecutor

    sfn = sfn_for(users["ADMIN"])
    arn = sfn.create_state_machine(name="m", definition=json.dumps(_pass("one")), roleArn=ROLE)[
        "stateMachineArn"
    ]

    def start(i: int) -> str:
        try:
            sfn.start_execution(stateMachineArn=arn, name=f"e{i % 20}", input="{}")
        except ClientError as error:
            return error.response["Error"]["Code"]
        return "started"

    with ThreadPoolExecutor(8) as clients:
        answers = list(clients.map(start, range(40)))  # each name twice
    # The machine ends at once, so a second start of a name is refused, as on AWS.
    assert sorted(set(answers)) == ["ExecutionAlreadyExists", "started"]
    assert answers.count("started") == 20
    executions = Execution.objects.filter(state_machine__arn=arn)
    assert executions.count() == 20
    assert {e.status for e in executions} == {"SUCCEEDED"}
    # Started, PassStateEntered, PassStateExited, Succeeded: nothing of the refused twins
    assert HistoryEvent.objects.filter(execution__in=executions).count() == 20 * 4


def test_a_call_alone_in_its_transaction_that_fails_leaves_nothing(
    db_threads, sfn_for, users, monkeypatch
):
    """Alone in a batch, a call has no savepoint: failing after a write, it rolls the
    batch's transaction back, and the commit after it keeps nothing of it."""
    from docuflow.engine import errors
    from docuflow.sfnapi.operations import OPERATIONS

    create = OPERATIONS["CreateStateMachine"]

    def create_then_fail(caller, params):
        create(caller, params)
        raise errors.InvalidDefinition("failed after its write")

    monkeypatch.setitem(OPERATIONS, "CreateStateMachine", create_then_fail)
    sfn = sfn_for(users["ADMIN"])
    with pytest.raises(ClientError) as exc:
        sfn.create_state_machine(name="gone", definition=json.dumps(_pass("one")), roleArn=ROLE)
    assert _code(exc) == "InvalidDefinition"
    assert not StateMachine.objects.filter(name="gone").exists()
    monkeypatch.setitem(OPERATIONS, "CreateStateMachine", create)
    sfn.create_state_machine(name="kept", definition=json.dumps(_pass("one")), roleArn=ROLE)
    assert StateMachine.objects.filter(name="kept").exists()


def test_a_connection_that_just_served_a_call_skips_the_health_check(transactional_db):
    """One round trip less per call on PostgreSQL; a quiet connection is checked (after an
    error, Django checks it itself: ``close_if_unusable_or_obsolete``)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from docuflow.sfnapi import views

    def connect() -> None:  # ``connection`` is per thread: look it up in the pool's
        connection.ensure_connection()

    def check_pending() -> bool:
        return not connection.health_check_done

    def age(seconds: float) -> None:
        connection._sfn_last_ok -= seconds

    with ThreadPoolExecutor(1) as thread:

        def call(func, *args):
            def with_care():  # as a database thread runs a batch
                views._before_calls()
                try:
                    return func(*args)
                finally:
                    views._after_calls()

            return thread.submit(with_care).result()

        call(connect)
        assert not call(check_pending)  # served a call just now
        thread.submit(age, views.HEALTHY_SECONDS + 1).result()  # between calls
        assert call(check_pending)  # quiet for longer: checked before use
        thread.submit(lambda: connection.close()).result()
