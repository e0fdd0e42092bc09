"""``/api/v1/workflows/``: the workflow behind each document, for the UI (seed 002).

Documents link to their current execution by ARN, so a workflow is visible exactly when
its document is: the same visibility rules (tenant, restricted documents) apply.
"""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from docuflow.accounts.permissions import IsTenantMember
from docuflow.api.fields import DateOrDateTimeField
from docuflow.documents import selectors
from docuflow.documents.models import Document
from docuflow.engine import selectors as engine_selectors
from docuflow.engine.models import Execution


class WorkflowQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Execution.Status.choices, required=False)
    to = DateOrDateTimeField(required=False, end_of_day=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = DateOrDateTimeField(required=False)
        return fields


class WorkflowSerializer(serializers.Serializer):
    document_id = serializers.UUIDField()
    document_title = serializers.CharField()
    execution_arn = serializers.CharField(source="arn")
    status = serializers.CharField()
    current_state = serializers.CharField()
    started_at = serializers.DateTimeField(source="start_date")
    stopped_at = serializers.DateTimeField(source="stop_date", allow_null=True)


def workflows_of(actor, status=None, started_from=None, started_to=None):
    documents = selectors.visible_documents(actor).exclude(workflow_arn="")
    linked = Document.objects.filter(tenant_id=actor.tenant_id, workflow_arn=OuterRef("arn"))
    executions = Execution.objects.filter(
        tenant_id=actor.tenant_id, arn__in=documents.values("workflow_arn")
    ).annotate(
        document_id=Subquery(linked.values("pk")[:1]),
        document_title=Subquery(linked.values("title")[:1]),
    )
    return engine_selectors.filter_executions(executions, status, started_from, started_to)


class WorkflowListView(generics.ListAPIView):
    permission_classes = [IsTenantMember]
    serializer_class = WorkflowSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=Execution.Status.values),
            OpenApiParameter("from", OpenApiTypes.DATETIME),
            OpenApiParameter("to", OpenApiTypes.DATETIME),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = WorkflowQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        return workflows_of(
            self.request.user, params.get("status"), params.get("from"), params.get("to")
        )


class WorkflowStatusSerializer(serializers.Serializer):
    document_id = serializers.UUIDField()
    execution_arn = serializers.CharField()
    current_state = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    started_at = serializers.DateTimeField()
    elapsed_seconds = serializers.IntegerField()
    states_history = serializers.ListField(child=serializers.DictField())


class WorkflowStatusView(APIView):
    permission_classes = [IsTenantMember]

    @extend_schema(responses=WorkflowStatusSerializer)
    def get(self, request, document_id):
        document = selectors.document(request.user, document_id)
        execution = Execution.objects.filter(
            tenant_id=request.user.tenant_id, arn=document.workflow_arn
        ).first()
        if not document.workflow_arn or execution is None:
            raise Http404("This document has no workflow.")
        end = execution.stop_date or timezone.now()
        body = {
            "document_id": document.pk,
            "execution_arn": execution.arn,
            "current_state": execution.current_state or None,
            "status": execution.status,
            "started_at": execution.start_date,
            "elapsed_seconds": int((end - execution.start_date).total_seconds()),
            "states_history": engine_selectors.states_history(execution),
        }
        return Response(WorkflowStatusSerializer(body).data)
