from django.urls import path

from docuflow.analytics import views

urlpatterns = [
    path("analytics/summary/", views.SummaryView.as_view(), name="analytics-summary"),
    path("analytics/timeline/", views.TimelineView.as_view(), name="analytics-timeline"),
]
