"""Admin API (``/api/admin/2017-09-01/``): an account's gateway, PBX, SIP trunk and connection checks.

Thin views: resolve the account through ``accounts.access`` (outside the caller's scope 404, without
``MANAGE_GATEWAY`` 403), check the JSON shape with a serializer, validate the values with the console's
Forms (the same messages as the wizard), call ``gateways.services`` and shape the answer.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import Capability
from accounts.api.base import ACCOUNT_ID, AccountScopedApi
from core.api.errors import ApiError, error_responses, service_errors, validation_error
from gateways import selectors, services
from gateways.api.serializers import (
    CUSTOMER_ERROR_NAMES,
    GATEWAY_ERROR_NAMES,
    PBX_ERROR_NAMES,
    TRUNK_API_NAMES,
    CheckOutputSerializer,
    GatewayInputSerializer,
    GatewayOutputSerializer,
    PbxInputSerializer,
    PbxOutputSerializer,
    TrunkInputSerializer,
    TrunkOutputSerializer,
)
from gateways.forms import CustomerForm, GatewayForm, PbxForm, SipTrunkForm

CHECK_ID = OpenApiParameter("checkId", str, OpenApiParameter.PATH, description="The check's GUID.")


def _shape(serializer_class, request: Request):
    payload = serializer_class(data=request.data)
    payload.is_valid(raise_exception=True)
    return payload


def _form_errors(form, names: dict[str, str], prefix: str = "") -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field, messages in form.errors.items():
        if field.startswith("contact-"):
            _, n, part = field.split("-", 2)
            name = f"customer.contacts[{n}].{part}"
        else:
            name = names.get(field, f"{prefix}{field}")
        errors.setdefault(name, []).extend(messages)
    return errors


def _raise(errors: dict[str, list[str]]):
    raise validation_error(ValidationError(errors))


class _GatewayApi(AccountScopedApi):
    need = Capability.MANAGE_GATEWAY


def _gateway_values(request: Request) -> tuple[dict, dict]:
    """The body's customer and gateway values, validated by the wizard's Customer and Gateway forms."""
    payload = _shape(GatewayInputSerializer, request)
    customer_form = CustomerForm(data=CustomerForm.data_from(payload.customer_values()))
    gateway_form = GatewayForm(data=payload.gateway_form_data())
    errors = {}
    if not customer_form.is_valid():
        errors |= _form_errors(customer_form, CUSTOMER_ERROR_NAMES, prefix="customer.")
    if not gateway_form.is_valid():
        errors |= _form_errors(gateway_form, GATEWAY_ERROR_NAMES)
    if errors:
        _raise(errors)
    return customer_form.values(), gateway_form.values()


def _gateway_body(gateway) -> dict:
    return GatewayOutputSerializer(gateway).data


class GatewayApi(_GatewayApi):
    @extend_schema(
        operation_id="gateway_retrieve",
        summary="Get the account's CloudLink Gateway and its status",
        parameters=[ACCOUNT_ID],
        responses={200: GatewayOutputSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, accountId: str) -> Response:
        account = self.account
        return Response(_gateway_body(selectors.gateway_get_or_404(actor=request.user, account=account)))

    @extend_schema(
        operation_id="gateway_create",
        summary="Add the account's gateway (one per customer account)",
        description="Validated like the setup wizard's Customer and Gateway steps. 409 if the account has a "
        "gateway already; 400 on a partner's own account. Set its PBX next, then start a check.",
        parameters=[ACCOUNT_ID],
        request=GatewayInputSerializer,
        responses={201: GatewayOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, accountId: str) -> Response:
        account = self.account
        customer, values = _gateway_values(request)
        with service_errors():
            gateway = services.gateway_create(
                actor=request.user, account=account, customer=customer, values=values
            )
        body = _gateway_body(gateway)
        return Response(
            body,
            status=status.HTTP_201_CREATED,
            headers={"Location": request.build_absolute_uri(request.path)},
        )

    @extend_schema(
        operation_id="gateway_update",
        summary="Replace the gateway's customer details and network settings",
        parameters=[ACCOUNT_ID],
        request=GatewayInputSerializer,
        responses={200: GatewayOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def put(self, request: Request, accountId: str) -> Response:
        account = self.account
        selectors.gateway_get_or_404(actor=request.user, account=account)
        customer, values = _gateway_values(request)
        with service_errors():
            gateway = services.gateway_update(
                actor=request.user, account=account, customer=customer, values=values
            )
        return Response(_gateway_body(gateway))

    @extend_schema(
        operation_id="gateway_destroy",
        summary="Remove the gateway with its PBX, trunk and checks",
        description="The account's pbxType is cleared.",
        parameters=[ACCOUNT_ID],
        responses={204: None, **error_responses(401, 403, 404)},
    )
    def delete(self, request: Request, accountId: str) -> Response:
        account = self.account
        selectors.gateway_get_or_404(actor=request.user, account=account)
        services.gateway_remove(actor=request.user, account=account)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PbxApi(_GatewayApi):
    @extend_schema(
        operation_id="gateway_pbx_retrieve",
        summary="Get the gateway's PBX (the CSTA password is never returned)",
        parameters=[ACCOUNT_ID],
        responses={200: PbxOutputSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, accountId: str) -> Response:
        account = self.account
        gateway = selectors.gateway_get_or_404(actor=request.user, account=account)
        pbx = getattr(gateway, "pbx", None)
        if pbx is None:
            raise ApiError("NotFound", "The gateway has no PBX yet.", status.HTTP_404_NOT_FOUND)
        return Response(PbxOutputSerializer(pbx).data)

    @extend_schema(
        operation_id="gateway_pbx_update",
        summary="Set the gateway's one PBX",
        description="Validated like the wizard's PBX step: the CSTA port defaults to the type's; MX-ONE, "
        "MiVoice Business, MiVoice Office 400 and MiVoice 5000 need cstaUser and cstaPassword "
        "(write-only: omit or leave blank to keep the stored one).",
        parameters=[ACCOUNT_ID],
        request=PbxInputSerializer,
        responses={200: PbxOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def put(self, request: Request, accountId: str) -> Response:
        account = self.account
        gateway = selectors.gateway_get_or_404(actor=request.user, account=account)
        payload = _shape(PbxInputSerializer, request)
        stored = getattr(gateway, "pbx", None)
        form = PbxForm(data=payload.form_data(), has_password=bool(stored and stored.csta_password))
        if not form.is_valid():
            _raise(_form_errors(form, PBX_ERROR_NAMES))
        with service_errors(PBX_ERROR_NAMES):
            pbx = services.pbx_set(
                actor=request.user, account=account, values=form.values(), password=form.password
            )
        return Response(PbxOutputSerializer(pbx).data)


class TrunkApi(_GatewayApi):
    @extend_schema(
        operation_id="gateway_trunk_retrieve",
        summary="Get the SIP trunk settings (passwords are never returned)",
        parameters=[ACCOUNT_ID],
        responses={200: TrunkOutputSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, accountId: str) -> Response:
        account = self.account
        gateway = selectors.gateway_get_or_404(actor=request.user, account=account)
        return Response(TrunkOutputSerializer(gateway.trunk).data)

    @extend_schema(
        operation_id="gateway_trunk_update",
        summary="Set the SIP trunk settings",
        description="port defaults from transport (5060 TCP/UDP, 5061 TLS); gatewayUsername defaults to "
        "`officelinkmxone`; pbxPassword and gatewayPassword are write-only (blank keeps them).",
        parameters=[ACCOUNT_ID],
        request=TrunkInputSerializer,
        responses={200: TrunkOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def put(self, request: Request, accountId: str) -> Response:
        account = self.account
        selectors.gateway_get_or_404(actor=request.user, account=account)
        payload = _shape(TrunkInputSerializer, request)
        form = SipTrunkForm(data=payload.form_data())
        if not form.is_valid():
            _raise(_form_errors(form, TRUNK_API_NAMES))
        trunk = services.trunk_update(
            actor=request.user, account=account, values=form.values(), secrets=form.secrets()
        )
        return Response(TrunkOutputSerializer(trunk).data)


class CheckCollectionApi(_GatewayApi):
    @extend_schema(
        operation_id="gateway_checks_create",
        summary="Start a connection check of the gateway's PBX",
        description="Connects over CSTA (TCP, application session, system status, close) in the background. "
        "Answers 202 with the check; poll its `_links.self` until `status` is `connected` or `failed` "
        "(`errorCode`: address_refused, refused, timeout, host_not_found, unreachable, not_csta, "
        "session_rejected, version_mismatch, connection_lost, protocol_error). 400 without a PBX or while "
        "a check runs.",
        parameters=[ACCOUNT_ID],
        request=None,
        responses={202: CheckOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, accountId: str) -> Response:
        account = self.account
        selectors.gateway_get_or_404(actor=request.user, account=account)
        with service_errors():
            job = services.gateway_check_start(actor=request.user, account=account)
        body = CheckOutputSerializer(job).data
        location = request.build_absolute_uri(f"{request.path.rstrip('/')}/{job.job_id}")
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


class CheckDetailApi(_GatewayApi):
    @extend_schema(
        operation_id="gateway_checks_retrieve",
        summary="Get a connection check's progress and result",
        parameters=[ACCOUNT_ID, CHECK_ID],
        responses={200: CheckOutputSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, accountId: str, checkId: uuid.UUID) -> Response:
        account = self.account
        job = selectors.connect_job_get_or_404(actor=request.user, account=account, job_id=checkId)
        return Response(CheckOutputSerializer(job).data)
