"""URL map: REST API under /api/v1/, probes, schema and docs, the admin."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from docuflow.api.errors import json_error_view
from docuflow.api.health import healthz, readyz

api_v1 = [
    path("", include("docuflow.accounts.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("schema/swagger-ui/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("schema/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
]

urlpatterns = [
    path("healthz", healthz),
    path("readyz", readyz),
    path("api/v1/", include(api_v1)),
    path("admin/", admin.site.urls),
]

handler404 = json_error_view(404, "not_found", "Not found.")
handler500 = json_error_view(500, "internal_error", "An unexpected error occurred.")
handler403 = json_error_view(403, "permission_denied", "Forbidden.")
handler400 = json_error_view(400, "bad_request", "Bad request.")
