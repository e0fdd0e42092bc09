"""URL map: REST API under /api/v1/, Step Functions API at /sfn, probes, docs, admin."""

from importlib import import_module
from pathlib import Path

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from docuflow.api.errors import json_error_view
from docuflow.api.health import healthz, readyz

PACKAGE_DIR = Path(__file__).resolve().parent


def _present(app: str) -> bool:
    # TEMPORARY while apps are written in parallel: mount the ones whose urls exist.
    return (PACKAGE_DIR / app / "urls.py").exists()


def _workflow_routes() -> list:
    if not _present("documents"):
        return []
    from docuflow.documents import workflow_api

    return [
        path("workflows/", workflow_api.WorkflowListView.as_view(), name="workflow-list"),
        path(
            "workflows/<uuid:document_id>/status/",
            workflow_api.WorkflowStatusView.as_view(),
            name="workflow-status",
        ),
    ]


api_v1 = [
    path("", include("docuflow.accounts.urls")),
    *_workflow_routes(),
    *[
        path("", include(f"docuflow.{app}.urls"))
        for app in ("documents", "audit", "processing", "approvals", "analytics")
        if _present(app)
    ],
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "schema/swagger-ui/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"
    ),
    path("schema/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
]

urlpatterns = [
    path("healthz", healthz),
    path("readyz", readyz),
    path("api/v1/", include(api_v1)),
    path("admin/", admin.site.urls),
]
if _present("sfnapi"):
    urlpatterns.append(path("sfn", include("docuflow.sfnapi.urls")))
if _present("documents") and hasattr(
    import_module("docuflow.documents.urls"), "signed_urlpatterns"
):
    urlpatterns.append(
        path("files/", include(import_module("docuflow.documents.urls").signed_urlpatterns))
    )

handler404 = json_error_view(404, "not_found", "Not found.")
handler500 = json_error_view(500, "internal_error", "An unexpected error occurred.")
handler403 = json_error_view(403, "permission_denied", "Forbidden.")
handler400 = json_error_view(400, "bad_request", "Bad request.")
