"""Threads that take queued work in batches: the database threads' group commit (views).

Each thread waits for work, then also takes whatever else is already waiting (up to
``batch`` items) and hands the lot to ``run_batch``, which settles every future. Under
load, calls queue while a batch runs, so the next batch is larger: one commit serves many
calls. When idle, a call runs alone, with no wait added.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future

Work = tuple[Future, Callable, tuple]


class BatchingPool:
    def __init__(
        self,
        threads: int,
        run_batch: Callable[[list[Work]], None],
        *,
        batch: int,
        on_exit: Callable[[], None] = lambda: None,
        name: str = "batch",
    ) -> None:
        self._queue: queue.SimpleQueue[Work | None] = queue.SimpleQueue()
        self._run_batch = run_batch
        self._batch = batch
        self._on_exit = on_exit
        self._threads = [
            threading.Thread(target=self._loop, name=f"{name}-{i}", daemon=True)
            for i in range(threads)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable, *args) -> Future:
        future: Future = Future()
        self._queue.put((future, fn, args))
        return future

    def shutdown(self) -> None:
        """Finish what is queued, then stop every thread (each runs ``on_exit`` first)."""
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join()

    def _loop(self) -> None:
        try:
            while (work := self._queue.get()) is not None:
                batch = [work]
                while len(batch) < self._batch:
                    try:
                        work = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if work is None:
                        self._queue.put(None)  # a stop: leave it for the next get
                        break
                    batch.append(work)
                self._run(batch)
        finally:
            self._on_exit()

    def _run(self, batch: list[Work]) -> None:
        try:
            self._run_batch(batch)
        except BaseException as exc:  # run_batch failed as a whole: every call hears of it
            for future, _, _ in batch:
                if not future.done():
                    future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
