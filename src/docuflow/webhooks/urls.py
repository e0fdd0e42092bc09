"""Routes of the webhooks app (mounted under ``/api/v1/``)."""

from django.urls import path

from docuflow.webhooks import views

urlpatterns = [
    path("webhooks/", views.WebhookListView.as_view(), name="webhook-list"),
    path("webhooks/<uuid:pk>/", views.WebhookDetailView.as_view(), name="webhook-detail"),
    path(
        "webhooks/<uuid:pk>/deliveries/",
        views.WebhookDeliveriesView.as_view(),
        name="webhook-deliveries",
    ),
    path(
        "webhooks/<uuid:pk>/rotate-secret/",
        views.RotateSecretView.as_view(),
        name="webhook-rotate-secret",
    ),
    path("webhooks/<uuid:pk>/test/", views.TestView.as_view(), name="webhook-test"),
]
