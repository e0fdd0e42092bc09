"""The database threads' batching pool (group commit), without a database."""

from __future__ import annotations

import threading
import time

import pytest

from docuflow.sfnapi.batching import BatchingPool

pytestmark = pytest.mark.pure


def _settle(batch) -> None:
    for future, func, args in batch:
        future.set_result(func(*args))


def _until(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def test_work_queued_while_a_batch_runs_is_taken_as_the_next_batches():
    gate, sizes = threading.Event(), []

    def run_batch(batch) -> None:
        sizes.append(len(batch))
        _settle(batch)

    pool = BatchingPool(1, run_batch, batch=4)
    first = pool.submit(gate.wait, 5)
    _until(lambda: sizes == [1])  # the thread is busy with the first call
    rest = [pool.submit(int, i) for i in range(6)]
    gate.set()
    assert first.result(5) is True
    assert [future.result(5) for future in rest] == list(range(6))
    pool.shutdown()
    assert sizes == [1, 4, 2]


def test_a_failing_batch_fails_each_of_its_calls_and_the_pool_goes_on():
    def run_batch(batch) -> None:
        if any(args == ("boom",) for _, _, args in batch):
            raise RuntimeError("commit failed")
        _settle(batch)

    pool = BatchingPool(1, run_batch, batch=8)
    failed = pool.submit(str, "boom")
    with pytest.raises(RuntimeError, match="commit failed"):
        failed.result(5)
    assert pool.submit(str, "fine").result(5) == "fine"
    pool.shutdown()


def test_shutdown_finishes_queued_work_and_runs_on_exit_in_every_thread():
    exits = []
    pool = BatchingPool(
        3, _settle, batch=2, on_exit=lambda: exits.append(threading.current_thread().name)
    )
    futures = [pool.submit(int, i) for i in range(10)]
    pool.shutdown()
    assert [future.result(0) for future in futures] == list(range(10))
    assert sorted(exits) == ["batch-0", "batch-1", "batch-2"]
