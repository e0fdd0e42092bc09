"""Tenants and users.

A tenant's slug is its primary key, so every tenant-owned row's ``tenant_id`` column
holds the public id (``acme-corp``) the API and the seed use.
"""

from __future__ import annotations

import secrets
import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

from docuflow.accounts.roles import Role

SLUG_VALIDATOR = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    "Use 1-50 lowercase letters, digits and inner hyphens.",
)


def new_account_id() -> str:
    """A 12-digit id, like an AWS account's, that names the tenant in workflow ARNs."""
    return f"{secrets.randbelow(9 * 10**11) + 10**11}"


class Tenant(models.Model):
    class Plan(models.TextChoices):
        FREE = "FREE", "Free"
        TEAM = "TEAM", "Team"
        ENTERPRISE = "ENTERPRISE", "Enterprise"

    slug = models.CharField(primary_key=True, max_length=50, validators=[SLUG_VALIDATOR])
    name = models.CharField(max_length=200)
    plan = models.CharField(max_length=20, choices=Plan.choices, default=Plan.TEAM)
    documents_limit = models.PositiveIntegerField(default=10_000, validators=[MinValueValidator(0)])
    account_id = models.CharField(max_length=12, unique=True, default=new_account_id, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug

    @property
    def tenant_id(self) -> str:
        return self.slug


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Tenant members have a tenant and a role; system superusers need neither."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True)
    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, null=True, blank=True, related_name="members"
    )
    role = models.CharField(max_length=20, choices=Role.choices, blank=True, default="")
    # The person who decides this user's certification requests, when not any MANAGER.
    manager = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    joined_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        indexes = [models.Index(fields=["tenant", "role"])]
        constraints = [
            models.CheckConstraint(
                name="member_has_role",
                condition=models.Q(tenant__isnull=True) | ~models.Q(role=""),
            )
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def tenant_slug(self) -> str | None:
        return self.tenant_id
