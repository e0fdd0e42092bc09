"""Sign-in, token refresh with rotation, logout, throttling."""

import time
from datetime import timedelta

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from docuflow.accounts.throttles import LoginAccountThrottle, LoginIPThrottle
from tests.factories import PASSWORD

LOGIN = "/api/v1/auth/login/"
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/tenants/me/"

pytestmark = pytest.mark.django_db


def login(api, email, password=PASSWORD):
    return api().post(LOGIN, {"email": email, "password": password}, format="json")


def test_login_returns_tokens_and_the_user(api, users):
    reviewer = users["REVIEWER"]
    response = login(api, reviewer.email.upper())  # e-mail is case-insensitive
    assert response.status_code == 200
    body = response.json()
    assert body["user"] == {
        "id": str(reviewer.id),
        "email": reviewer.email,
        "role": "REVIEWER",
        "tenant_id": "acme-corp",
    }
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert client.get(ME).json()["tenant_id"] == "acme-corp"


def test_access_token_lifetime_comes_from_settings(api, users):
    access = AccessToken(login(api, users["UPLOADER"].email).json()["access"])
    assert access["exp"] - access["iat"] == 900


@pytest.mark.parametrize(
    "payload",
    [
        {"email": "uploader@acme.test", "password": "wrong password"},
        {"email": "nobody@acme.test", "password": PASSWORD},
    ],
)
def test_wrong_credentials_are_401_without_telling_which(api, users, payload):
    response = api().post(LOGIN, payload, format="json")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Invalid email or password.",
        "status_code": 401,
        "code": "authentication_failed",
    }


def test_inactive_user_cannot_log_in(api, users):
    user = users["UPLOADER"]
    user.is_active = False
    user.save()
    assert login(api, user.email).status_code == 401


def test_missing_fields_are_422_with_field_errors(api, db):
    response = api().post(LOGIN, {"email": "not-an-email"}, format="json")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert set(body["errors"]) == {"email", "password"}


def test_expired_access_token_is_not_authenticated(api, users):
    token = AccessToken.for_user(users["UPLOADER"])
    token.set_exp(lifetime=timedelta(seconds=-1))
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_garbage_token_is_not_authenticated(api, db):
    client = api()
    client.credentials(HTTP_AUTHORIZATION="Bearer not.a.jwt")
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_refresh_rotates_and_a_used_refresh_token_is_rejected(api, users):
    first = login(api, users["MANAGER"].email).json()
    rotated = api().post(REFRESH, {"refresh": first["refresh"]}, format="json")
    assert rotated.status_code == 200
    assert set(rotated.json()) == {"access", "refresh"}
    assert rotated.json()["refresh"] != first["refresh"]

    reused = api().post(REFRESH, {"refresh": first["refresh"]}, format="json")
    assert reused.status_code == 401
    assert reused.json()["code"] == "authentication_failed"
    # The new one still works, once.
    assert api().post(REFRESH, {"refresh": rotated.json()["refresh"]}, format="json").status_code == 200


def test_access_token_is_not_a_refresh_token(api, users):
    tokens = login(api, users["MANAGER"].email).json()
    response = api().post(REFRESH, {"refresh": tokens["access"]}, format="json")
    assert response.status_code == 401


def test_refresh_of_deactivated_user_is_rejected(api, users):
    tokens = login(api, users["UPLOADER"].email).json()
    users["UPLOADER"].is_active = False
    users["UPLOADER"].save()
    assert api().post(REFRESH, {"refresh": tokens["refresh"]}, format="json").status_code == 401


def test_logout_blacklists_the_refresh_token(api, users):
    tokens = login(api, users["UPLOADER"].email).json()
    assert api().post(LOGOUT, {"refresh": tokens["refresh"]}, format="json").status_code == 204
    assert api().post(REFRESH, {"refresh": tokens["refresh"]}, format="json").status_code == 401
    assert api().post(LOGOUT, {"refresh": tokens["refresh"]}, format="json").status_code == 401


def test_login_is_throttled_per_account_with_retry_after(api, users, monkeypatch):
    monkeypatch.setattr(LoginAccountThrottle, "rate", "3/min", raising=False)
    email = users["UPLOADER"].email
    statuses = [login(api, email, "wrong").status_code for _ in range(3)]
    assert statuses == [401, 401, 401]
    blocked = login(api, email)  # even the right password waits
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "throttled"
    assert 1 <= int(blocked["Retry-After"]) <= 60
    # Another account from the same address is not blocked by this budget.
    assert login(api, users["REVIEWER"].email).status_code == 200


def test_login_is_throttled_per_address(api, users, monkeypatch):
    monkeypatch.setattr(LoginIPThrottle, "rate", "2/min", raising=False)
    assert login(api, "a@acme.test", "x").status_code == 401
    assert login(api, "b@acme.test", "x").status_code == 401
    response = login(api, users["UPLOADER"].email)
    assert response.status_code == 429
    assert "Retry-After" in response


def test_passwords_are_hashed_with_argon2(settings, users):
    from django.contrib.auth.hashers import make_password

    from docuflow import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    assert make_password("a fine password").startswith("argon2$argon2id$")


def test_token_carries_no_more_than_needed(api, users):
    access = AccessToken(login(api, users["ADMIN"].email).json()["access"])
    assert access["user_id"] == str(users["ADMIN"].id)
    assert access["exp"] > time.time()
