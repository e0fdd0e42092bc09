"""Bearer JWT authentication for the REST API."""

from rest_framework import exceptions
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError


class ExpiredOrInvalidToken(exceptions.NotAuthenticated):
    default_detail = "The access token is invalid or expired."


class BearerAuthentication(JWTAuthentication):
    """simplejwt, with a bad or expired token reported as ``not_authenticated``.

    The seed's error table files "missing or expired JWT token" under one code, so the
    client has one thing to do: log in or refresh.
    """

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except (InvalidToken, TokenError):
            raise ExpiredOrInvalidToken()
