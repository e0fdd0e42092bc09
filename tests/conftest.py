"""Shared fixtures: tenants, one user per role, authenticated API clients."""

from __future__ import annotations

import pathlib

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import TenantFactory, UserFactory

PURE_DIRS = ("asl", "extraction")


def pytest_collection_modifyitems(config, items):
    """Tests of the pure libraries never touch a database: mark them so the
    PostgreSQL run of ``make test`` can leave them out."""
    for item in items:
        parts = pathlib.Path(str(item.fspath)).parts
        if "tests" in parts and parts[parts.index("tests") + 1] in PURE_DIRS:
            item.add_marker(pytest.mark.pure)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """argon2 is deliberately slow; tests that are not about hashing use a fast hasher.
    (``test_passwords_are_hashed_with_argon2`` checks the production setting.)"""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def tenant(db):
    return TenantFactory(slug="acme-corp", name="Acme Corporation")


@pytest.fixture
def other_tenant(db):
    return TenantFactory(slug="globex", name="Globex")


@pytest.fixture
def users(tenant):
    """One member per role in ``tenant``."""
    return {
        role: UserFactory(tenant=tenant, role=role, email=f"{role.lower()}@acme.test")
        for role in ("ADMIN", "MANAGER", "REVIEWER", "UPLOADER")
    }


@pytest.fixture
def outsider(other_tenant):
    return UserFactory(tenant=other_tenant, role="ADMIN", email="admin@globex.test")


def client_for(user) -> APIClient:
    from docuflow.accounts.services import issue_tokens

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_tokens(user)['access']}")
    return client


@pytest.fixture
def api():
    """``api(user)`` gives a client signed in as that user; ``api()`` an anonymous one."""

    def make(user=None) -> APIClient:
        return client_for(user) if user is not None else APIClient()

    return make
