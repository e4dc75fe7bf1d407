"""Admin API (``/api/admin/2017-09-01/``): an account's integrations.

Thin views: resolve the account through ``accounts.access`` (outside the caller's scope: 404;
without the capability: 403), validate the body's shape, call ``integrations.services`` (which
applies the privilege rules and validates ``config`` with the integration's own Form), and shape
the answer with the same envelope and errors as the account resources.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import Capability
from accounts.api.base import ACCOUNT_ID, AccountScopedApi
from accounts.models import Account
from core.api.collections import ODATA_PARAMETERS, collection_page
from core.api.errors import error_responses, service_errors
from core.api.odata import QueryOptions
from integrations import registry, selectors, services
from integrations.api.serializers import (
    INTEGRATION_DEFAULT_ORDERING,
    INTEGRATION_FILTER_FIELDS,
    IntegrationCollectionOutputSerializer,
    IntegrationCreateInputSerializer,
    IntegrationOutputSerializer,
    IntegrationRemovedOutputSerializer,
    IntegrationUpdateInputSerializer,
)
from integrations.models import Integration

TYPE = OpenApiParameter(
    "type",
    str,
    OpenApiParameter.PATH,
    description="The integration type: " + ", ".join(f"`{t}`" for t in registry.PROVIDERS) + ".",
)
_TOP_LEVEL_ERRORS = {"type", "enabled", "config", "privilege"}


def _config_names(exc: ValidationError) -> dict[str, str]:
    """The config Form's field errors are named ``config.<field>`` (an integration already added
    is a ``Conflict``: 409, through ``core.api.errors``)."""
    if not hasattr(exc, "error_dict"):
        return {}
    return {key: f"config.{key}" for key in exc.error_dict if key not in _TOP_LEVEL_ERRORS | {"__all__"}}


class _IntegrationsApi(AccountScopedApi):
    need = Capability.MANAGE_INTEGRATIONS


def _item(request: Request, account: Account, integration: Integration) -> dict:
    return IntegrationOutputSerializer(integration, context={"request": request, "account": account}).data


class IntegrationCollectionApi(_IntegrationsApi):
    @extend_schema(
        operation_id="integrations_list",
        summary="List the integrations added to an account",
        description="Each with its state; `missingPrivileges` lists the privileges it brings that are "
        "off on the account (the integration may not work correctly).",
        parameters=[ACCOUNT_ID, *ODATA_PARAMETERS],
        responses={200: IntegrationCollectionOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request: Request, accountId: str) -> Response:
        account = self.account
        options = QueryOptions.parse(
            request.query_params,
            fields=INTEGRATION_FILTER_FIELDS,
            default_ordering=INTEGRATION_DEFAULT_ORDERING,
        )
        integrations = selectors.integration_list(actor=request.user, account=account)
        context = {"request": request, "account": account}
        page = collection_page(
            request,
            integrations,
            options,
            lambda rows: IntegrationOutputSerializer(rows, many=True, context=context).data,
        )
        return Response(page)

    @extend_schema(
        operation_id="integrations_create",
        summary="Add an integration to a customer account",
        description="Switches on the privileges the integration brings (MiCC: allowProxyAuthentication "
        "and allowGuestAccess; MiCollab: allowProxyAuthentication; Mitel One and MiTeam Meetings: "
        "allowGuestAccess). 400 for an unknown type or a partner account, 409 if already added.",
        parameters=[ACCOUNT_ID],
        request=IntegrationCreateInputSerializer,
        responses={201: IntegrationOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, accountId: str) -> Response:
        account = self.account
        payload = IntegrationCreateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with service_errors(_config_names):
            integration = services.integration_add(
                actor=request.user,
                account=account,
                type=payload.validated_data["type"],
                config=payload.validated_data.get("config"),
            )
        account = integration.account
        location = request.build_absolute_uri(
            reverse(
                "integrations-api:integration-detail",
                kwargs={"accountId": account.account_id, "type": integration.type},
            )
        )
        return Response(
            _item(request, account, integration),
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )


class IntegrationDetailApi(_IntegrationsApi):
    @extend_schema(
        operation_id="integrations_retrieve",
        summary="Get one of the account's integrations",
        parameters=[ACCOUNT_ID, TYPE],
        responses={200: IntegrationOutputSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, accountId: str, type: str) -> Response:
        account = self.account
        integration = selectors.integration_get_or_404(actor=request.user, account=account, type=type)
        return Response(_item(request, account, integration))

    @extend_schema(
        operation_id="integrations_update",
        summary="Enable, disable or configure an integration",
        description="`config` is validated by the integration's settings form and completes its setup "
        "where one is needed; `enabled` switches it on or off. Privileges are not changed.",
        parameters=[ACCOUNT_ID, TYPE],
        request=IntegrationUpdateInputSerializer,
        responses={200: IntegrationOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def put(self, request: Request, accountId: str, type: str) -> Response:
        account = self.account
        selectors.integration_get_or_404(actor=request.user, account=account, type=type)
        payload = IntegrationUpdateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        with service_errors(_config_names):
            integration = services.integration_update(
                actor=request.user,
                account=account,
                type=type,
                config=data.get("config"),
                enabled=data.get("enabled"),
            )
        return Response(_item(request, integration.account, integration))

    @extend_schema(
        operation_id="integrations_destroy",
        summary="Remove an integration",
        description="Switches off the privileges it brings that no remaining integration brings. "
        "Answers with the integration as it was, `privilegesSwitchedOff`, `privilegesKeptOn` "
        "(still brought by another integration) and the account's `policy` afterwards.",
        parameters=[ACCOUNT_ID, TYPE],
        responses={200: IntegrationRemovedOutputSerializer, **error_responses(401, 403, 404)},
    )
    def delete(self, request: Request, accountId: str, type: str) -> Response:
        account = self.account
        integration = selectors.integration_get_or_404(actor=request.user, account=account, type=type)
        with service_errors(_config_names):
            removal = services.integration_remove(actor=request.user, account=account, type=type)
        context = {"request": request, "account": removal.account, "removal": removal}
        return Response(IntegrationRemovedOutputSerializer(integration, context=context).data)
