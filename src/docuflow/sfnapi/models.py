"""Access keys: the credentials boto3 and the AWS CLI sign Step Functions calls with.

SigV4 proves knowledge of the secret by an HMAC, so the server needs the secret itself,
not a hash of it. It is stored sealed (AES-GCM, key derived from ``SECRET_KEY``, see
``crypto.py``) and bound to its key id; the plain secret is shown once, at creation.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AccessKey(models.Model):
    # "AKIA" + 16 characters of A-Z2-7, as AWS formats access key ids.
    id = models.CharField(primary_key=True, max_length=20, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_keys"
    )
    sealed_secret = models.TextField(editable=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return self.id
