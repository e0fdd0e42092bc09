"""Read queries of the Step Functions API; every one is scoped to the caller's tenant."""

from __future__ import annotations

from django.db.models import QuerySet

from docuflow.accounts.models import Tenant
from docuflow.engine.models import Activity, Execution, HistoryEvent, StateMachine


def state_machines(tenant: Tenant) -> QuerySet[StateMachine]:
    return StateMachine.objects.filter(tenant=tenant).order_by("name")


def activities(tenant: Tenant) -> QuerySet[Activity]:
    return Activity.objects.filter(tenant=tenant).order_by("name")


def executions(machine: StateMachine, status: str | None = None) -> QuerySet[Execution]:
    query = Execution.objects.filter(tenant_id=machine.tenant_id, state_machine=machine)
    if status is not None:
        query = query.filter(status=status)
    return query.select_related("state_machine").order_by("-start_date", "-id")


def history(execution: Execution) -> QuerySet[HistoryEvent]:
    return HistoryEvent.objects.filter(execution=execution)
