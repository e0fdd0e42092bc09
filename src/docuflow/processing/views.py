"""HTTP endpoints of the processing stage. Thin: parse, call a selector or service, answer."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from docuflow.accounts.permissions import CanManage, CanManageOrReadOnly, IsTenantMember
from docuflow.api.pagination import PageNumberPagination
from docuflow.documents import selectors as documents
from docuflow.documents.serializers import DocumentSerializer
from docuflow.processing import selectors, services
from docuflow.processing import serializers as s


class ExtractionView(APIView):
    """``GET /documents/{id}/extraction/``: the current version's extraction, with boxes."""

    permission_classes = [IsTenantMember]

    @extend_schema(responses=s.ExtractionSerializer)
    def get(self, request, pk):
        found = selectors.extraction_for(request.user, pk)
        return Response(s.ExtractionSerializer(found).data)


class RerunView(APIView):
    """``POST /documents/{id}/extraction/rerun/``: a fresh run of the document's workflow."""

    permission_classes = [CanManage]

    @extend_schema(request=None, responses={202: DocumentSerializer})
    def post(self, request, pk):
        doc = documents.document(request.user, pk)
        services.rerun_extraction(request.user, doc, request)
        doc = documents.document(request.user, pk)
        return Response(
            DocumentSerializer(doc, context={"request": request}).data,
            status=status.HTTP_202_ACCEPTED,
        )


class RuleSetListView(APIView):
    permission_classes = [CanManageOrReadOnly]

    @extend_schema(parameters=[s.RuleSetQuerySerializer], responses=s.RuleSetSerializer(many=True))
    def get(self, request):
        query = s.RuleSetQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rule_sets = selectors.rule_sets(request.user)
        if query.validated_data.get("document_type"):
            rule_sets = rule_sets.filter(document_type=query.validated_data["document_type"])
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(rule_sets, request, view=self)
        return paginator.get_paginated_response(s.RuleSetSerializer(page, many=True).data)

    @extend_schema(request=s.RuleSetInputSerializer, responses={201: s.RuleSetSerializer})
    def post(self, request):
        data = s.RuleSetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rule_set = services.create_rule_set(request.user, request=request, **data.validated_data)
        return Response(s.RuleSetSerializer(rule_set).data, status=status.HTTP_201_CREATED)


class RuleSetDetailView(APIView):
    permission_classes = [CanManageOrReadOnly]

    @extend_schema(responses=s.RuleSetSerializer)
    def get(self, request, pk):
        return Response(s.RuleSetSerializer(selectors.rule_set(request.user, pk)).data)

    def _update(self, request, pk, partial: bool):
        rule_set = selectors.rule_set(request.user, pk)
        data = s.RuleSetInputSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if not partial:
            changes = {"rules": {}, "settings": {}, "confidence_threshold": None, **changes}
        rule_set = services.update_rule_set(request.user, rule_set, request=request, **changes)
        return Response(s.RuleSetSerializer(rule_set).data)

    @extend_schema(request=s.RuleSetInputSerializer, responses=s.RuleSetSerializer)
    def put(self, request, pk):
        return self._update(request, pk, partial=False)

    @extend_schema(request=s.RuleSetInputSerializer, responses=s.RuleSetSerializer)
    def patch(self, request, pk):
        return self._update(request, pk, partial=True)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        services.delete_rule_set(request.user, selectors.rule_set(request.user, pk), request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EffectiveRulesView(APIView):
    """``GET /extraction-rules/effective/?document_type=X``: defaults merged with the tenant's."""

    permission_classes = [IsTenantMember]

    @extend_schema(parameters=[s.EffectiveQuerySerializer], responses=s.EffectiveRulesSerializer)
    def get(self, request):
        query = s.EffectiveQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        answer = selectors.effective_rules_for(request.user, query.validated_data["document_type"])
        return Response(s.EffectiveRulesSerializer(answer).data)
