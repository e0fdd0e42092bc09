"""Routes of the processing stage (mounted under ``/api/v1/``)."""

from django.urls import path

from docuflow.processing import views

urlpatterns = [
    path(
        "documents/<uuid:pk>/extraction/",
        views.ExtractionView.as_view(),
        name="document-extraction",
    ),
    path(
        "documents/<uuid:pk>/extraction/rerun/",
        views.RerunView.as_view(),
        name="document-extraction-rerun",
    ),
    path("extraction-rules/", views.RuleSetListView.as_view(), name="extraction-rules"),
    path(
        "extraction-rules/effective/",
        views.EffectiveRulesView.as_view(),
        name="extraction-rules-effective",
    ),
    path(
        "extraction-rules/<uuid:pk>/",
        views.RuleSetDetailView.as_view(),
        name="extraction-rules-detail",
    ),
]
