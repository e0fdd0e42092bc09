"""Mounted last in the project's URL map: the client's API under ``api/v1/web/``, then
the built client for every path that no other app claims (``spa.SPA_PATTERN``)."""

from django.urls import include, path, re_path

from docuflow.web import api, session, spa

api_patterns = [
    path("session/login/", session.SessionLoginView.as_view(), name="web-session-login"),
    path("session/refresh/", session.SessionRefreshView.as_view(), name="web-session-refresh"),
    path("session/logout/", session.SessionLogoutView.as_view(), name="web-session-logout"),
    path("documents/counts/", api.CountsView.as_view(), name="web-document-counts"),
    path(
        "documents/<uuid:pk>/workflow-graph/",
        api.WorkflowGraphView.as_view(),
        name="web-workflow-graph",
    ),
]

urlpatterns = [
    path("api/v1/web/", include(api_patterns)),
    re_path(spa.SPA_PATTERN, spa.serve, name="web-spa"),
]
