"""``/api/v1/webhooks/``: ADMIN only, reads included.

Deliveries carry the status of every document of the tenant, restricted ones too, and
only ADMINs may see every restricted document; so only ADMINs see or manage webhooks.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from docuflow.accounts import roles
from docuflow.accounts.permissions import IsTenantMember
from docuflow.api.pagination import PageNumberPagination
from docuflow.webhooks import selectors, services
from docuflow.webhooks import serializers as s


class IsTenantAdmin(IsTenantMember):
    message = "Only an ADMIN may manage webhooks."

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and roles.at_least(
            request.user.role, roles.Role.ADMIN
        )


class WebhookListView(APIView):
    permission_classes = [IsTenantAdmin]

    @extend_schema(responses=s.WebhookSerializer(many=True))
    def get(self, request):
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(selectors.endpoints(request.user), request, view=self)
        return paginator.get_paginated_response(s.WebhookSerializer(page, many=True).data)

    @extend_schema(request=s.WebhookInputSerializer, responses={201: s.WebhookWithSecretSerializer})
    def post(self, request):
        data = s.WebhookInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint, secret = services.create_endpoint(
            request.user, request=request, **data.validated_data
        )
        body = s.WebhookWithSecretSerializer(endpoint, context={"secret": secret}).data
        return Response(body, status=status.HTTP_201_CREATED)


class WebhookDetailView(APIView):
    permission_classes = [IsTenantAdmin]

    @extend_schema(responses=s.WebhookSerializer)
    def get(self, request, pk):
        return Response(s.WebhookSerializer(selectors.endpoint(request.user, pk)).data)

    def _update(self, request, pk, partial: bool):
        endpoint = selectors.endpoint(request.user, pk)
        data = s.WebhookInputSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if not partial:
            changes = {
                "description": "",
                "event_types": [],
                "statuses": [],
                "active": True,
                **changes,
            }
        endpoint = services.update_endpoint(request.user, endpoint, request=request, **changes)
        return Response(s.WebhookSerializer(endpoint).data)

    @extend_schema(request=s.WebhookInputSerializer, responses=s.WebhookSerializer)
    def put(self, request, pk):
        return self._update(request, pk, partial=False)

    @extend_schema(request=s.WebhookInputSerializer, responses=s.WebhookSerializer)
    def patch(self, request, pk):
        return self._update(request, pk, partial=True)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        services.delete_endpoint(
            request.user, selectors.endpoint(request.user, pk), request=request
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveriesView(APIView):
    permission_classes = [IsTenantAdmin]

    @extend_schema(
        parameters=[s.DeliveryQuerySerializer], responses=s.WebhookDeliverySerializer(many=True)
    )
    def get(self, request, pk):
        query = s.DeliveryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = selectors.deliveries(request.user, pk, query.validated_data.get("status"))
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(s.WebhookDeliverySerializer(page, many=True).data)


class RotateSecretView(APIView):
    permission_classes = [IsTenantAdmin]

    @extend_schema(request=None, responses=s.WebhookWithSecretSerializer)
    def post(self, request, pk):
        endpoint = selectors.endpoint(request.user, pk)
        endpoint, secret = services.rotate_secret(request.user, endpoint, request=request)
        return Response(s.WebhookWithSecretSerializer(endpoint, context={"secret": secret}).data)


class TestView(APIView):
    """Send a ``ping`` event now (one attempt) and answer with its delivery."""

    permission_classes = [IsTenantAdmin]

    @extend_schema(request=None, responses=s.WebhookDeliverySerializer)
    def post(self, request, pk):
        endpoint = selectors.endpoint(request.user, pk)
        ping = services.send_test(request.user, endpoint, request=request)
        return Response(s.WebhookDeliverySerializer(ping).data)
