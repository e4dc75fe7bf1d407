"""Authentication API: ``/identityProviders`` CRUD and the SAML 2.0 / OpenID Connect sign-in
endpoints (``/saml2/start``, ``/saml2/{accountId}/cs``, ``/saml2/logout``, ``/oidc/{accountId}/cb``).

Thin views: tenancy through ``accounts.access``, rules in ``sso.services`` and ``sso.sign_in``.
"""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access
from accounts.access import Capability
from accounts.api.base import resolve_account
from accounts.authn import SignInError
from accounts.models import Account
from core.api.errors import ApiError, error_responses, service_errors
from oauth import grants
from sso import selectors, services, sign_in
from sso.api.serializers import (
    FIELD_NAMES,
    IdentityProviderInputSerializer,
    Saml2LogoutSerializer,
    Saml2ResponseSerializer,
    Saml2StartSerializer,
    changes_from,
    protocol_of,
    representation,
)

PROVIDER_ID = OpenApiParameter("identityProviderId", str, OpenApiParameter.PATH)
BROWSER_BACKEND = "accounts.backends.AccountEmailBackend"


def _account(request: Request, ref: str | None) -> Account:
    try:
        if not ref:
            account = request.user.account
            access.require(request.user, Capability.MANAGE_SSO, account)
            return account
        return resolve_account(request, ref, need=Capability.MANAGE_SSO)
    except Http404 as exc:
        raise ApiError("AccountNotFound", "No account with this accountId is in your scope.", 404) from exc
    except PermissionDenied as exc:
        raise ApiError("InsufficientPermissions", str(exc), 403) from exc


def _input(request: Request) -> dict:
    if not isinstance(request.data, dict):
        raise ApiError("InvalidRequest", "The request body must be a JSON object.")
    payload = IdentityProviderInputSerializer(data=request.data)
    payload.is_valid(raise_exception=True)
    return payload.validated_data


def _self_url(request: Request, provider) -> str:
    return request.build_absolute_uri(f"identityProviders/{provider.identity_provider_id}").replace(
        f"identityProviders/{provider.identity_provider_id}/identityProviders/", "identityProviders/"
    )


def _represent(request: Request, provider) -> dict:
    base = request.build_absolute_uri(request.path).split("/identityProviders")[0]
    return representation(provider, f"{base}/identityProviders/{provider.identity_provider_id}")


class IdentityProviderCollectionApi(APIView):
    @extend_schema(
        operation_id="getIdentityProviders",
        summary="Identity providers of the accounts in your scope (account admins and partner admins)",
        parameters=[
            OpenApiParameter(
                "accountId",
                {"type": "string", "maxLength": 64},
                description="Only this account (GUID or number).",
            )
        ],
        responses={200: dict, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        providers = selectors.identity_providers_visible_to(request.user)
        if ref := request.query_params.get("accountId"):
            providers = providers.filter(account=_account(request, ref))
        items = [
            _represent(request, p)
            for p in providers
            if access.can(request.user, Capability.MANAGE_SSO, p.account)
        ]
        return Response(
            {
                "count": len(items),
                "_links": {"self": request.build_absolute_uri()},
                "_embedded": {"items": items},
            }
        )

    @extend_schema(
        operation_id="createIdentityProvider",
        summary="Connect an identity provider (SAML 2.0 or OpenID Connect) to an account",
        request=IdentityProviderInputSerializer,
        responses={201: dict, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request) -> Response:
        params = _input(request)
        account = _account(request, params.get("accountId"))
        with service_errors(FIELD_NAMES):
            provider = services.identity_provider_create(
                actor=request.user, account=account, protocol=protocol_of(params), **changes_from(params)
            )
        body = _represent(request, provider)
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["_links"]["self"]})


class IdentityProviderDetailApi(APIView):
    def _provider(self, request: Request, identityProviderId: str):
        provider = (
            selectors.identity_providers_visible_to(request.user)
            .filter(identity_provider_id=_uuid_or_none(identityProviderId))
            .first()
        )
        if provider is None:
            raise ApiError(
                "IdentityProviderNotFound", "No identity provider with this ID is in your scope.", 404
            )
        if not access.can(request.user, Capability.MANAGE_SSO, provider.account):
            raise ApiError("InsufficientPermissions", "Only administrators manage identity providers.", 403)
        return provider

    @extend_schema(
        operation_id="getIdentityProvider",
        parameters=[PROVIDER_ID],
        responses={200: dict, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, identityProviderId: str) -> Response:
        return Response(_represent(request, self._provider(request, identityProviderId)))

    @extend_schema(
        operation_id="updateIdentityProvider",
        parameters=[PROVIDER_ID],
        request=IdentityProviderInputSerializer,
        responses={200: dict, **error_responses(400, 401, 403, 404)},
    )
    def put(self, request: Request, identityProviderId: str) -> Response:
        provider = self._provider(request, identityProviderId)
        params = _input(request)
        with service_errors(FIELD_NAMES):
            provider = services.identity_provider_update(
                actor=request.user, provider=provider, **changes_from(params)
            )
        return Response(_represent(request, provider))

    @extend_schema(
        operation_id="deleteIdentityProvider",
        parameters=[PROVIDER_ID],
        responses={200: None, **error_responses(401, 403, 404)},
    )
    def delete(self, request: Request, identityProviderId: str) -> Response:
        provider = self._provider(request, identityProviderId)
        services.identity_provider_delete(actor=request.user, provider=provider)
        return Response(status=status.HTTP_200_OK)


def _uuid_or_none(value: str):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _form(request: Request) -> dict[str, str]:
    """The text fields of a form or JSON object body (anything else in it is ignored)."""
    data = request.data
    if not hasattr(data, "items"):
        raise ApiError("MissingBodyInRequest", "The body must be a form or a JSON object.")
    return {key: value for key, value in data.items() if isinstance(value, str)}


def _within_bounds(shape: type, data) -> None:
    """The documented bounds of a sign-in form (``shape``'s ``max_length``), as a 400."""
    for name, field in shape().fields.items():
        limit = getattr(field, "max_length", None)
        value = data.get(name)
        if limit and isinstance(value, str) and len(value) > limit:
            raise ApiError("InvalidParameter", f"{name} is longer than {limit} characters.")


def _error(exc: SignInError) -> Response:
    return Response({"name": exc.name, "message": exc.message}, status=exc.status)


class Saml2StartApi(APIView):
    """``POST /saml2/start``: an API client's sign-in through the user's account's IdP. 201 with
    the IdP URL to open; the answer comes back to ``/saml2/{accountId}/cs``, which redirects to
    the client's ``redirect_uri`` with an authorization code (as ``/authorize`` does)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="saml2Start",
        request=Saml2StartSerializer,
        responses={201: dict, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request) -> Response:
        data = _form(request)
        _within_bounds(Saml2StartSerializer, data)
        missing = [name for name in ("username", "client_id", "redirect_uri") if not data.get(name)]
        if missing:
            raise ApiError("MissingMandatoryParams", f"Missing required parameter(s): {', '.join(missing)}.")
        code_request = grants.CodeRequest(
            client_id=data["client_id"],
            redirect_uri=data["redirect_uri"],
            scope=data.get("scope", ""),
            code_challenge=data.get("code_challenge", ""),
            code_challenge_method=data.get("code_challenge_method", ""),
        )
        try:
            grants.authorization_request_validate(code_request)
            provider = selectors.identity_provider_for_email(data["username"], data.get("account_id"))
            if provider is None:
                raise ApiError(
                    "IdentityProviderNotFound", "This user's account signs in with a password, not SSO.", 404
                )
            started = sign_in.sign_in_start(
                provider,
                client_request={**code_request.__dict__, "state": data.get("state", "")},
                force_authn=str(data.get("force_authn", "")).lower() == "true",
            )
        except SignInError as exc:
            return _error(exc)
        return Response(
            {"url": started.redirect_url},
            status=status.HTTP_201_CREATED,
            headers={"Location": started.redirect_url},
        )


class Saml2LogoutApi(APIView):
    """``POST /saml2/logout``: ends this browser's console session and answers the IdP's logout URL."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="saml2Logout",
        request=Saml2LogoutSerializer,
        responses={201: dict, **error_responses(400, 404)},
    )
    def post(self, request: Request) -> Response:
        data = _form(request)
        _within_bounds(Saml2LogoutSerializer, data)
        username = data.get("username")
        if not username:
            raise ApiError("MissingMandatoryParams", "Missing required parameter(s): username.")
        provider = selectors.identity_provider_for_email(username, data.get("account_id"))
        if provider is None or not provider.is_saml:
            raise ApiError(
                "IdentityProviderNotFound", "This user's account has no SAML identity provider.", 404
            )
        logout(request._request)
        return Response({"url": provider.saml_logout_url}, status=status.HTTP_201_CREATED)


def _finished(request: HttpRequest, user, flow) -> HttpResponse:
    """After a checked IdP answer: an API client's code, or a console session."""
    client_request = dict(flow.client_request)
    if client_request:
        state = client_request.pop("state", "")
        code = grants.authorization_code_issue(user=user, request=grants.CodeRequest(**client_request))
        return _redirect_to(client_request["redirect_uri"], code=code, **({"state": state} if state else {}))
    login(request, user, backend=BROWSER_BACKEND)
    next_url = flow.next_url
    if not next_url or not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    return HttpResponseRedirect(next_url)


def _redirect_to(uri: str, **params: str) -> HttpResponseRedirect:
    from urllib.parse import urlencode

    return HttpResponseRedirect(f"{uri}{'&' if '?' in uri else '?'}{urlencode(params)}")


def _refused(request: HttpRequest, exc: SignInError) -> HttpResponse:
    return render(request, "sso/sign_in_refused.html", {"error": exc}, status=exc.status)


def _account_or_404(account_id: str) -> Account:
    account = Account.objects.by_ref(account_id).first()
    if account is None:
        raise Http404("No such account.")
    return account


class Saml2AssertionConsumerApi(APIView):
    """``POST /saml2/{accountId}/cs``: the IdP's answer (posted by the browser from the IdP's
    page; no CSRF token: the RelayState ties it to one sign-in started here, used once)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="saml2AssertionConsumer",
        parameters=[OpenApiParameter("accountId", str, OpenApiParameter.PATH)],
        request=Saml2ResponseSerializer,
        responses={302: None, 400: None},
    )
    def post(self, request: Request, accountId: str) -> HttpResponse:
        account = _account_or_404(accountId)
        try:
            form = request.data if hasattr(request.data, "get") else {}
            for name, field in Saml2ResponseSerializer().fields.items():
                if len(str(form.get(name, ""))) > field.max_length:
                    raise SignInError(
                        "InvalidSamlResponse", f"{name} is longer than {field.max_length} characters.", 400
                    )
            user, flow = sign_in.saml_finish(
                account,
                saml_response=str(form.get("SAMLResponse", "")),
                relay_state=str(form.get("RelayState", "")),
            )
            return _finished(request._request, user, flow)
        except SignInError as exc:
            return _refused(request._request, exc)


class OidcCallbackApi(APIView):
    """``GET /oidc/{accountId}/cb``: where an OpenID Connect provider sends the browser back
    with the code (not in CloudLink's spec: its SSO is SAML only)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="oidcCallback",
        parameters=[OpenApiParameter("accountId", str, OpenApiParameter.PATH)],
        responses={302: None, 400: None},
    )
    def get(self, request: Request, accountId: str) -> HttpResponse:
        account = _account_or_404(accountId)
        params = request.query_params
        if params.get("error"):
            message = params.get("error_description") or params["error"]
            refusal = sign_in.SsoRefused(f"The identity provider refused the sign-in: {message}")
            return _refused(request._request, refusal)
        try:
            user, flow = sign_in.oidc_finish(
                account, code=params.get("code", ""), state=params.get("state", "")
            )
            return _finished(request._request, user, flow)
        except SignInError as exc:
            return _refused(request._request, exc)
