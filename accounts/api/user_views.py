"""Admin API (``/api/admin/2017-09-01/``): user resources.

Thin views, as for accounts: resolve the account through ``accounts.access`` (404 outside the
caller's scope, 403 in scope without ``MANAGE_USERS``), check the body's shape with a serializer,
call the user services, shape the answer. The single routes and the bulk ``PATCH`` run the same
operations (``_create``, ``_update``, ``_delete``), so both answer alike.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access, extensions, selectors, services
from accounts.access import Capability
from accounts.api.base import ACCOUNT_ID, AccountScopedApi
from accounts.api.user_serializers import (
    OP_CREATE,
    OP_DELETE,
    USER_API_FIELD_NAMES,
    USER_DEFAULT_ORDERING,
    USER_FILTER_FIELDS,
    BulkOperationSerializer,
    BulkRequestSerializer,
    BulkResponseSerializer,
    PasswordForgotResultSerializer,
    PasswordForgotSerializer,
    UserCollectionOutputSerializer,
    UserCreateSerializer,
    UserOutputSerializer,
    UsersBulkRequestSerializer,
    UserUpdateSerializer,
    user_rows,
)
from accounts.models import Account, User
from core.api.collections import ODATA_PARAMETERS, collection_page
from core.api.errors import (
    ApiError,
    error_response,
    error_responses,
    exception_handler,
    service_errors,
    validation_error,
)
from core.api.odata import QueryOptions
from core.context import correlation_id_var, new_correlation_id
from core.middleware import CORRELATION_HEADER

logger = logging.getLogger("portal.request")

USER_ID = OpenApiParameter(
    "userId", str, OpenApiParameter.PATH, description="The user's userId (GUID), or their email."
)
EMAIL = OpenApiParameter("email", str, OpenApiParameter.PATH, description="The email address.")
USER_EXPANDABLE = frozenset({"tags"})
USER_KEYSET = Lower("email")  # the default order's key (USER_DEFAULT_ORDERING), for $skiptoken cursors


# --- the operations (single routes and bulk PATCH) ------------------------------------------------


def _body(user: User, account: Account | None = None, expand: frozenset[str] = frozenset()) -> dict:
    data = UserOutputSerializer(user, context={"account": account}).data
    if "tags" in expand:
        data["tags"] = {}
    return data


def _create(actor: User, account: Account, data: Any) -> User:
    payload = UserCreateSerializer(data=data)
    payload.is_valid(raise_exception=True)
    with service_errors(USER_API_FIELD_NAMES):
        creator = extensions.user_creator(payload.validated_data.get("source") or "")
        if creator is not None:  # pushed by the PBX (docs/pbx-users.md)
            return creator(
                actor=actor, account=account, role=payload.validated_data["role"], **payload.contact_changes()
            )
        return services.user_create(
            actor=actor,
            account=account,
            role=payload.validated_data["role"],
            source=User.Source.API,
            **payload.contact_changes(),  # with the email
        )


def _update(actor: User, user: User, data: Any) -> User:
    """Partial update: the contact fields sent and a role change, all or nothing (the same
    ``user_change`` the User page's Save calls)."""
    payload = UserUpdateSerializer(data=data)
    payload.is_valid(raise_exception=True)
    with service_errors(USER_API_FIELD_NAMES):
        return services.user_change(
            actor=actor, user=user, role=payload.validated_data.get("role"), **payload.contact_changes()
        )


def _delete(actor: User, user: User) -> dict:
    """Delete; answers with the user as they were."""
    body = _body(user)
    with service_errors(USER_API_FIELD_NAMES):
        services.user_delete(actor=actor, user=user)
    return body


def _managed_user(request: Request, account: Account, user_ref: str) -> User:
    return selectors.user_get_or_404(actor=request.user, account=account, user_ref=user_ref)


# --- /accounts/{accountId}/users ------------------------------------------------------------------


class UserCollectionApi(AccountScopedApi):
    accepts_application_tokens = True  # a service token acts with its deployment's role
    accepts_assumed_roles = True  # a partner admin's assumed role acts as it
    need = Capability.MANAGE_USERS

    @classmethod
    def as_view(cls, **initkwargs):
        # Each bulk operation commits on its own, even if ATOMIC_REQUESTS is ever turned on.
        return transaction.non_atomic_requests(super().as_view(**initkwargs))

    @extend_schema(
        operation_id="users_list",
        summary="List an account's users",
        description="`$filter` and `$orderby` fields: userId, email, name, firstName, lastName, "
        "extension, mobile, phone, role, source, registered (= userVerified), emailVerified, "
        "createdOn, modifiedOn. Default order: email.",
        parameters=[ACCOUNT_ID, *ODATA_PARAMETERS],
        responses={200: UserCollectionOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request: Request, accountId: str) -> Response:
        account = self.account
        users = (
            selectors.user_list(actor=request.user, account=account)
            .select_related(None)
            .annotate(created_by_ref=F("created_by__user_id"), modified_by_ref=F("modified_by__user_id"))
        )
        options = QueryOptions.parse(
            request.query_params,
            fields=USER_FILTER_FIELDS,
            default_ordering=USER_DEFAULT_ORDERING,
            expandable=USER_EXPANDABLE,
        )

        def serialize(rows):
            items = user_rows(rows, account)
            if "tags" in options.expand:
                for item in items:
                    item["tags"] = {}
            return items

        page = collection_page(request, users, options, serialize, keyset=USER_KEYSET)
        return Response(page)

    @extend_schema(
        operation_id="users_create",
        summary="Add a user (the welcome email is queued)",
        description="Only `email` is required; `role` is USER (default) or ACCOUNT_ADMIN. The user "
        "gets the welcome email to choose a password, as when added on the console. 409 when the "
        "email is already used in this account. `source` PBX: a user pushed by the PBX (e.g. MX-ONE "
        "Provisioning Manager), which also needs an `extension` (digits, not used by another PBX user) "
        "and a `firstName` or `lastName`; at most 2,500 PBX users per account.",
        parameters=[ACCOUNT_ID],
        request=UserCreateSerializer,
        responses={201: UserOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, accountId: str) -> Response:
        account = self.account
        user = _create(request.user, account, request.data)
        location = request.build_absolute_uri(
            reverse("admin-api:user-detail", kwargs={"accountId": account.account_id, "userId": user.user_id})
        )
        return Response(_body(user, account), status=status.HTTP_201_CREATED, headers={"Location": location})

    @extend_schema(
        operation_id="users_bulk",
        summary="Create, update and delete users in one request",
        description="`{operations: [{op, id, body}]}` with `op` create (alias add), update (replace) "
        "or delete (remove); `id` (userId or email) for update and delete; `body` the user fields. "
        "Each operation runs and commits on its own: one failing does not undo the others. The "
        "answer (200) lists, in order, each operation's `statusCode`, `headers` "
        "(`x-mitel-correlation-id`) and `body` (the user, or `{name, message}`). At most 100 "
        "operations per request.",
        parameters=[ACCOUNT_ID],
        request=UsersBulkRequestSerializer,
        responses={200: BulkResponseSerializer, **error_responses(400, 401, 403, 404)},
    )
    def patch(self, request: Request, accountId: str) -> Response:
        account = self.account
        payload = BulkRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        operations = payload.validated_data["operations"]
        return Response(
            {"operations": [self._run(request, account, n, raw) for n, raw in enumerate(operations)]}
        )

    def _run(self, request: Request, account: Account, index: int, raw: dict) -> dict:
        """One operation under its own correlation id (on its audit events, emails and log line)."""
        correlation_id = new_correlation_id()
        token = correlation_id_var.set(correlation_id)
        try:
            try:
                status_code, body = self._apply(request, account, raw)
            except Exception as exc:  # one failing operation must not stop the others
                response = exception_handler(exc, {"view": self, "request": request})
                if response is None:
                    logger.exception("Bulk users operation %d failed", index)
                    response = error_response(
                        "InternalServerError",
                        f"The operation failed unexpectedly; quote correlation id {correlation_id}.",
                        status.HTTP_500_INTERNAL_SERVER_ERROR,
                    )
                status_code, body = response.status_code, response.data
            logger.info(
                "PATCH users operation %d (%s) -> %s; request %s",
                index,
                raw.get("op"),
                status_code,
                getattr(request._request, "correlation_id", "-"),
            )
        finally:
            correlation_id_var.reset(token)
        return {"statusCode": status_code, "headers": {CORRELATION_HEADER: correlation_id}, "body": body}

    def _apply(self, request: Request, account: Account, raw: dict) -> tuple[int, dict]:
        operation = BulkOperationSerializer(data=raw)
        operation.is_valid(raise_exception=True)
        op, user_ref, data = (operation.validated_data[key] for key in ("op", "id", "body"))
        if op == OP_CREATE:
            return status.HTTP_201_CREATED, _body(_create(request.user, account, data), account)
        user = _managed_user(request, account, user_ref)
        if op == OP_DELETE:
            return status.HTTP_200_OK, _delete(request.user, user)
        return status.HTTP_200_OK, _body(_update(request.user, user, data), account)


class UserDetailApi(AccountScopedApi):
    accepts_application_tokens = True  # a service token acts with its deployment's role
    accepts_assumed_roles = True  # a partner admin's assumed role acts as it
    need = Capability.MANAGE_USERS

    @extend_schema(
        operation_id="users_retrieve",
        summary="Get one user",
        parameters=[ACCOUNT_ID, USER_ID],
        responses={200: UserOutputSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, accountId: str, userId: str) -> Response:
        account = self.account
        return Response(_body(_managed_user(request, account, userId), account))

    @extend_schema(
        operation_id="users_update",
        summary="Update a user (only the fields sent)",
        description="Contact fields (email, name, firstName, lastName, extension, mobile, phone) and "
        "`role` USER <-> ACCOUNT_ADMIN. You cannot withdraw your own admin rights (403) nor the "
        "account's last admin's (400), nor change a user whose role is above yours (403). Read-only "
        "fields sent back unchanged are ignored.",
        parameters=[ACCOUNT_ID, USER_ID],
        request=UserUpdateSerializer,
        responses={200: UserOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def put(self, request: Request, accountId: str, userId: str) -> Response:
        account = self.account
        user = _update(request.user, _managed_user(request, account, userId), request.data)
        return Response(_body(user, account))

    @extend_schema(
        operation_id="users_destroy",
        summary="Delete a user",
        description="Answers with the user as they were. Not yourself (403), not a user whose role is "
        "above yours (403), not the account's last admin (400).",
        parameters=[ACCOUNT_ID, USER_ID],
        responses={200: UserOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def delete(self, request: Request, accountId: str, userId: str) -> Response:
        account = self.account
        return Response(_delete(request.user, _managed_user(request, account, userId)))


# --- /users/{userId}: the caller's own account ------------------------------------------------------


def _is_caller(request: Request, user_ref: str) -> bool:
    actor = access.acting_user(request.user)  # None for an application's own token
    if actor is None:
        return False
    text = (user_ref or "").strip()
    try:
        return uuid.UUID(text) == actor.user_id
    except ValueError:
        return "@" in text and text.lower() == actor.email.lower()


class OwnAccountUserDetailApi(APIView):
    accepts_application_tokens = True  # a service token acts with its deployment's role
    accepts_assumed_roles = True  # a partner admin's assumed role acts as it

    @extend_schema(
        operation_id="own_account_users_retrieve",
        summary="Get a user of your own account (anyone: yourself)",
        description="Admins get any user of their account; every signed-in user may get themselves.",
        parameters=[USER_ID],
        responses={200: UserOutputSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, userId: str) -> Response:
        if _is_caller(request, userId):
            return Response(_body(request.user))
        account = request.user.account
        return Response(_body(_managed_user(request, account, userId), account))

    @extend_schema(
        operation_id="own_account_users_update",
        summary="Update a user of your own account (admins)",
        description="As `PUT /accounts/{accountId}/users/{userId}` with your own account.",
        parameters=[USER_ID],
        request=UserUpdateSerializer,
        responses={200: UserOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def put(self, request: Request, userId: str) -> Response:
        account = request.user.account
        user = _update(request.user, _managed_user(request, account, userId), request.data)
        return Response(_body(user, account))


# --- /users/{email}/password: forgotten password ----------------------------------------------------

FORGOT_MESSAGE = "If this email belongs to a registered user, a password reset email is on its way."


def _reset_password_window_ms() -> int:
    """The longest window of allauth's ``reset_password`` rates ("20/m/ip,5/m/key"): a safe retry-after."""
    from allauth.account import app_settings

    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    longest = 0.0
    for rate in (app_settings.RATE_LIMITS.get("reset_password") or "").split(","):
        parts = rate.strip().split("/")
        if len(parts) >= 2 and parts[1] and parts[1][-1] in units:
            longest = max(longest, float(parts[1][:-1] or 1) * units[parts[1][-1]])
    return int((longest or 60) * 1000)


class UserPasswordApi(APIView):
    """No token: anyone may ask. The answer is the same whether or not the email exists."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="users_password_forgot",
        summary="Forgotten password: email a reset link",
        description='Body `{email, action: "forgot", accountId}`; no token needed. With `accountId` '
        "(GUID or number) only that account's user gets the email, otherwise every account's user "
        "with this email. The answer is 200 and the same whether or not such a user exists. Rate "
        "limited with the console's password-reset budget (per address and per email): 429 with "
        "`retry-after` in milliseconds.",
        parameters=[EMAIL],
        request=PasswordForgotSerializer,
        responses={200: PasswordForgotResultSerializer, **error_responses(400, 429)},
        auth=[],
    )
    def put(self, request: Request, email: str) -> Response:
        from allauth.core import ratelimit

        payload = PasswordForgotSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            validate_email(email)
        except ValidationError as exc:
            raise validation_error(ValidationError({"email": exc.messages})) from exc
        if data.get("email") and data["email"].lower() != email.lower():
            raise ApiError("ValidationError", "The email in the body differs from the one in the path.", 400)
        email = email.strip().lower()
        if not ratelimit.consume(request._request, action="reset_password", key=email):
            response = error_response(
                "TooManyRequests",
                "Too many password reset requests. Wait a minute and try again.",
                status.HTTP_429_TOO_MANY_REQUESTS,
            )
            response["retry-after"] = str(_reset_password_window_ms())
            return response
        services.user_password_forgot(email=email, account_ref=data.get("accountId") or "")
        return Response({"email": email, "action": "forgot", "message": FORGOT_MESSAGE})
