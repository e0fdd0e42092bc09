"""Mounted by the project at ``sfn``: answers ``POST /sfn`` and ``POST /sfn/``.

(A character class rather than ``^/?`` keeps Django's leading-slash check quiet.)
"""

from django.urls import re_path

from docuflow.sfnapi.views import endpoint

urlpatterns = [re_path(r"^[/]?\Z", endpoint, name="sfn")]
