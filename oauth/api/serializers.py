"""Request and response shapes of the Authentication service (``/api/authentication/2017-09-01``)."""

from __future__ import annotations

import json
from typing import Any

from rest_framework import serializers

from accounts.access import Role
from core.api.errors import ApiError
from core.api.fields import AccountRefField, TypedInputSerializer

PASSWORD = "password"
REFRESH_TOKEN = "refresh_token"
AUTHORIZATION_CODE = "authorization_code"
CLIENT_CREDENTIALS = "client_credentials"
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
SUPPORTED_GRANTS = (PASSWORD, REFRESH_TOKEN, AUTHORIZATION_CODE, CLIENT_CREDENTIALS, TOKEN_EXCHANGE)
# What each grant needs in the body (client credentials may come from HTTP Basic instead).
_REQUIRED = {
    PASSWORD: ("username", "password"),
    REFRESH_TOKEN: ("refresh_token",),
    AUTHORIZATION_CODE: ("code",),
    CLIENT_CREDENTIALS: (),
    TOKEN_EXCHANGE: ("subject_token",),  # + requested_subject for Delegated Authentication
}


class TokenRequestSerializer(TypedInputSerializer):
    """``POST /token`` body, form or JSON. Only the fields the supported grants read; anything
    else a client sends (some clients add ``name``) is ignored. Every problem is an ``ApiError`` with a
    CloudLink name: MissingParameters or InvalidGrantType (400)."""

    grant_type = serializers.CharField(required=False, allow_blank=True, max_length=200)
    username = serializers.CharField(required=False, allow_blank=True, max_length=254)
    password = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, max_length=4096)
    account_id = AccountRefField(required=False, allow_blank=True)
    refresh_token = serializers.CharField(required=False, allow_blank=True, max_length=8192)
    token = serializers.CharField(required=False, allow_blank=True, max_length=8192)  # deprecated alias
    scope = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="client_credentials: only `read` and `write` (else 400 InvalidScope); the answer's "
        "scope is what the token is granted, `read write`. Other grants: echoed.",
    )
    client_id = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="authorization_code, client_credentials, token exchange (or HTTP Basic). On the "
        "password grant a registered application's client_id is refused (403 InvalidClient).",
    )
    client_secret = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=500
    )
    code = serializers.CharField(required=False, allow_blank=True, max_length=500)
    redirect_uri = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    code_verifier = serializers.CharField(required=False, allow_blank=True, max_length=200)
    subject_token = serializers.CharField(required=False, allow_blank=True, max_length=8192)
    subject_token_type = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="token exchange: `urn:ietf:params:oauth:token-type:id_token` or `...:jwt` exchanges "
        "a trusted issuer's token (`/trusted-issuers`) for the matching user's token; "
        "`...:access_token` (or none) is Delegated Authentication.",
    )
    requested_subject = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=254,
        help_text="Delegated Authentication (token exchange with an application's token): the user's "
        "userId or email.",
    )
    audience = serializers.CharField(required=False, allow_blank=True, max_length=500)

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            fields = sorted(set(exc.detail) - {"non_field_errors"}) if isinstance(exc.detail, dict) else []
            message = (
                f"These parameters must be strings: {', '.join(fields)}."
                if fields
                else "The request body must be a set of form fields or a JSON object."
            )
            raise ApiError(
                "MissingBodyInRequest" if not fields else "MissingParameters", message, 400
            ) from exc

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        grant = attrs.get("grant_type", "").strip().lower()  # some clients send "Password"
        if not grant:
            raise ApiError("MissingParameters", "The grant_type parameter is required.", 400)
        if grant not in SUPPORTED_GRANTS:
            raise ApiError(
                "InvalidGrantType",
                f"Unknown grant type '{attrs['grant_type'][:50]}'; use one of: {', '.join(SUPPORTED_GRANTS)}.",
                400,
            )
        attrs["grant_type"] = grant
        if grant == REFRESH_TOKEN:
            attrs["refresh_token"] = attrs.get("refresh_token") or attrs.get("token") or ""
        missing = [name for name in _REQUIRED[grant] if not attrs.get(name)]
        if missing:
            raise ApiError(
                "MissingParameters",
                f"The {grant} grant needs the parameter(s): {', '.join(missing)}.",
                400,
            )
        attrs["scope"] = " ".join(attrs.get("scope", "").split())
        return attrs


def token_representation(pair, *, scope: str, **extra: Any) -> dict[str, Any]:
    """The spec's ``token`` schema. Tokens without a refresh token (client_credentials, guest,
    delegated) still carry the spec's required ``refresh_token`` key, as an empty string."""
    return {
        "token_type": "bearer",
        "expires_in": pair.expires_in,
        "access_token": pair.access_token,
        "refresh_token": pair.refresh_token,
        "scope": scope or "read write",
        **extra,
    }


_INTERNAL_CLAIMS = frozenset({"typ", "jti"})


def claims_representation(claims: dict[str, Any]) -> dict[str, Any]:
    """The spec's ``claims`` schema (``GET /token``): the token's claims with every value a
    string, as CloudLink echoes them (``exp`` is typed string in the spec; typed client
    decoders also expect ``"false"`` and ``"1591690894"``)."""
    body = {}
    for key, value in claims.items():
        if key in _INTERNAL_CLAIMS or value is None:
            continue
        if isinstance(value, bool):
            body[key] = "true" if value else "false"
        elif isinstance(value, (list, dict)):
            body[key] = json.dumps(value)
        else:
            body[key] = str(value)
    return body


# --- documentation-only shapes (the OpenAPI document at <base>/_spec) ---------------------------


class TokenSerializer(serializers.Serializer):
    """The spec's ``token``."""

    token_type = serializers.CharField(help_text="Always `bearer`.")
    expires_in = serializers.IntegerField(help_text="Lifetime of the access token in seconds.")
    access_token = serializers.CharField(help_text="RS256 JWT with CloudLink's claims.")
    refresh_token = serializers.CharField(
        help_text="Single-use: every refresh returns a new one (a guest's too: it is the guest's only "
        "way to more tokens for its principalId). Empty for client_credentials and delegated tokens "
        "(they are not refreshable)."
    )
    scope = serializers.CharField()
    issued_token_type = serializers.CharField(required=False, help_text="Token exchange only.")


class AuthorizeRequestSerializer(serializers.Serializer):
    """``POST /authorize`` body, form or JSON (the spec's form fields that this server reads)."""

    response_type = serializers.CharField(max_length=20, help_text="Always `code`.")
    client_id = serializers.CharField(max_length=200)
    username = serializers.CharField(max_length=254, help_text="The user's email.")
    password = serializers.CharField(max_length=4096)
    account_id = AccountRefField(required=False)
    redirect_uri = serializers.CharField(
        required=False, max_length=2000, help_text="Exactly a registered redirect URI."
    )
    scope = serializers.CharField(required=False, max_length=500)
    code_challenge = serializers.CharField(
        required=False, max_length=200, help_text="PKCE: base64url(SHA-256(verifier))."
    )
    code_challenge_method = serializers.CharField(
        required=False, max_length=20, help_text="`S256` (plain is refused)."
    )


class AuthCodeSerializer(serializers.Serializer):
    """The spec's ``authCode``."""

    code = serializers.CharField(help_text="Single use; expires after PORTAL_AUTHORIZATION_CODE_SECONDS.")


class AuthorizeErrorSerializer(serializers.Serializer):
    """/authorize errors: CloudLink's ``{name, message}`` plus OAuth's ``error`` fields."""

    name = serializers.CharField()
    message = serializers.CharField()
    error = serializers.CharField()
    error_description = serializers.CharField()


class GuestTokenRequestSerializer(serializers.Serializer):
    """``POST /guest/token`` body, form or JSON."""

    length_errors = {"name": "NameInvalid", "principalId": "PrincipalMissing"}  # as oauth.guests answers

    accountId = AccountRefField(help_text="GUID or account number.")  # noqa: N815
    name = serializers.CharField(max_length=100, help_text="The guest's display name.")
    principalId = serializers.CharField(  # noqa: N815
        required=False,
        max_length=128,
        help_text="Generated (`guest-<uuid>`) when absent. Not an email or a GUID; one already taken "
        "in the account is refused (its guest renews with its refresh_token).",
    )
    guestEmail = serializers.EmailField(required=False, max_length=254)  # noqa: N815
    client_id = serializers.CharField(required=False, max_length=200)


class ClaimsSerializer(serializers.Serializer):
    """The spec's ``claims``: the token's claims, every value a string."""

    principalId = serializers.CharField()  # noqa: N815 (CloudLink's wire names)
    accountId = serializers.CharField()  # noqa: N815
    role = serializers.ChoiceField(
        choices=[role.name for role in reversed(Role)]  # GLOBAL_ADMIN first, GUEST last
    )
    exp = serializers.CharField(help_text="Expiry, seconds since the epoch, as a string.")
    userId = serializers.CharField(required=False)  # noqa: N815
    email = serializers.CharField(required=False)
    iss = serializers.CharField(required=False)
    iat = serializers.CharField(required=False)


class ConflictSerializer(serializers.Serializer):
    """The spec's ``ConflictResponse``."""

    name = serializers.CharField(help_text="`MultipleMatching`")
    message = serializers.CharField()
    labels = serializers.ListField(child=serializers.CharField())


class JsonWebKeySetSerializer(serializers.Serializer):
    """The spec's ``jsonWebKeySet``."""

    keys = serializers.ListField(child=serializers.DictField())


class OAuthMetadataSerializer(serializers.Serializer):
    """The spec's ``oauthMetadata`` (RFC 8414)."""

    issuer = serializers.CharField()
    authorization_endpoint = serializers.CharField()
    token_endpoint = serializers.CharField()
    code_challenge_methods_supported = serializers.ListField(child=serializers.CharField())
    jwks_uri = serializers.CharField()
    response_types_supported = serializers.ListField(child=serializers.CharField())
    grant_types_supported = serializers.ListField(child=serializers.CharField())
    token_endpoint_auth_methods_supported = serializers.ListField(child=serializers.CharField())
