"""Routes of the vault.

``urlpatterns`` go under ``/api/v1/``. ``signed_urlpatterns`` are the signed upload and
download URLs, which carry no bearer token; the project mounts them at ``/files/``.
"""

from django.urls import path

from docuflow.documents import views

urlpatterns = [
    path("documents/", views.DocumentListView.as_view(), name="document-list"),
    path("documents/pending/", views.PendingListView.as_view(), name="document-pending"),
    path("documents/<uuid:pk>/", views.DocumentDetailView.as_view(), name="document-detail"),
    path(
        "documents/<uuid:pk>/content/", views.DocumentContentView.as_view(), name="document-content"
    ),
    path(
        "documents/<uuid:pk>/complete/",
        views.DocumentCompleteView.as_view(),
        name="document-complete",
    ),
    path(
        "documents/<uuid:pk>/download-url/",
        views.DownloadUrlView.as_view(),
        name="document-download-url",
    ),
    path("documents/<uuid:pk>/download/", views.DownloadView.as_view(), name="document-download"),
    path(
        "documents/<uuid:pk>/versions/", views.VersionListView.as_view(), name="document-versions"
    ),
    path(
        "documents/<uuid:pk>/start-workflow/",
        views.StartWorkflowView.as_view(),
        name="document-start-workflow",
    ),
]

signed_urlpatterns = [
    path(
        "documents/<uuid:pk>/", views.SignedDownloadView.as_view(), name="docuflow-signed-download"
    ),
    path(
        "documents/<uuid:pk>/upload/",
        views.SignedUploadView.as_view(),
        name="docuflow-signed-upload",
    ),
]
