"""Browser sign-in: the refresh token lives in an HttpOnly cookie, never in JavaScript.

The client keeps only the short-lived access token, in memory. On a page load, or when
the API answers 401, it asks ``refresh/`` for a new access token; the rotated refresh
token comes back as a new cookie. Sign-in, rotation and logout are the accounts app's
own services (and its login throttles), unchanged: these views only move the refresh
token between the JSON body and the cookie.

Cookie: ``HttpOnly`` (no script can read it), ``SameSite=Strict`` (no other site can make
the browser send it), ``Path`` limited to these endpoints (it rides on no other request),
``Secure`` over HTTPS. ``refresh/`` and ``logout/`` also require the ``X-DocuFlow-Session``
header, which a cross-site form cannot send, as a second CSRF defence.
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.tokens import AccessToken

from docuflow.accounts import services
from docuflow.accounts.models import User
from docuflow.accounts.serializers import LoginSerializer, SessionUserSerializer
from docuflow.accounts.views import LoginView

COOKIE = "docuflow_refresh"
COOKIE_PATH = "/api/v1/web/session/"
HEADER = "X-DocuFlow-Session"

SessionAnswer = inline_serializer(
    "WebSession", {"access": serializers.CharField(), "user": SessionUserSerializer()}
)


def _set_cookie(request, response: Response, refresh: str) -> None:
    response.set_cookie(
        COOKIE,
        refresh,
        max_age=int(settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"].total_seconds()),
        path=COOKIE_PATH,
        secure=request.is_secure() or getattr(settings, "PRODUCTION", False),
        httponly=True,
        samesite="Strict",
    )


def _clear_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path=COOKIE_PATH, samesite="Strict")


def _check_header(request) -> None:
    if request.headers.get(HEADER) != "1":
        raise exceptions.PermissionDenied(f"The {HEADER} header is required.")


def _no_store(response: Response) -> Response:
    response["Cache-Control"] = "no-store"
    return response


class SessionLoginView(LoginView):
    """``POST {email, password}`` → ``{access, user}`` and the refresh cookie."""

    @extend_schema(request=LoginSerializer, responses=SessionAnswer)
    def post(self, request):
        response = super().post(request)
        refresh = response.data.pop("refresh")
        _set_cookie(request, response, refresh)
        return _no_store(response)


class SessionRefreshView(APIView):
    """``POST`` with the cookie → a new access token and a rotated cookie."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(request=None, responses=SessionAnswer)
    def post(self, request):
        _check_header(request)
        raw = request.COOKIES.get(COOKIE)
        if not raw:
            raise exceptions.NotAuthenticated("You are not signed in.")
        try:
            tokens = services.refresh(raw)
        except exceptions.APIException:
            response = Response(
                {
                    "detail": "Your session has ended. Please sign in again.",
                    "status_code": 401,
                    "code": "authentication_failed",
                },
                status=status.HTTP_401_UNAUTHORIZED,
            )
            _clear_cookie(response)
            return _no_store(response)
        user = User.objects.get(pk=AccessToken(tokens["access"])["user_id"])
        response = Response({"access": tokens["access"], "user": SessionUserSerializer(user).data})
        _set_cookie(request, response, tokens["refresh"])
        return _no_store(response)


class SessionLogoutView(APIView):
    """``POST``: spends the refresh token (when there is one) and clears the cookie."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        _check_header(request)
        raw = request.COOKIES.get(COOKIE)
        if raw:
            try:
                services.logout(raw)
            except exceptions.APIException:
                pass  # already spent or expired: the session is over either way
        response = Response(status=status.HTTP_204_NO_CONTENT)
        _clear_cookie(response)
        return _no_store(response)
