"""Notifications service (CloudLink ``notifications.api.mitel.io/2017-09-01``), mounted at
/api/notifications/2017-09-01/.

A subscription belongs to the caller's account and principal (a user, or an application with a
client_credentials token); another principal's subscription is 404. Guest tokens get 403. Its
signing secret is in the create answer and the rotate answer only.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access
from accounts.access import PrincipalKind
from core.api.collections import ODATA_PARAMETERS, collection_page
from core.api.errors import ApiError, error_responses, service_errors
from core.api.odata import QueryOptions
from notifications import selectors, services
from notifications.api.serializers import (
    SUBSCRIPTION_DEFAULT_ORDERING,
    SUBSCRIPTION_FILTER_FIELDS,
    SubscriptionCollectionSerializer,
    SubscriptionInputSerializer,
    SubscriptionOutputSerializer,
    SubscriptionWithSecretSerializer,
)

SUBSCRIPTION_ID = OpenApiParameter("subscriptionId", str, OpenApiParameter.PATH, description="32 hex digits.")


def _caller(request: Request):
    """(account, principal id, user or None) of the caller; guests are refused."""
    principal = access.request_principal(request)
    if principal.kind is PrincipalKind.GUEST:
        raise ApiError("InsufficientPermissions", "Guest tokens cannot manage subscriptions.", 403)
    return principal.account, principal.principal_id, principal.user


class _NotificationsApi(APIView):
    accepts_token_principals = True  # applications may subscribe; guests are refused in _caller

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.account, self.principal_id, self.caller_user = _caller(request)


class SubscriptionCollectionApi(_NotificationsApi):
    @extend_schema(
        operation_id="subscriptions_list",
        summary="List your subscriptions",
        parameters=ODATA_PARAMETERS,
        responses={200: SubscriptionCollectionSerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        options = QueryOptions.parse(
            request.query_params,
            fields=SUBSCRIPTION_FILTER_FIELDS,
            default_ordering=SUBSCRIPTION_DEFAULT_ORDERING,
        )
        rows = selectors.subscription_list_for_principal(account=self.account, principal_id=self.principal_id)
        page = collection_page(
            request, rows, options, lambda items: SubscriptionOutputSerializer(items, many=True).data
        )
        return Response(page)

    @extend_schema(
        operation_id="subscriptions_create",
        summary="Subscribe a webhook to a topic",
        description=(
            "Publications of `topic` in your account whose subject matches `subjectFilter` and that "
            "`publicationFilter` (JSONPath over `{publications: [publication]}`) selects are POSTed "
            "to `deviceId`, signed with the subscription's `secret` (in this answer only). Webhook "
            "addresses must be public (loopback, private, link-local and metadata addresses are "
            "refused unless the operator allows them)."
        ),
        request=SubscriptionInputSerializer,
        responses={201: SubscriptionWithSecretSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        payload = SubscriptionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        with service_errors():
            subscription = services.subscription_create(
                account=self.account,
                principal_id=self.principal_id,
                user=self.caller_user,
                application_id=data["applicationId"],
                device_id=data["deviceId"],
                transport=data["transport"],
                topic=data["topic"],
                subject_filter=data["subjectFilter"],
                publication_filter=data["publicationFilter"],
            )
        return Response(SubscriptionWithSecretSerializer(subscription).data, status=status.HTTP_201_CREATED)


class _OneSubscriptionApi(_NotificationsApi):
    def _get(self, subscriptionId: str):
        return selectors.subscription_get_or_404(
            account=self.account, principal_id=self.principal_id, subscription_id=subscriptionId
        )


class SubscriptionDetailApi(_OneSubscriptionApi):
    @extend_schema(
        operation_id="subscriptions_retrieve",
        summary="Get one of your subscriptions",
        parameters=[SUBSCRIPTION_ID],
        responses={200: SubscriptionOutputSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, subscriptionId: str) -> Response:
        return Response(SubscriptionOutputSerializer(self._get(subscriptionId)).data)

    @extend_schema(
        operation_id="subscriptions_delete",
        summary="Unsubscribe",
        parameters=[SUBSCRIPTION_ID],
        responses={200: SubscriptionOutputSerializer, **error_responses(401, 403, 404)},
    )
    def delete(self, request: Request, subscriptionId: str) -> Response:
        subscription = self._get(subscriptionId)
        body = SubscriptionOutputSerializer(subscription).data
        services.subscription_delete(subscription=subscription)
        return Response(body)


class SubscriptionSecretApi(_OneSubscriptionApi):
    @extend_schema(
        operation_id="subscriptions_secret_rotate",
        summary="Replace the signing secret",
        description=(
            "Gives the subscription a new `secret` (in this answer only); deliveries from now on are "
            "signed with it, the old one stops working at once."
        ),
        parameters=[SUBSCRIPTION_ID],
        request=None,
        responses={200: SubscriptionWithSecretSerializer, **error_responses(401, 403, 404)},
    )
    def post(self, request: Request, subscriptionId: str) -> Response:
        subscription = services.subscription_secret_rotate(subscription=self._get(subscriptionId))
        return Response(SubscriptionWithSecretSerializer(subscription).data)
