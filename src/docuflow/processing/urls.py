"""Routes of the processing stage (mounted under ``/api/v1/``)."""

from django.urls import path

from docuflow.processing import definition_views as defs
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
    path("workflow-definitions/", defs.DefinitionListView.as_view(), name="workflow-definitions"),
    path("workflow-definitions/validate/", defs.ValidateView.as_view(), name="workflow-validate"),
    path(
        "workflow-definitions/<str:name>/",
        defs.DefinitionDetailView.as_view(),
        name="workflow-definition",
    ),
    path("workflow-bindings/", defs.BindingListView.as_view(), name="workflow-bindings"),
    path(
        "workflow-bindings/<str:document_type>/",
        defs.BindingDetailView.as_view(),
        name="workflow-binding",
    ),
]
