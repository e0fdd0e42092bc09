"""Read models and settings the web client needs, built on the other apps' services.

- ``GET documents/counts/``: how many visible documents are in each status (the
  dashboard's tiles; the analytics API is for managers only).
- ``GET documents/{id}/workflow-graph/``: the document's current execution with the
  definition it runs (its revision, not the machine's newest) and each state entered
  with its duration, so the client can draw the path.
- ``GET workflow-definitions/``: the tenant's workflow per document type; ``POST
  workflow-definitions/validate/`` checks a definition as ValidateStateMachineDefinition
  does; ``POST workflow-definitions/activate/`` (MANAGER, ADMIN) stores it as the
  tenant's machine for that type and binds it, so the next upload of that type runs it.
"""

from __future__ import annotations

import json

from django.db import transaction
from django.db.models import Count
from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from docuflow.accounts.permissions import CanManage, IsTenantMember
from docuflow.api.errors import UnprocessableEntity
from docuflow.audit import services as audit
from docuflow.documents import selectors as documents
from docuflow.documents import services as document_services
from docuflow.documents.models import Document, DocumentWorkflow
from docuflow.engine import selectors as engine_selectors
from docuflow.engine import services as engine
from docuflow.engine.models import Execution, StateMachine

MAX_DEFINITION_BYTES = 1_048_576


def _parsed(definition: str):
    try:
        return json.loads(definition)
    except ValueError:
        return None


class CountsView(APIView):
    permission_classes = [IsTenantMember]

    @extend_schema(
        responses=inline_serializer(
            "DocumentCounts",
            {"total": serializers.IntegerField(), "by_status": serializers.DictField()},
        )
    )
    def get(self, request):
        rows = (
            documents.visible_documents(request.user)
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
        )
        by_status = {status: 0 for status in Document.Status.values}
        by_status.update(dict(rows))
        return Response({"total": sum(by_status.values()), "by_status": by_status})


class WorkflowGraphView(APIView):
    permission_classes = [IsTenantMember]

    @extend_schema(
        responses=inline_serializer("WorkflowGraph", {"definition": serializers.DictField()})
    )
    def get(self, request, pk):
        document = documents.document(request.user, pk)
        execution = (
            Execution.objects.filter(tenant_id=request.user.tenant_id, arn=document.workflow_arn)
            .select_related("revision", "state_machine")
            .first()
            if document.workflow_arn
            else None
        )
        if execution is None:
            raise Http404("This document has no workflow.")
        return Response(
            {
                "document_id": str(document.pk),
                "document_status": document.status,
                "state_machine": {
                    "name": execution.state_machine.name,
                    "arn": execution.state_machine.arn,
                },
                "execution": {
                    "arn": execution.arn,
                    "name": execution.name,
                    "status": execution.status,
                    "current_state": execution.current_state or None,
                    "started_at": execution.start_date,
                    "stopped_at": execution.stop_date,
                    "error": execution.error,
                    "cause": execution.cause,
                },
                "definition": _parsed(execution.revision.definition),
                "states": engine_selectors.states_history(execution),
            }
        )


# --- workflow definitions per document type ------------------------------------------------


def _binding_row(document_type: str | None, binding: DocumentWorkflow | None) -> dict:
    machine = binding.state_machine if binding else None
    return {
        "document_type": document_type,
        "inherited": binding is None,
        "state_machine": (
            {
                "name": machine.name,
                "arn": machine.arn,
                "updated_at": machine.updated_at,
            }
            if machine
            else None
        ),
        "definition": _parsed(machine.revision.definition) if machine else None,
    }


class DefinitionInput(serializers.Serializer):
    document_type = serializers.ChoiceField(
        choices=Document.DocumentType.choices, required=False, allow_null=True
    )
    definition = serializers.CharField(max_length=MAX_DEFINITION_BYTES, trim_whitespace=False)


class DefinitionListView(APIView):
    """Every document type with the workflow its uploads start (``null``: the default)."""

    permission_classes = [IsTenantMember]

    def get(self, request):
        bindings = {
            b.document_type: b
            for b in DocumentWorkflow.objects.filter(
                tenant_id=request.user.tenant_id
            ).select_related("state_machine__revision")
        }
        rows = [_binding_row(None, bindings.get(None))]
        rows += [_binding_row(t, bindings.get(t)) for t in Document.DocumentType.values]
        return Response({"results": rows})


class DefinitionValidateView(APIView):
    permission_classes = [IsTenantMember]

    @extend_schema(request=DefinitionInput)
    def post(self, request):
        data = DefinitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        diagnostics = engine.check_definition(data.validated_data["definition"])
        return Response({"valid": not diagnostics, "diagnostics": diagnostics})


def machine_name(document_type: str | None) -> str:
    return f"docuflow-workflow-{(document_type or 'default').lower()}"


class DefinitionActivateView(APIView):
    """Store the definition as this tenant's machine for the type and bind it.

    The machine is the tenant's own ``docuflow-workflow-<type>``, never a shipped one, so
    a DocuFlow upgrade that refreshes shipped definitions leaves it alone. Running
    executions keep the revision they started with.
    """

    permission_classes = [CanManage]

    @extend_schema(request=DefinitionInput)
    def post(self, request):
        data = DefinitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        definition = data.validated_data["definition"]
        document_type = data.validated_data.get("document_type") or None
        diagnostics = engine.check_definition(definition)
        if diagnostics:
            raise UnprocessableEntity(
                {"definition": [f"{d['message']} ({d['location']})" for d in diagnostics]}
            )
        tenant = request.user.tenant
        name = machine_name(document_type)
        with transaction.atomic():
            machine = StateMachine.objects.filter(tenant=tenant, name=name).first()
            if machine is None:
                machine = engine.create_state_machine(tenant, name, definition)
            else:
                machine = engine.update_state_machine(machine, definition=definition)
            binding = document_services.bind_workflow(tenant, machine, document_type)
            audit.record(
                tenant=tenant,
                actor=request.user,
                action="workflow.activate",
                object_type="state_machine",
                object_id=machine.pk,
                request=request,
                details={"document_type": document_type, "arn": machine.arn},
            )
        binding = DocumentWorkflow.objects.select_related("state_machine__revision").get(
            pk=binding.pk
        )
        return Response(_binding_row(document_type, binding))
