"""Admin API (``/api/admin/2017-09-01/``): Synchronize an account's PBX users (docs/pbx-users.md).

Thin: resolve the account through ``accounts.access`` (404 outside the caller's scope, 403 in
scope without ``MANAGE_USERS``), check the body's shape, call the PBX sync services, shape the plan.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import Capability
from accounts.api.base import ACCOUNT_ID, AccountScopedApi
from core.api.errors import ApiError, error_responses, service_errors
from gateways.pbx_users import parse as pbx
from gateways.pbx_users import services as pbx_users_services
from gateways.pbx_users.api.serializers import (
    PbxSyncDocumentedRequestSerializer,
    PbxSyncRequestSerializer,
    PbxSyncResultSerializer,
    plan_body,
)
from gateways.pbx_users.services import PbxSyncPlanChanged


class PbxUserSyncApi(AccountScopedApi):
    need = Capability.MANAGE_USERS
    max_body_bytes = pbx.MAX_REQUEST_BYTES  # the PBX's full list (core.middleware.body_limit)

    @extend_schema(
        operation_id="pbx_users_sync",
        summary="Synchronize the account's PBX users with the PBX's full list",
        description="`users` is the PBX's full list (each user: email, extension, firstName or lastName). "
        "With `dryRun` true (default) the answer is the plan and nothing changes; with `dryRun` false "
        "the plan is computed again and applied: new users are created (source PBX, with the welcome "
        "email), changed ones updated (matched by email, else by extension), users gone from the PBX "
        "deactivated (never deleted; they come back when listed again). Invalid rows and conflicts "
        "(the email of a user not added by the PBX, yourself, the last admin, a user whose role is above "
        "yours) are reported and left "
        f"alone. Applying the same list twice changes nothing. More than {pbx.MAX_USERS:,} users: 400, "
        "nothing is written. With `planDigest` and a plan that changed since: 409 with the new plan.",
        parameters=[ACCOUNT_ID],
        request=PbxSyncDocumentedRequestSerializer,
        responses={200: PbxSyncResultSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, accountId: str) -> Response:
        account = self.account
        payload = PbxSyncRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        dry_run = data["dryRun"]
        with service_errors():
            if dry_run:
                plan = pbx_users_services.pbx_sync_preview(
                    actor=request.user, account=account, users=data["users"]
                )
            else:
                try:
                    plan = pbx_users_services.pbx_sync_apply(
                        actor=request.user,
                        account=account,
                        users=data["users"],
                        expected_digest=data.get("planDigest") or None,
                    )
                except PbxSyncPlanChanged as exc:  # the 409 carries the new plan
                    raise ApiError.from_service(exc, plan=plan_body(exc.plan, dry_run=True)) from exc
        return Response(plan_body(plan, dry_run=dry_run))
