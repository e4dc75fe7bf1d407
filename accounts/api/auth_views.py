"""Authentication service views: ``/token``, the JWKS and the authorization-server metadata.

Thin by design: the rules are in ``accounts.authn`` (who may sign in), ``accounts.refresh``
(token pairs, rotation, revocation) and ``accounts.tokens`` (signing, verification, keys).
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import tokens
from accounts.authn import InvalidCredentials, SignInError
from accounts.refresh import refresh_token_rotate, token_pair_issue
from portal.api.authentication import CloudLinkTokenAuthentication
from portal.api.errors import ApiError, error_response, error_responses

from .auth_serializers import (
    PASSWORD,
    SUPPORTED_GRANTS,
    ClaimsSerializer,
    ConflictSerializer,
    JsonWebKeySetSerializer,
    OAuthMetadataSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    claims_representation,
    token_representation,
)

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # RFC 6749 section 5.1


def _issuer(request: Request) -> str:
    return tokens.issuer_for(request.build_absolute_uri("/"))


SIGN_IN_THROTTLED_RETRY_MS = 60_000


def _password_sign_in(request: Request, params: dict):
    """Authenticate through allauth's adapter so failed password grants spend the same
    ``login_failed`` budget as the console's sign-in form (per email and per IP)."""
    from allauth.account.adapter import get_adapter
    from django.core.exceptions import ValidationError

    django_request = request._request
    try:
        user = get_adapter(django_request).authenticate(
            django_request,
            email=params["username"],
            password=params["password"],
            account=params.get("account_id") or None,
        )
    except ValidationError as exc:  # allauth's too_many_login_attempts
        raise SignInError(
            "TooManyRequests",
            "Too many failed sign-in attempts. Wait a few minutes and try again.",
            status.HTTP_429_TOO_MANY_REQUESTS,
        ) from exc
    if user is None:
        raise getattr(django_request, "sign_in_error", None) or InvalidCredentials()
    return user


def _sign_in_error(exc: SignInError) -> Response:
    # Returned, not raised: a reused refresh token's family revocation must stay committed
    # even if the request runs in a transaction (ATOMIC_REQUESTS) that errors roll back.
    extra = {"labels": []} if exc.status == status.HTTP_409_CONFLICT else {}
    response = error_response(exc.name, exc.message, exc.status, **extra)
    if exc.status == status.HTTP_429_TOO_MANY_REQUESTS:
        response["retry-after"] = str(SIGN_IN_THROTTLED_RETRY_MS)
    return response


class TokenView(APIView):
    """``POST /token`` issues tokens (grants password and refresh_token; 201 with the spec's
    ``token``); ``GET /token`` returns the caller's claims (the spec's ``claims``)."""

    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def _authenticates_by_body(self) -> bool:
        # POST authenticates by its body: a stale or garbage Authorization header (Postman
        # sends its collection-level bearer on this call too) must not turn it into a 401.
        return getattr(getattr(self, "request", None), "method", "GET") in ("POST", "OPTIONS")

    def get_authenticators(self):
        return [] if self._authenticates_by_body() else [CloudLinkTokenAuthentication()]

    def get_permissions(self):
        return [AllowAny()] if self._authenticates_by_body() else [IsAuthenticated()]

    @extend_schema(
        operation_id="getClaims",
        summary="Get/validate a token (who am I)",
        responses={200: ClaimsSerializer, **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        return Response(claims_representation(request.auth), headers=_NO_STORE)

    @extend_schema(
        operation_id="createToken",
        summary="Create a token: grants password and refresh_token",
        description="Form or JSON body; grant_type is case-insensitive; any Authorization header is ignored.",
        request={
            "application/x-www-form-urlencoded": TokenRequestSerializer,
            "application/json": TokenRequestSerializer,
        },
        responses={201: TokenSerializer, 409: ConflictSerializer, **error_responses(400, 401, 403)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        try:
            data = request.data
        except ParseError as exc:
            raise ApiError(
                "MissingBodyInRequest", "The request body is not valid JSON or form data."
            ) from exc
        serializer = TokenRequestSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        params = serializer.validated_data
        issuer = _issuer(request)
        mitel_app = getattr(request, "mitel_app", "")
        try:
            if params["grant_type"] == PASSWORD:
                user = _password_sign_in(request, params)
                pair = token_pair_issue(user=user, issuer=issuer, mitel_app=mitel_app)
            else:
                pair = refresh_token_rotate(token=params["refresh_token"], issuer=issuer, mitel_app=mitel_app)
        except SignInError as exc:
            return _sign_in_error(exc)
        return Response(
            token_representation(pair, scope=params["scope"]),
            status=status.HTTP_201_CREATED,
            headers=_NO_STORE,
        )


class JwksView(APIView):
    """``GET /accounts/{accountId}/.well-known/jwks.json``: public keys that verify tokens
    (every key not yet retired). ``accountId`` is the GUID or the account number. Public."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Public keys that verify tokens",
        responses={200: JsonWebKeySetSerializer, **error_responses(404)},
        auth=[],
    )
    def get(self, request: Request, account_ref: str | None = None) -> Response:
        if account_ref is None:
            return Response(tokens.public_jwks())
        jwks = tokens.account_jwks(account_ref)
        if jwks is None:
            raise ApiError("AccountNotFound", "No account has this accountId or account number.", 404)
        return Response(jwks)


class AuthorizationServerMetadataView(APIView):
    """RFC 8414 metadata (the spec's ``oauthMetadata``) at ``/.well-known/openid-configuration``
    and ``/.well-known/oauth-authorization-server``. With ``?accountId=`` the ``jwks_uri`` is
    that account's key set; without it, the account-independent one. Public."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="OAuth 2.0 authorization server metadata (RFC 8414)",
        parameters=[
            OpenApiParameter(
                "accountId",
                str,
                description="GUID or account number: jwks_uri for this account",
                required=False,
            )
        ],
        responses={200: OAuthMetadataSerializer, **error_responses(404)},
        auth=[],
    )
    def get(self, request: Request) -> Response:
        account_ref = request.query_params.get("accountId", "").strip()
        if account_ref:
            if tokens.account_jwks(account_ref) is None:
                raise ApiError("AccountNotFound", "No account has this accountId or account number.", 404)
            jwks_path = reverse("authentication-api:account-jwks", args=[account_ref])
        else:
            jwks_path = reverse("authentication-api:jwks")
        return Response(
            {
                "issuer": _issuer(request),
                "token_endpoint": request.build_absolute_uri(reverse("authentication-api:token")),
                "jwks_uri": request.build_absolute_uri(jwks_path),
                "response_types_supported": ["code"] if "authorization_code" in SUPPORTED_GRANTS else [],
                "grant_types_supported": list(SUPPORTED_GRANTS),
                "token_endpoint_auth_methods_supported": ["none"],
            }
        )
