"""The workflow definitions this app ships, installed per tenant on first use."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from docuflow.accounts.models import Tenant
from docuflow.engine import errors as engine_errors
from docuflow.engine import services as engine
from docuflow.engine.models import StateMachine

DEFINITIONS = Path(__file__).resolve().parent / "definitions"
CERTIFICATION_MACHINE = "certification-approval"


@cache
def definition(name: str) -> str:
    text = (DEFINITIONS / f"{name}.asl.json").read_text()
    json.loads(text)
    return text


def certification_machine(tenant: Tenant) -> StateMachine:
    """The tenant's certification workflow: the shipped one, unless the tenant replaced it
    (``UpdateStateMachine`` through the Step Functions API keeps the name)."""
    existing = (
        StateMachine.objects.select_related("revision", "tenant")
        .filter(tenant=tenant, name=CERTIFICATION_MACHINE)
        .first()
    )
    if existing is not None:
        return existing
    try:
        machine = engine.create_state_machine(
            tenant, CERTIFICATION_MACHINE, definition(CERTIFICATION_MACHINE)
        )
    except engine_errors.StateMachineAlreadyExists:  # created by a concurrent first request
        machine = StateMachine.objects.get(tenant=tenant, name=CERTIFICATION_MACHINE)
    return StateMachine.objects.select_related("revision", "tenant").get(pk=machine.pk)
