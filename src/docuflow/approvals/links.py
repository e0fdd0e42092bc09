"""One-click approve/reject links in e-mails: signed, expiring, single-use, per recipient.

A link names an ``ApprovalLink`` row (the nonce: one per task and recipient), the action
and the expiry, signed with ``SECRET_KEY`` (``django.core.signing``, which honours
``SECRET_KEY_FALLBACKS``). Opening it (GET) only shows a confirmation page; the page's
form POST decides, so a mail scanner that follows links decides nothing. The task token
is never part of a link.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

from docuflow.approvals.models import ApprovalLink, HumanTask
from docuflow.engine import clock
from docuflow.queries import one_or_none

SALT = "docuflow.approvals.email-link"
# Mounted by the project's URL map at /approve/ (``approvals.urls.link_urlpatterns``).
PREFIX = "/approve/"
ACTIONS = {"approve": HumanTask.Status.APPROVED, "reject": HumanTask.Status.REJECTED}


class LinkForged(Exception):
    """Not a link we signed (403)."""


class LinkGone(Exception):
    """A genuine link that no longer works: used, expired, or the task is closed (410)."""


def sign(link: ApprovalLink, action: str) -> str:
    payload = {"l": str(link.pk), "a": action, "e": int(link.expires_at.timestamp())}
    return signing.dumps(payload, salt=SALT)


def url(link: ApprovalLink, action: str) -> str:
    return f"{settings.PUBLIC_URL}{PREFIX}{sign(link, action)}/"


def verify(signed: str) -> tuple[ApprovalLink, str]:
    """The link and action a signed value proves, or LinkForged / LinkGone."""
    try:
        data = signing.loads(signed, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkForged("This link is not valid.")
    if not isinstance(data, dict) or data.get("a") not in ACTIONS:
        raise LinkForged("This link is not valid.")
    link = one_or_none(
        ApprovalLink.objects.select_related("task", "task__tenant", "recipient").filter(
            pk=data.get("l")
        )
    )
    if link is None:
        raise LinkGone("This link no longer works.")
    if link.used_at is not None:
        raise LinkGone("This link has already been used.")
    if clock.now() >= link.expires_at or clock.now().timestamp() >= data.get("e", 0):
        raise LinkGone("This link has expired.")
    if link.task.status != HumanTask.Status.PENDING:
        raise LinkGone(f"This approval is closed ({link.task.get_status_display().lower()}).")
    if not link.recipient.is_active:
        raise LinkForged("This link is not valid.")
    return link, data["a"]
