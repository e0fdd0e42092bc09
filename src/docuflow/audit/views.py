"""``GET /api/v1/audit/``: the tenant's audit log, for MANAGER and ADMIN."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics

from docuflow.accounts.permissions import CanManage
from docuflow.audit import selectors
from docuflow.audit.serializers import AuditEntrySerializer, AuditQuerySerializer


class AuditListView(generics.ListAPIView):
    permission_classes = [CanManage]
    serializer_class = AuditEntrySerializer

    def get_queryset(self):
        query = AuditQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        object_type, object_id = params.get("object", (None, None))
        return selectors.entries_for(
            self.request.user,
            object_type=object_type,
            object_id=object_id,
            actor_id=params.get("actor"),
            action=params.get("action"),
            created_from=params.get("from"),
            created_to=params.get("to"),
        )

    @extend_schema(parameters=[AuditQuerySerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
