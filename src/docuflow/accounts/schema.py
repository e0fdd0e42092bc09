"""OpenAPI description of our bearer authentication (imported in AppConfig.ready)."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class BearerScheme(SimpleJWTScheme):
    target_class = "docuflow.accounts.authentication.BearerAuthentication"
    name = "bearerAuth"
