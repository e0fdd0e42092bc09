"""The project's URL map plus the e-mail link pages at /approve/ (where the project mounts them)."""

from django.urls import include, path

from docuflow.approvals.urls import link_urlpatterns
from docuflow.urls import handler404, handler500  # noqa: F401
from docuflow.urls import urlpatterns as project

urlpatterns = list(project)
if not any(str(getattr(p, "pattern", "")) == "approve/" for p in project):
    urlpatterns.append(path("approve/", include(link_urlpatterns)))
