from django.urls import path, re_path

from docuflow.approvals import views

UUID = r"(?P<pk>[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12})"

urlpatterns = [
    path("approvals/", views.InboxView.as_view(), name="approvals-inbox"),
    path("approvals/settings/", views.SettingsView.as_view(), name="approvals-settings"),
    path("approvals/<uuid:pk>/", views.TaskDetailView.as_view(), name="approvals-task"),
    path("approvals/<uuid:pk>/claim/", views.ClaimView.as_view(), name="approvals-claim"),
    path("approvals/<uuid:pk>/unclaim/", views.UnclaimView.as_view(), name="approvals-unclaim"),
    path("approvals/<uuid:pk>/decide/", views.DecideView.as_view(), name="approvals-decide"),
    path(
        "documents/<uuid:pk>/approve/", views.DocumentApproveView.as_view(), name="document-approve"
    ),
    path("documents/<uuid:pk>/reject/", views.DocumentRejectView.as_view(), name="document-reject"),
    # The seed's routes (API Gateway style): with and without a trailing slash.
    re_path(
        r"^certification/request/?$",
        views.CertificationSubmitView.as_view(),
        name="certification-submit",
    ),
    re_path(
        rf"^certification/request/{UUID}/?$",
        views.CertificationDetailView.as_view(),
        name="certification-detail",
    ),
    re_path(
        rf"^certification/request/{UUID}/cancel/?$",
        views.CertificationCancelView.as_view(),
        name="certification-cancel",
    ),
    re_path(
        r"^certification/approval/?$",
        views.CertificationApprovalView.as_view(),
        name="certification-approval",
    ),
    re_path(
        r"^certification/requests/?$",
        views.CertificationListView.as_view(),
        name="certification-list",
    ),
]

# Mounted at /approve/ by the project's URL map (links.PREFIX).
link_urlpatterns = [
    path("<str:signed>/", views.LinkView.as_view(), name="approval-link"),
]
