"""Read models and settings the web client needs, built on the other apps' services.

- ``GET documents/counts/``: how many visible documents are in each status (the
  dashboard's tiles; the analytics API is for managers only).
- ``GET documents/{id}/workflow-graph/``: the document's current execution with the
  definition it runs (its revision, not the machine's newest) and each state entered
  with its duration, so the client can draw the path.

Workflow definitions and their bindings to document types are the processing app's
(``/api/v1/workflow-definitions/``, ``/api/v1/workflow-bindings/``).
"""

from __future__ import annotations

import json

from django.db.models import Count
from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from docuflow.accounts.permissions import IsTenantMember
from docuflow.documents import selectors as documents
from docuflow.documents.models import Document
from docuflow.engine import selectors as engine_selectors
from docuflow.engine.models import Execution

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
