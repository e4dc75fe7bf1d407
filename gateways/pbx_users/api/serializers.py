"""Admin API shapes of the PBX user Synchronize operation (docs/pbx-users.md).

The rules (who is matched, created, updated, deactivated, what conflicts) are in
``gateways.pbx_users.services``; here the request's shape and the plan's wire form.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import TypedInputSerializer
from gateways.pbx_users import parse as pbx
from gateways.pbx_users.services import PbxSyncPlan, SyncProblem

# Model field -> API field name in the plan's changes.
_API_NAMES = {
    "email": "email",
    "extension": "extension",
    "first_name": "firstName",
    "last_name": "lastName",
    "is_active": "active",
}


# One user of the PBX's list, as documented: an object. Each row is validated by the service, so a
# bad row is reported in ``errors`` instead of refusing the whole list: the document puts no
# constraint on the fields and says what a valid row needs.
_PBX_USER_SCHEMA = {
    "type": "object",
    "description": "A row needs an email and an extension (each unique in the list) and a firstName or "
    "lastName; a row without them is reported in `errors`, the others are still synchronized.",
    "properties": {
        "extension": {"description": f"Digits, at most {pbx.EXTENSION_MAX_LENGTH}."},
        "firstName": {"description": f"At most {pbx.NAME_MAX_LENGTH} characters."},
        "lastName": {"description": f"At most {pbx.NAME_MAX_LENGTH} characters."},
        "email": {"description": f"At most {pbx.EMAIL_MAX_LENGTH} characters."},
        "role": {
            "description": "USER (default) or ACCOUNT_ADMIN; for new users only, never changed by a sync.",
        },
    },
}


@extend_schema_field({"type": "array", "items": _PBX_USER_SCHEMA, "maxItems": pbx.MAX_USERS})
class _PbxUsersField(serializers.ListField):
    pass


class PbxSyncRequestSerializer(TypedInputSerializer):
    users = serializers.ListField(
        child=serializers.DictField(),
        allow_empty=True,
        help_text=f"The PBX's full user list, at most {pbx.MAX_USERS:,}. Keys may also be snake_case "
        "(first_name, last_name), as in the PBX simulator's users file.",
    )
    dryRun = serializers.BooleanField(
        default=True, required=False, help_text="true (default): only compute the plan; false: apply it."
    )
    planDigest = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="With dryRun false: the preview's planDigest; if the plan differs now, nothing is "
        "applied and the answer is 409 with the new plan.",
    )


class PbxSyncDocumentedRequestSerializer(PbxSyncRequestSerializer):
    users = _PbxUsersField(
        help_text=f"The PBX's full user list, at most {pbx.MAX_USERS:,} objects. Keys may also be snake_case "
        "(first_name, last_name), as in the PBX simulator's users file."
    )


class PbxSyncCountsSerializer(serializers.Serializer):
    listed = serializers.IntegerField()
    create = serializers.IntegerField()
    update = serializers.IntegerField()
    remove = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    errors = serializers.IntegerField()
    conflicts = serializers.IntegerField()


class PbxSyncCreateSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Position in the list (the first user is 1).")
    email = serializers.EmailField()
    extension = serializers.CharField()
    firstName = serializers.CharField()
    lastName = serializers.CharField()
    role = serializers.CharField()


class PbxSyncChangeSerializer(serializers.Serializer):
    def get_fields(self):
        return {"from": serializers.JSONField(), "to": serializers.JSONField()}


class PbxSyncUpdateSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    userId = serializers.UUIDField()
    email = serializers.EmailField(help_text="The email after the update.")
    extension = serializers.CharField()
    changes = serializers.DictField(
        child=PbxSyncChangeSerializer(),
        help_text="email, extension, firstName, lastName; active (false -> true) for a returning user.",
    )


class PbxSyncRemovalSerializer(serializers.Serializer):
    userId = serializers.UUIDField()
    email = serializers.EmailField()
    extension = serializers.CharField()
    action = serializers.CharField(help_text="Always `deactivate`: users gone from the PBX are not deleted.")


class PbxSyncProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="null: an existing user not in the list.")
    email = serializers.CharField()
    extension = serializers.CharField()
    message = serializers.CharField()


class PbxSyncResultSerializer(serializers.Serializer):
    dryRun = serializers.BooleanField()
    applied = serializers.BooleanField()
    planDigest = serializers.CharField()
    counts = PbxSyncCountsSerializer()
    creates = PbxSyncCreateSerializer(many=True)
    updates = PbxSyncUpdateSerializer(many=True)
    removals = PbxSyncRemovalSerializer(many=True)
    errors = PbxSyncProblemSerializer(many=True, help_text="Invalid rows; their existing user is left as is.")
    conflicts = PbxSyncProblemSerializer(
        many=True,
        help_text="Rows or users left as is: the email of a non-PBX user, yourself, the last admin.",
    )


def _problem(problem: SyncProblem) -> dict[str, Any]:
    return {
        "row": problem.number,
        "email": problem.email,
        "extension": problem.extension,
        "message": problem.message,
    }


def plan_body(plan: PbxSyncPlan, *, dry_run: bool) -> dict[str, Any]:
    """The plan (preview) or what was done (applied) on the wire."""
    return {
        "dryRun": dry_run,
        "applied": plan.applied,
        "planDigest": plan.digest,
        "counts": plan.counts,
        "creates": [
            {
                "row": e.number,
                "email": e.email,
                "extension": e.extension,
                "firstName": e.first_name,
                "lastName": e.last_name,
                "role": e.role,
            }
            for e in plan.creates
        ],
        "updates": [
            {
                "row": u.entry.number,
                "userId": str(u.user.user_id),
                "email": u.entry.email,
                "extension": u.entry.extension,
                "changes": {_API_NAMES[k]: {"from": a, "to": b} for k, (a, b) in u.changes.items()},
            }
            for u in plan.updates
        ],
        "removals": [
            {
                "userId": str(user.user_id),
                "email": user.email,
                "extension": user.extension,
                "action": "deactivate",
            }
            for user in plan.removals
        ],
        "errors": [_problem(p) for p in plan.errors],
        "conflicts": [_problem(p) for p in plan.conflicts],
    }
