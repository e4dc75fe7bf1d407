"""API authentication: CloudLink bearer tokens (``Bearer <jwt>`` or a bare ``<jwt>``) and,
for the signed-in console user, the Django session (with CSRF)."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.request import Request

from accounts.authn import user_may_stay_signed_in
from accounts.models import User
from accounts.refresh import refresh_family_is_revoked
from accounts.tokens import TokenError, access_token_decode


def bearer_token_from(request: Request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "").strip()
    if not header:
        return None
    parts = header.split()
    if len(parts) == 2 and parts[0].lower() == "bearer":
        return parts[1]
    if len(parts) == 1 and parts[0].count(".") == 2:
        return parts[0]
    return None


class CloudLinkTokenAuthentication(BaseAuthentication):
    www_authenticate_realm = "cloudlink"

    def authenticate(self, request: Request):
        token = bearer_token_from(request)
        if token is None:
            if request.META.get("HTTP_AUTHORIZATION", "").strip().lower().startswith("basic "):
                return None
            if request.META.get("HTTP_AUTHORIZATION", "").strip():
                raise exceptions.AuthenticationFailed(
                    "The Authorization header does not hold a bearer token."
                )
            return None
        try:
            claims = access_token_decode(token)
        except TokenError as exc:
            raise exceptions.AuthenticationFailed(str(exc)) from exc
        user = (
            User.objects.select_related("account", "account__parent")
            .filter(user_id=claims.get("userId"))
            .first()
        )
        if user is None or not user_may_stay_signed_in(user):
            raise exceptions.AuthenticationFailed(
                "The user or account behind this token is no longer active."
            )
        if claims.get("sid") and refresh_family_is_revoked(claims["sid"]):
            raise exceptions.AuthenticationFailed("This sign-in was revoked; sign in again.")
        return user, claims

    def authenticate_header(self, request: Request) -> str:
        return f'Bearer realm="{self.www_authenticate_realm}"'


class ConsoleSessionAuthentication(SessionAuthentication):
    """Session auth for the signed-in console user; CSRF still applies to unsafe methods."""
