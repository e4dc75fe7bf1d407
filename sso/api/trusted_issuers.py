"""Authentication API: ``/trusted-issuers`` (CloudLink's ``trustedIssuer``) and
``/accounts/{accountId}/trusted-issuers``. Account admins of the account and partner admins of
its partner (``Capability.MANAGE_SSO``); rules in ``sso.services``, the exchange in
``sso.token_exchange``. Beyond the spec: ``audience``, the ``aud`` the issuer's tokens carry
(empty: the account's SSO entity ID)."""

from __future__ import annotations

import uuid

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access
from accounts.access import Capability
from accounts.api.base import AccountScopedApi
from core.api.errors import ApiError, error_responses, service_errors
from sso import services
from sso.api.views import _account as account_for_sso
from sso.models import TrustedIssuer
from sso.token_exchange import expected_audience

ISSUER_ID = OpenApiParameter("issuerId", str, OpenApiParameter.PATH)
ACCOUNT_ID = OpenApiParameter("accountId", str, OpenApiParameter.PATH)
API_NAMES = {
    "displayName": "display_name",
    "description": "description",
    "iss": "iss",
    "jwksUri": "jwks_uri",
    "audience": "audience",
}
FIELD_NAMES = {model: api for api, model in API_NAMES.items()}


class TrustedIssuerPutSerializer(serializers.Serializer):
    displayName = serializers.CharField(required=False, allow_blank=True, max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    iss = serializers.CharField(required=False, max_length=500)
    jwksUri = serializers.URLField(required=False, max_length=1000)
    audience = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="The aud the issuer's tokens must carry; empty: the account's SSO entity ID.",
    )


class TrustedIssuerPostSerializer(TrustedIssuerPutSerializer):
    iss = serializers.CharField(max_length=500)
    jwksUri = serializers.URLField(max_length=1000)
    accountId = serializers.CharField(required=False, max_length=64, help_text="Default: your account.")


def _input(request: Request, shape: type[serializers.Serializer]) -> dict:
    if not isinstance(request.data, dict):
        raise ApiError("InvalidRequest", "The request body must be a JSON object.")
    unknown = sorted(set(request.data) - set(shape().fields))
    if unknown:
        raise ApiError("InvalidRequest", f"Unknown field(s): {', '.join(unknown)}.")
    payload = shape(data=request.data)
    payload.is_valid(raise_exception=True)
    return payload.validated_data


def _changes(params: dict) -> dict:
    return {model: params[api] for api, model in API_NAMES.items() if api in params}


def representation(request: Request, issuer: TrustedIssuer) -> dict:
    base = request.build_absolute_uri(request.path).split("/trusted-issuers")[0].split("/accounts/")[0]
    return {
        "issuerId": str(issuer.issuer_id),
        "accountId": str(issuer.account.account_id),
        "displayName": issuer.display_name,
        "description": issuer.description,
        "iss": issuer.iss,
        "jwksUri": issuer.jwks_uri,
        "audience": expected_audience(issuer),
        "createdOn": issuer.created_on.isoformat(),
        "modifiedOn": issuer.modified_on.isoformat(),
        "_links": {"self": {"href": f"{base}/trusted-issuers/{issuer.issuer_id}"}},
    }


def _collection(request: Request, issuers) -> Response:
    items = [
        representation(request, issuer)
        for issuer in issuers
        if access.can(request.user, Capability.MANAGE_SSO, issuer.account)
    ]
    return Response(
        {"count": len(items), "_links": {"self": request.build_absolute_uri()}, "_embedded": {"items": items}}
    )


def _visible(request: Request):
    return TrustedIssuer.objects.filter(account__in=access.accounts_for(request.user)).select_related(
        "account"
    )


class TrustedIssuerCollectionApi(APIView):
    @extend_schema(
        operation_id="getTrustedIssuers",
        summary="Trusted issuers of your account (account admins; partner admins: of the accounts in their scope)",
        responses={200: dict, **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        if not access.can(request.user, Capability.MANAGE_SSO, request.user.account):
            raise ApiError("InsufficientPermissions", "Only administrators manage trusted issuers.", 403)
        return _collection(request, _visible(request))

    @extend_schema(
        operation_id="createTrustedIssuer",
        summary="Trust an external issuer: its tokens can be exchanged at POST /token",
        request=TrustedIssuerPostSerializer,
        responses={201: dict, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request) -> Response:
        params = _input(request, TrustedIssuerPostSerializer)
        account = account_for_sso(request, params.get("accountId"))
        with service_errors(FIELD_NAMES):
            issuer = services.trusted_issuer_create(actor=request.user, account=account, **_changes(params))
        body = representation(request, issuer)
        return Response(
            body, status=status.HTTP_201_CREATED, headers={"Location": body["_links"]["self"]["href"]}
        )


class AccountTrustedIssuersApi(AccountScopedApi):
    need = Capability.MANAGE_SSO

    @extend_schema(
        operation_id="getTrustedIssuersByAccount",
        parameters=[ACCOUNT_ID],
        responses={200: dict, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, accountId: str) -> Response:
        return _collection(request, _visible(request).filter(account=self.account))


class TrustedIssuerDetailApi(APIView):
    def _issuer(self, request: Request, issuerId: str) -> TrustedIssuer:
        try:
            issuer_uuid = uuid.UUID(str(issuerId))
        except ValueError:
            issuer_uuid = None
        issuer = _visible(request).filter(issuer_id=issuer_uuid).first() if issuer_uuid else None
        if issuer is None:
            raise ApiError("TrustedIssuerNotFound", "No trusted issuer with this ID is in your scope.", 404)
        if not access.can(request.user, Capability.MANAGE_SSO, issuer.account):
            raise ApiError("InsufficientPermissions", "Only administrators manage trusted issuers.", 403)
        return issuer

    @extend_schema(
        operation_id="getTrustedIssuerById",
        parameters=[ISSUER_ID],
        responses={200: dict, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, issuerId: str) -> Response:
        return Response(representation(request, self._issuer(request, issuerId)))

    @extend_schema(
        operation_id="updateTrustedIssuer",
        parameters=[ISSUER_ID],
        request=TrustedIssuerPutSerializer,
        responses={200: dict, **error_responses(400, 401, 403, 404, 409)},
    )
    def put(self, request: Request, issuerId: str) -> Response:
        issuer = self._issuer(request, issuerId)
        params = _input(request, TrustedIssuerPutSerializer)
        with service_errors(FIELD_NAMES):
            issuer = services.trusted_issuer_update(actor=request.user, issuer=issuer, **_changes(params))
        return Response(representation(request, issuer))

    @extend_schema(
        operation_id="deleteTrustedIssuer",
        parameters=[ISSUER_ID],
        responses={200: None, **error_responses(401, 403, 404)},
    )
    def delete(self, request: Request, issuerId: str) -> Response:
        services.trusted_issuer_delete(actor=request.user, issuer=self._issuer(request, issuerId))
        return Response(status=status.HTTP_200_OK)
