"""Business rules for tenants, members and sign-in. Views and the CLI call these."""

from __future__ import annotations

import secrets

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from rest_framework import exceptions
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from docuflow.accounts import roles
from docuflow.accounts.models import Tenant, User
from docuflow.api.errors import Conflict

DEMO_TENANT = "acme-corp"
DEMO_ACCOUNTS = [
    ("admin@acme-corp.docuflow.io", roles.Role.ADMIN),
    ("manager@acme-corp.docuflow.io", roles.Role.MANAGER),
    ("reviewer@acme-corp.docuflow.io", roles.Role.REVIEWER),
    ("user@acme-corp.docuflow.io", roles.Role.UPLOADER),
]


class InvalidCredentials(exceptions.AuthenticationFailed):
    default_detail = "Invalid email or password."


class InvalidRefreshToken(exceptions.AuthenticationFailed):
    default_detail = "The refresh token is invalid, expired or already used."


def _validation_error(error: DjangoValidationError, field: str) -> exceptions.ValidationError:
    return exceptions.ValidationError({field: list(error.messages)})


def generate_password() -> str:
    return secrets.token_urlsafe(15)


# --- Sign-in ---------------------------------------------------------------------------


def issue_tokens(user: User) -> dict:
    refresh = RefreshToken.for_user(user)
    # Informational claims for clients; the server re-reads role and tenant per request.
    refresh["tenant_id"] = user.tenant_id
    refresh["role"] = user.role or None
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def login(request, email: str, password: str) -> tuple[User, dict]:
    user = authenticate(request, username=email.strip().lower(), password=password)
    if user is None or not user.is_active:
        raise InvalidCredentials()
    return user, issue_tokens(user)


def _spend_refresh_token(raw: str) -> RefreshToken:
    """Verify a refresh token and blacklist it in one step; a second use fails.

    The blacklist row is the lock: of two concurrent uses of one token, only the one
    whose INSERT commits wins.
    """
    try:
        token = RefreshToken(raw)  # signature, expiry and blacklist checked here
    except TokenError:
        raise InvalidRefreshToken()
    try:
        with transaction.atomic():
            outstanding = OutstandingToken.objects.get(jti=token["jti"])
            BlacklistedToken.objects.create(token=outstanding)
    except (OutstandingToken.DoesNotExist, IntegrityError):
        raise InvalidRefreshToken()
    return token


def refresh(raw: str) -> dict:
    """Rotate: the old refresh token is spent, a new pair is issued for an active user."""
    token = _spend_refresh_token(raw)
    user = User.objects.filter(pk=token["user_id"], is_active=True).first()
    if user is None:
        raise InvalidRefreshToken()
    return issue_tokens(user)


def logout(raw: str) -> None:
    _spend_refresh_token(raw)


# --- Tenants -----------------------------------------------------------------------------


@transaction.atomic
def create_tenant(
    slug: str,
    name: str,
    admin_email: str,
    admin_password: str | None = None,
    documents_limit: int | None = None,
    plan: str | None = None,
) -> tuple[Tenant, User, str | None]:
    """Create a tenant and its first ADMIN. Returns the generated password, if any."""
    tenant = Tenant(slug=slug, name=name)
    if documents_limit is not None:
        tenant.documents_limit = documents_limit
    if plan:
        tenant.plan = plan
    try:
        tenant.full_clean()
    except DjangoValidationError as error:
        raise exceptions.ValidationError(error.message_dict)
    if Tenant.objects.filter(slug=slug).exists():
        raise Conflict(f"Tenant {slug!r} already exists.")
    tenant.save()
    _install_default_workflows(tenant)
    admin, generated = add_member(
        tenant, email=admin_email, role=roles.Role.ADMIN, password=admin_password
    )
    return tenant, admin, generated


def update_tenant(slug: str, documents_limit: int | None = None, plan: str | None = None) -> Tenant:
    tenant = Tenant.objects.get(slug=slug)
    if documents_limit is not None:
        tenant.documents_limit = documents_limit
    if plan is not None:
        tenant.plan = plan
    try:
        tenant.full_clean()
    except DjangoValidationError as error:
        raise exceptions.ValidationError(error.message_dict)
    tenant.save()
    return tenant


def _install_default_workflows(tenant: Tenant) -> None:
    """A new tenant's uploads run the shipped workflow from the start."""
    from docuflow.processing.services import ensure_default_workflow  # app above accounts

    ensure_default_workflow(tenant)


# --- Members -----------------------------------------------------------------------------


def add_member(
    tenant: Tenant, email: str, role: str, password: str | None = None
) -> tuple[User, str | None]:
    """Create a member. Without a password one is generated and returned, once."""
    email = email.strip().lower()
    generated = None
    if password is None:
        password = generated = generate_password()
    candidate = User(email=email, tenant=tenant, role=role)
    try:
        validate_password(password, user=candidate)
    except DjangoValidationError as error:
        raise _validation_error(error, "password")
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict("A user with this email already exists.")
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password, tenant=tenant, role=role)
    except IntegrityError:
        raise Conflict("A user with this email already exists.")
    return user, generated


def invite_member(actor: User, email: str, role: str, password: str | None) -> tuple[User, str | None]:
    if not roles.can_grant(actor.role, role):
        raise exceptions.PermissionDenied("You may not grant this role.")
    return add_member(actor.tenant, email=email, role=role, password=password)


def update_member(actor: User, member: User, role: str | None, is_active: bool | None) -> User:
    if member.pk == actor.pk:
        raise Conflict("You cannot change your own role or deactivate yourself.")
    if member.role == roles.Role.ADMIN and actor.role != roles.Role.ADMIN:
        raise exceptions.PermissionDenied("Only an ADMIN may change another ADMIN.")
    if role is not None and not roles.can_grant(actor.role, role):
        raise exceptions.PermissionDenied("You may not grant this role.")
    if role is not None:
        member.role = role
    if is_active is not None:
        member.is_active = is_active
    member.save(update_fields=["role", "is_active"])
    if is_active is False:
        _revoke_refresh_tokens(member)
    return member


def _revoke_refresh_tokens(user: User) -> None:
    """A deactivated member's outstanding refresh tokens stop working at once."""
    for token in OutstandingToken.objects.filter(user=user):
        BlacklistedToken.objects.get_or_create(token=token)


# --- Demo --------------------------------------------------------------------------------


@transaction.atomic
def create_demo(password: str | None) -> tuple[bool, str | None]:
    """Create tenant acme-corp with one account per role. Idempotent.

    Returns (created, generated_password). The password is the one given, or a fresh
    random one printed once by the caller; nothing is ever fixed in code.
    """
    if Tenant.objects.filter(slug=DEMO_TENANT).exists():
        return False, None
    tenant = Tenant.objects.create(
        slug=DEMO_TENANT, name="Acme Corporation", plan=Tenant.Plan.ENTERPRISE
    )
    _install_default_workflows(tenant)
    generated = None
    if not password:
        password = generated = generate_password()
    for email, role in DEMO_ACCOUNTS:
        if not User.objects.filter(email__iexact=email).exists():
            add_member(tenant, email=email, role=role, password=password)
    return True, generated
