"""Read queries over executions, scoped by the acting user's tenant."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from docuflow.engine import clock
from docuflow.engine.models import Execution, HistoryEvent


def executions_of(actor) -> QuerySet[Execution]:
    return Execution.objects.filter(tenant_id=actor.tenant_id).select_related("state_machine")


def filter_executions(
    query: QuerySet[Execution],
    status: str | None = None,
    started_from: datetime | None = None,
    started_to: datetime | None = None,
) -> QuerySet[Execution]:
    if status:
        query = query.filter(status=status)
    if started_from:
        query = query.filter(start_date__gte=started_from)
    if started_to:
        query = query.filter(start_date__lte=started_to)
    return query.order_by("-start_date")


def execution(actor, execution_id) -> Execution:
    return get_object_or_404(executions_of(actor), pk=execution_id)


def states_history(execution: Execution) -> list[dict]:
    """Each state the execution entered, with its outcome and duration in milliseconds."""
    rows = HistoryEvent.objects.filter(execution=execution).order_by("event_id")
    entered: list[dict] = []
    open_by_name: dict[str, dict] = {}
    for event in rows.only("type", "timestamp", "details"):
        name = _state_name(event.details)
        if event.type.endswith("StateEntered") and name is not None:
            row = {"state": name, "status": "RUNNING", "duration_ms": None, "_at": event.timestamp}
            entered.append(row)
            open_by_name[name] = row
        elif event.type.endswith("StateExited") and name in open_by_name:
            row = open_by_name.pop(name)
            row["status"] = "SUCCEEDED"
            row["duration_ms"] = _ms(event.timestamp - row["_at"])
    finished = execution.status != Execution.Status.RUNNING
    end = execution.stop_date or clock.now()
    for row in open_by_name.values():
        if finished:  # the execution ended inside this state
            row["status"] = "SUCCEEDED" if execution.status == "SUCCEEDED" else execution.status
            row["duration_ms"] = _ms(end - row["_at"])
    for row in entered:
        del row["_at"]
    return entered


def _state_name(details) -> str | None:
    if not details:
        return None
    for value in details.values():
        if isinstance(value, dict) and "name" in value:
            return value["name"]
    return None


def _ms(delta) -> int:
    return max(0, int(delta.total_seconds() * 1000))
