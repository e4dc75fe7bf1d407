"""Authentication API (``/api/authentication/2017-09-01/``): third-party applications.

* ``GET /applications?client_id=`` - public metadata (``legacyApplication``), no token needed.
* ``POST /applications`` - a partner admin registers an application (201, pending approval).
* ``GET /applications/{applicationId}`` - the application as seen from the token's account (or
  ``?accountId=`` in the caller's scope): the owner's registration or a customer's deployment.
* ``PUT /applications/{applicationId}`` - deploy/update/deactivate an approved application in a
  customer account (``accountId`` in the body, GUID or number; default the token's account).
* ``GET /apps`` - the applications deployed to the token's account (a partner account: the
  applications it registered).

``{applicationId}`` is the client ID; the owning partner may also use the registration number
(``id``), since a pending application has no client ID yet. Thin views: tenancy through
``accounts.access``, rules in ``oauth.applications.services``.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access
from accounts.access import Capability
from accounts.api.base import resolve_account
from accounts.models import Account
from core.api.collections import ODATA_PARAMETERS, collection_page
from core.api.errors import ApiError, error_responses, service_errors
from core.api.odata import QueryOptions
from oauth.applications import selectors, services
from oauth.applications.api.serializers import (
    DEPLOYMENT_FILTER_FIELDS,
    REGISTRATION_FILTER_FIELDS,
    ApplicationCollectionOutputSerializer,
    ApplicationCreateInputSerializer,
    ApplicationOutputSerializer,
    ApplicationPutInputSerializer,
    LegacyApplicationOutputSerializer,
    deployment_representation,
    legacy_representation,
    registration_representation,
)
from oauth.authentication import CloudLinkTokenAuthentication, ConsoleSessionAuthentication
from oauth.models import Application

API_NAMES = {
    "mitel_app": "mitelApp",
    "redirect_uris": "redirectUris",
    "contact_email": "contactEmail",
    "client_type": "clientType",
}
APPLICATION_ID = OpenApiParameter(
    "applicationId",
    str,
    OpenApiParameter.PATH,
    description="The client ID (the owning partner may also use the registration number `id`).",
)
ACCOUNT_QUERY = OpenApiParameter(
    "accountId",
    {"type": "string", "maxLength": 64},
    description="GUID or account number in your scope (default: the token's account).",
)


def _body(request: Request) -> dict:
    try:
        data = request.data
    except ParseError as exc:
        raise ApiError("InvalidRequest", "The request body is not valid JSON.") from exc
    if not isinstance(data, dict):
        raise ApiError("InvalidRequest", "The request body must be a JSON object.")
    return data


def _account(request: Request, ref: str | None, need: Capability) -> Account:
    """``ref`` (GUID or number; default the caller's account) in the caller's scope with ``need``:
    404 AccountNotFound outside it, 403 InsufficientPermissions without the capability."""
    try:
        if not ref:
            account = request.user.account
            access.require(request.user, need, account)
            return account
        return resolve_account(request, ref, need=need)
    except Http404 as exc:
        raise ApiError("AccountNotFound", "No account with this accountId is in your scope.", 404) from exc
    except PermissionDenied as exc:
        raise ApiError("InsufficientPermissions", str(exc), 403) from exc


def _not_found() -> ApiError:
    return ApiError("ApplicationNotFound", "No such application in this account.", 404)


def _default_mitel_app(name: str) -> str:
    value = re.sub(r"[^A-Za-z0-9@._+ -]+", "-", name).strip(" -._+")
    return value[:100]


class ApplicationCollectionApi(APIView):
    """``GET /applications?client_id=`` (public) and ``POST /applications`` (partner admins)."""

    def _public(self) -> bool:
        return getattr(getattr(self, "request", None), "method", "GET") in ("GET", "HEAD", "OPTIONS")

    def get_authenticators(self):
        if self._public():
            return []
        return [CloudLinkTokenAuthentication(), ConsoleSessionAuthentication()]

    def get_permissions(self):
        return [AllowAny()] if self._public() else [IsAuthenticated()]

    @extend_schema(
        operation_id="getApplicationMetadata",
        summary="Public metadata of an application (for the sign-in page)",
        parameters=[OpenApiParameter("client_id", {"type": "string", "maxLength": 200}, required=True)],
        responses={200: LegacyApplicationOutputSerializer, **error_responses(400, 403)},
        auth=[],
    )
    def get(self, request: Request) -> Response:
        client_id = request.query_params.get("client_id", "").strip()
        if not client_id:
            raise ApiError("MissingMandatoryParams", "The client_id query parameter is required.")
        app = selectors.application_by_client_id(client_id)
        if app is None:
            raise ApiError("InvalidClient", "No application has this client_id.", 403)
        return Response(legacy_representation(app))

    @extend_schema(
        operation_id="createApplication",
        summary="Register a third-party application (partner admins); pending until approved",
        request=ApplicationCreateInputSerializer,
        responses={201: ApplicationOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request) -> Response:
        data = _body(request)
        missing = [name for name in ("name", "description") if name not in data]
        if missing:
            raise ApiError("MissingParamInRequest", f"Missing required parameter(s): {', '.join(missing)}.")
        payload = ApplicationCreateInputSerializer(data=data)
        payload.is_valid(raise_exception=True)
        params = payload.validated_data
        if params.get("applicationId"):
            raise ApiError(
                "InvalidRequest", "applicationId is generated for third-party applications on approval."
            )
        partner = _account(request, params.get("accountId"), Capability.MANAGE_APPLICATIONS)
        with service_errors(API_NAMES):
            app = services.application_register(
                actor=request.user,
                partner=partner,
                name=params["name"],
                description=params["description"],
                redirect_uris=params.get("redirectUris") or [],
                contact_email=params.get("contactEmail") or request.user.email,
                mitel_app=params.get("mitelApp") or _default_mitel_app(params["name"]),
                client_type=params.get("clientType") or Application.ClientType.PUBLIC,
            )
        body = registration_representation(app)
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["_links"]["self"]})


def _owned(account: Account, ref: str) -> Application | None:
    return selectors.owned_application_get(account=account, ref=ref)


class ApplicationDetailApi(APIView):
    @extend_schema(
        operation_id="getApplication",
        summary="One application as seen from the token's account",
        parameters=[APPLICATION_ID, ACCOUNT_QUERY],
        responses={200: ApplicationOutputSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, applicationId: str) -> Response:
        account = _account(request, request.query_params.get("accountId"), Capability.VIEW_ACCOUNT)
        if account.is_partner and (app := _owned(account, applicationId)) is not None:
            return Response(registration_representation(app))
        deployment = (
            selectors.deployment_list(account=account).filter(application__client_id=applicationId).first()
        )
        if deployment is None:
            raise _not_found()
        return Response(deployment_representation(deployment))

    @extend_schema(
        operation_id="updateApplication",
        summary="Deploy, update or deactivate an approved application in a customer account",
        description="Partner admins for their customer accounts, account admins for their own. "
        "`accountId` (GUID or number) defaults to the token's account. 404 for an unknown or "
        "unapproved client ID and for accounts outside your scope; 409 when the application is blocked.",
        parameters=[APPLICATION_ID],
        request=ApplicationPutInputSerializer,
        responses={200: ApplicationOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def put(self, request: Request, applicationId: str) -> Response:
        payload = ApplicationPutInputSerializer(data=_body(request))
        payload.is_valid(raise_exception=True)
        params = payload.validated_data
        account = _account(request, params.get("accountId"), Capability.MANAGE_INTEGRATIONS)
        app = selectors.application_by_client_id(applicationId)
        if app is None:
            raise _not_found()
        with service_errors(API_NAMES):
            deployment = services.application_deploy(
                actor=request.user,
                account=account,
                application=app,
                active=params["active"],
                name=params.get("name", ""),
                description=params.get("description", ""),
                redirect_uris=params.get("redirectUris"),
                role=params.get("role"),
            )
        deployment = selectors.deployment_list(account=account).get(pk=deployment.pk)
        return Response(deployment_representation(deployment))


class AppCollectionApi(APIView):
    @extend_schema(
        operation_id="listApps",
        summary="Applications deployed to the token's account (a partner account: those it registered)",
        parameters=[ACCOUNT_QUERY, *ODATA_PARAMETERS],
        responses={200: ApplicationCollectionOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        account = _account(request, params.get("accountId"), Capability.VIEW_ACCOUNT)
        if account.is_partner:
            rows = selectors.owned_application_list(account=account)
            options = QueryOptions.parse(
                params, fields=REGISTRATION_FILTER_FIELDS, default_ordering=("name",)
            )
            page = collection_page(
                request, rows, options, lambda items: [registration_representation(a) for a in items]
            )
        else:
            rows = selectors.deployment_list(account=account)
            options = QueryOptions.parse(
                params, fields=DEPLOYMENT_FILTER_FIELDS, default_ordering=("application__name",)
            )
            page = collection_page(
                request, rows, options, lambda items: [deployment_representation(d) for d in items]
            )
        return Response(page)
