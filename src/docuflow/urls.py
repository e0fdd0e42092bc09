"""URL map: REST API under /api/v1/, Step Functions API at /sfn, signed links, probes, docs."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from docuflow.api.errors import json_error_view
from docuflow.api.health import healthz, readyz
from docuflow.approvals.urls import link_urlpatterns
from docuflow.documents import workflow_api
from docuflow.documents.urls import signed_urlpatterns

api_v1 = [
    path("", include("docuflow.accounts.urls")),
    path("", include("docuflow.documents.urls")),
    path("", include("docuflow.audit.urls")),
    path("", include("docuflow.processing.urls")),
    path("", include("docuflow.approvals.urls")),
    path("", include("docuflow.analytics.urls")),
    path("", include("docuflow.webhooks.urls")),
    path("workflows/", workflow_api.WorkflowListView.as_view(), name="workflow-list"),
    path(
        "workflows/<uuid:document_id>/status/",
        workflow_api.WorkflowStatusView.as_view(),
        name="workflow-status",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("schema/swagger-ui/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("schema/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
]

urlpatterns = [
    path("healthz", healthz),
    path("readyz", readyz),
    path("api/v1/", include(api_v1)),
    path("sfn", include("docuflow.sfnapi.urls")),
    # Signed links carry their own credential (no bearer token).
    path("files/", include(signed_urlpatterns)),
    path("approve/", include(link_urlpatterns)),
    path("admin/", admin.site.urls),
    # Last: the web client's endpoints and its SPA fallback (never /api/, /sfn, /files/ …).
    path("", include("docuflow.web.urls")),
]

handler404 = json_error_view(404, "not_found", "Not found.")
handler500 = json_error_view(500, "internal_error", "An unexpected error occurred.")
handler403 = json_error_view(403, "permission_denied", "Forbidden.")
handler400 = json_error_view(400, "bad_request", "Bad request.")
