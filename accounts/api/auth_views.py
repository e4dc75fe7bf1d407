"""Authentication service views: ``/token``, the JWKS and the authorization-server metadata.

Thin by design: the rules are in ``accounts.authn`` (who may sign in), ``accounts.refresh``
(token pairs, rotation, revocation) and ``accounts.tokens`` (signing, verification, keys).
"""

from __future__ import annotations

from django.urls import reverse
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import tokens
from accounts.authn import SignInError, user_authenticate
from accounts.refresh import refresh_token_rotate, token_pair_issue
from portal.api.authentication import CloudLinkTokenAuthentication
from portal.api.errors import ApiError, error_response

from .auth_serializers import (
    PASSWORD,
    SUPPORTED_GRANTS,
    TokenRequestSerializer,
    claims_representation,
    token_representation,
)

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # RFC 6749 section 5.1


def _issuer(request: Request) -> str:
    return tokens.issuer_for(request.build_absolute_uri("/"))


def _sign_in_error(exc: SignInError) -> Response:
    # Returned, not raised: a reused refresh token's family revocation must stay committed
    # even if the request runs in a transaction (ATOMIC_REQUESTS) that errors roll back.
    extra = {"labels": []} if exc.status == status.HTTP_409_CONFLICT else {}
    return error_response(exc.name, exc.message, exc.status, **extra)


class TokenView(APIView):
    """``POST /token`` issues tokens (grants password and refresh_token; 201 with the spec's
    ``token``); ``GET /token`` returns the caller's claims (the spec's ``claims``)."""

    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_authenticators(self):
        # POST authenticates by its body: a stale or garbage Authorization header (Postman
        # sends its collection-level bearer on this call too) must not turn it into a 401.
        if self.request.method in ("POST", "OPTIONS"):
            return []
        return [CloudLinkTokenAuthentication()]

    def get_permissions(self):
        if self.request.method in ("POST", "OPTIONS"):
            return [AllowAny()]
        return [IsAuthenticated()]

    def get(self, request: Request) -> Response:
        return Response(claims_representation(request.auth), headers=_NO_STORE)

    def post(self, request: Request) -> Response:
        try:
            data = request.data
        except ParseError as exc:
            raise ApiError("MissingBodyInRequest", "The request body is not valid JSON or form data.") from exc
        serializer = TokenRequestSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        params = serializer.validated_data
        issuer = _issuer(request)
        mitel_app = getattr(request, "mitel_app", "")
        try:
            if params["grant_type"] == PASSWORD:
                user = user_authenticate(
                    email=params["username"],
                    password=params["password"],
                    account_ref=params.get("account_id") or None,
                )
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
