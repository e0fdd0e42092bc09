"""Starting the workflow worker, embedded in ``serve`` or standalone.

The engine app provides the worker; this module is the one place the CLI asks for it.
"""

from __future__ import annotations

import importlib.util


def _engine_available() -> bool:
    return importlib.util.find_spec("docuflow.engine") is not None


def start_embedded_worker() -> None:
    if _engine_available():
        from docuflow.engine.worker import start_in_background

        start_in_background()


def run_worker_forever() -> None:
    if not _engine_available():
        raise SystemExit("error: this build has no workflow engine")
    from docuflow.engine.worker import run_forever

    run_forever()
