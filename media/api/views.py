"""Media API (``/api/media/2017-09-01/``): an extension's calls (CloudLink's Make a Call and friends).

Thin views: validate the body, call ``media.services`` / ``selectors`` (which apply the
extension rule: admins and delegated tokens any extension, a USER only its own). Their errors
answer through ``core.api.errors.SERVICE_ERRORS`` (the PBX's are ``core.errors`` kinds):

* no PBX configured for the account: 409 ``PbxNotConfigured``
* PBX unreachable / session refused: 502 ``PbxUnavailable``; no answer in time: 504 ``PbxTimeout``
* the PBX refused the request for another reason: 502 ``PbxRejected``
* an action that does not fit the call's state: 409 ``Conflict``

Guest tokens are refused (403) by the authentication layer: these views do not set
``accepts_token_principals``. An application's own token is accepted
(``accepts_application_tokens``): deployed as ACCOUNT_ADMIN it controls any extension of its
account, as USER none (``accounts.access.may_use_extension``).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access
from core.api.collections import SKIP, TOP, collection_page, odata_text
from core.api.errors import ApiError, error_responses, service_errors
from core.api.odata import STRING, FilterField, QueryOptions
from media import endpoints, selectors, services
from media.api.serializers import (
    CallCollectionOutputSerializer,
    CallCreateInputSerializer,
    CallOutputSerializer,
    CallUpdateInputSerializer,
    EndpointForwardingInputSerializer,
    EndpointOutputSerializer,
    EndpointUpdateInputSerializer,
)
from media.serializers import call_resource

EXTENSION = OpenApiParameter(
    "extension", str, OpenApiParameter.PATH, description="The extension (endpoint id)."
)
CALL_ID = OpenApiParameter(
    "callId", str, OpenApiParameter.PATH, description="The PBX call id (`7` of `endpoints/2001/calls/7`)."
)
CALL_FILTER_FIELDS = {
    "state": FilterField("state", STRING),
    "direction": FilterField("direction", STRING),
    "from": FilterField("from_number", STRING),
    "to": FilterField("to_number", STRING),
}
ODATA = [TOP, SKIP, odata_text("$filter", "e.g. `direction eq 'inbound'`.")]


class EndpointCallCollectionApi(APIView):
    accepts_application_tokens = True

    @extend_schema(
        operation_id="getEndpointCalls",
        summary="List Active Calls",
        description="The extension's calls that are not over, newest first.",
        parameters=[EXTENSION, *ODATA],
        responses={200: CallCollectionOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request: Request, extension: str) -> Response:
        options = QueryOptions.parse(request.query_params, fields=CALL_FILTER_FIELDS)
        calls = selectors.call_active_list(actor=access.request_principal(request), extension=extension)
        page = collection_page(
            request,
            calls.order_by("-created_on"),
            options,
            lambda rows: [call_resource(call) for call in rows],
        )
        return Response(page)

    @extend_schema(
        operation_id="createEndpointCall",
        summary="Make a Call",
        description="Asks the account's PBX (CSTA MakeCall) to call `to` from the extension. Answers with "
        "the caller's outbound leg once the PBX reported the call (the called extension's leg is "
        "`ringing` and published on `platform-api-media`). 409 PbxNotConfigured, 502 PbxUnavailable, "
        "504 PbxTimeout.",
        parameters=[EXTENSION],
        request=CallCreateInputSerializer,
        responses={200: CallOutputSerializer, **error_responses(400, 401, 403, 404, 409, 502, 504)},
    )
    def post(self, request: Request, extension: str) -> Response:
        payload = CallCreateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if data.get("from") and data["from"] != extension:
            raise ApiError("BadRequest", f"from must be the endpoint's extension ({extension}) when given.")
        with service_errors():
            call = services.call_make(
                actor=access.request_principal(request),
                extension=extension,
                to=data["to"],
                from_name=data.get("fromName", ""),
            )
        return Response(call_resource(call), status=status.HTTP_200_OK)


class EndpointCallDetailApi(APIView):
    accepts_application_tokens = True

    @extend_schema(
        operation_id="getEndpointCall",
        summary="Get an Active Call State",
        parameters=[EXTENSION, CALL_ID],
        responses={200: CallOutputSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, extension: str, callId: str) -> Response:
        call = selectors.call_get_or_404(
            actor=access.request_principal(request), extension=extension, call_ref=callId
        )
        return Response(call_resource(call))

    @extend_schema(
        operation_id="updateCallByEndpointId",
        summary="Change an Active Call State",
        description="`action`: answer (a ringing inbound call), end, hold (a connected call), retrieve "
        "(a held call; AlternateCall when another call of the endpoint is connected), blindTransfer and "
        "consult (`args`: the destination), supervisedTransfer and conference (`args`: the endpoint's other "
        "call id, one held and one connected). dtmf and the recording actions are 400 (not supported); an "
        "action that does not fit the call's state is 409. Answers 200 with the call (for consult the "
        "consultation call, for conference the conference call).",
        parameters=[EXTENSION, CALL_ID],
        request=CallUpdateInputSerializer,
        responses={200: CallOutputSerializer, **error_responses(400, 401, 403, 404, 409, 502, 504)},
    )
    def put(self, request: Request, extension: str, callId: str) -> Response:
        payload = CallUpdateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with service_errors():
            call = services.call_action(
                actor=access.request_principal(request),
                extension=extension,
                call_ref=callId,
                action=payload.validated_data["action"],
                args=payload.validated_data.get("args") or payload.validated_data.get("destination", ""),
            )
        return Response(call_resource(call))


class EndpointDetailApi(APIView):
    @extend_schema(
        operation_id="getEndpoint",
        summary="Get an Endpoint State",
        description="The extension's device on the PBX: `state` (idle, ringing, connected, held: its calls), "
        "`userAvailability` (dnd when DND is on, busy during a call, else available), `dnd`, "
        "`messageWaiting`, and `callForwarding` (active forwardings: type -> destination).",
        parameters=[EXTENSION],
        responses={200: EndpointOutputSerializer, **error_responses(401, 403, 404, 409, 502, 504)},
    )
    def get(self, request: Request, extension: str) -> Response:
        with service_errors():
            endpoint = endpoints.endpoint_get(actor=access.request_principal(request), extension=extension)
        return Response(endpoint)

    @extend_schema(
        operation_id="updateEndpoint",
        summary="Change an Endpoint State",
        description="`action` dnd or messageWaiting with `enabled` (CSTA SetDoNotDisturb / "
        "SetMessageWaitingIndicator); pstnRouting is 400 (not supported). Publishes the endpoint on "
        "`platform-api-media`.",
        parameters=[EXTENSION],
        request=EndpointUpdateInputSerializer,
        responses={200: EndpointOutputSerializer, **error_responses(400, 401, 403, 404, 409, 502, 504)},
    )
    def put(self, request: Request, extension: str) -> Response:
        payload = EndpointUpdateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with service_errors():
            endpoint = endpoints.endpoint_update(
                actor=access.request_principal(request),
                extension=extension,
                action=payload.validated_data["action"],
                enabled=payload.validated_data["enabled"],
            )
        return Response(endpoint)


class EndpointForwardingApi(APIView):
    @extend_schema(
        operation_id="updateEndpointForwarding",
        summary="Set Call Forward (portal extension)",
        description="Not in the CloudLink spec: CSTA SetForwarding of `type` (forwardImmediate, forwardBusy, "
        "forwardNoAns) to `destination`; a blank destination switches it off. Answers the endpoint.",
        parameters=[EXTENSION],
        request=EndpointForwardingInputSerializer,
        responses={200: EndpointOutputSerializer, **error_responses(400, 401, 403, 404, 409, 502, 504)},
    )
    def put(self, request: Request, extension: str) -> Response:
        payload = EndpointForwardingInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with service_errors():
            endpoint = endpoints.endpoint_forwarding_set(
                actor=access.request_principal(request),
                extension=extension,
                forwarding_type=payload.validated_data["type"],
                destination=payload.validated_data["destination"],
            )
        return Response(endpoint)
