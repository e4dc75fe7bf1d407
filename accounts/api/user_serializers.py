"""Admin API shapes of a user (CloudLink's ``User`` object, docs/api.md, Admin service: users), of the bulk
``PATCH .../users`` operations and of the forgotten-password request.

Input is checked for shape here; the rules (unique email per account, who may change a role,
the last admin...) live in ``accounts.services``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import access
from accounts.api.serializers import SelfLinkSerializer
from accounts.models import Account, User
from core.api.collections import collection_serializer, service_relative
from core.api.fields import BoundedListField, TypedInputSerializer
from core.api.odata import BOOLEAN, DATETIME, GUID, FilterField

# Model / service field -> API field name (renames validation error keys).
USER_API_FIELD_NAMES = {
    "email": "email",
    "name": "name",
    "first_name": "firstName",
    "last_name": "lastName",
    "extension": "extension",
    "mobile": "mobile",
    "phone": "phone",
    "role": "role",
}
# API name -> keyword of services.user_create / user_update.
_CONTACT_FIELDS = {api: model for model, api in USER_API_FIELD_NAMES.items() if model != "role"}


# What ``$filter`` and ``$orderby`` may name on GET .../users (API name -> ORM lookup).
USER_FILTER_FIELDS: dict[str, FilterField] = {
    "userId": FilterField("user_id", GUID),
    "uniqueUserId": FilterField("user_id", GUID),
    "email": FilterField("email", order=Lower("email")),
    "name": FilterField("name", order=Lower("name")),
    "firstName": FilterField("first_name", order=Lower("first_name")),
    "lastName": FilterField("last_name", order=Lower("last_name")),
    "extension": FilterField("extension"),
    "mobile": FilterField("mobile"),
    "phone": FilterField("phone"),
    "role": FilterField("role"),
    "source": FilterField("source"),
    "registered": FilterField("is_registered", BOOLEAN),
    "userVerified": FilterField("is_registered", BOOLEAN),
    "emailVerified": FilterField("email_verified", BOOLEAN),
    "createdOn": FilterField("date_joined", DATETIME),
    "modifiedOn": FilterField("modified_at", DATETIME),
}
USER_DEFAULT_ORDERING = (Lower("email").asc(),)


def user_self_link(account_id: Any, user_id: Any) -> str:
    path = reverse("admin-api:user-detail", kwargs={"accountId": account_id, "userId": user_id})
    return service_relative(path)


# --- output -----------------------------------------------------------------------------------


class UserOutputSerializer(serializers.Serializer):
    """A user. ``context["account"]`` (the account every row belongs to) saves a query per row."""

    accountId = serializers.SerializerMethodField()
    userId = serializers.UUIDField(source="user_id")
    uniqueUserId = serializers.UUIDField(source="user_id")
    name = serializers.CharField()
    displayName = serializers.CharField(source="display_name")
    firstName = serializers.CharField(source="first_name")
    lastName = serializers.CharField(source="last_name")
    email = serializers.EmailField()
    role = serializers.CharField()
    extension = serializers.CharField()
    mobile = serializers.CharField()
    phone = serializers.CharField()
    emailVerified = serializers.BooleanField(source="email_verified")
    registered = serializers.BooleanField(source="is_registered")
    userVerified = serializers.BooleanField(source="is_registered", help_text="Same as `registered`.")
    source = serializers.CharField()
    createdBy = serializers.SerializerMethodField(
        help_text="userId of who created the user; null: the system."
    )
    createdOn = serializers.DateTimeField(source="date_joined")
    modifiedBy = serializers.SerializerMethodField(help_text="userId of who last changed the user.")
    modifiedOn = serializers.DateTimeField(source="modified_at")
    _links = serializers.SerializerMethodField()

    def _account_id(self, user: User) -> str:
        account = self.context.get("account")
        return str(account.account_id if account is not None else user.account.account_id)

    def get_accountId(self, user: User) -> str:
        return self._account_id(user)

    @extend_schema_field({"type": "string", "format": "uuid", "nullable": True})
    def get_createdBy(self, user: User) -> str | None:
        return str(user.created_by.user_id) if user.created_by_id else None

    @extend_schema_field({"type": "string", "format": "uuid", "nullable": True})
    def get_modifiedBy(self, user: User) -> str | None:
        return str(user.modified_by.user_id) if user.modified_by_id else None

    @extend_schema_field(SelfLinkSerializer)
    def get__links(self, user: User) -> dict[str, str]:
        return {"self": user_self_link(self._account_id(user), user.user_id)}


UserCollectionOutputSerializer = collection_serializer(UserOutputSerializer, "UserCollection")

_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def _datetime(value: datetime | None) -> str | None:
    """DRF's ``DateTimeField`` output (ISO 8601 in the current time zone, UTC as ``Z``) without
    its per-call settings lookups: 200 of them per page were a tenth of the page's time."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def user_rows(users: Iterable[User], account: Account) -> list[dict[str, Any]]:
    """``UserOutputSerializer``'s output for a page of one account's users, built directly (a
    100-row page in about a millisecond instead of ~80 ms of per-field serializer work). The
    rows carry ``created_by_ref`` / ``modified_by_ref`` (the userIds, as annotated by the
    collection view). ``tests/accounts/api/test_user_rows.py`` holds both outputs equal."""
    account_id = str(account.account_id)
    link = user_self_link(account_id, _PLACEHOLDER)
    rows = []
    for user in users:
        user_id = str(user.user_id)
        rows.append(
            {
                "accountId": account_id,
                "userId": user_id,
                "uniqueUserId": user_id,
                "name": user.name,
                "displayName": user.display_name,
                "firstName": user.first_name,
                "lastName": user.last_name,
                "email": user.email,
                "role": user.role,
                "extension": user.extension,
                "mobile": user.mobile,
                "phone": user.phone,
                "emailVerified": user.email_verified,
                "registered": user.is_registered,
                "userVerified": user.is_registered,
                "source": user.source,
                "createdBy": str(user.created_by_ref) if user.created_by_ref else None,
                "createdOn": _datetime(user.date_joined),
                "modifiedBy": str(user.modified_by_ref) if user.modified_by_ref else None,
                "modifiedOn": _datetime(user.modified_at),
                "_links": {"self": link.replace(_PLACEHOLDER, user_id)},
            }
        )
    return rows


# --- input ------------------------------------------------------------------------------------


def _text(max_length: int) -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=max_length)


class _UserFieldsSerializer(TypedInputSerializer):
    name = _text(150)
    firstName = _text(150)
    lastName = _text(150)
    extension = _text(30)
    mobile = _text(30)
    phone = _text(30)

    def contact_changes(self) -> dict[str, str]:
        """The contact fields sent, keyed by the services' names (null means empty)."""
        data = self.validated_data
        return {model: (data[api] or "") for api, model in _CONTACT_FIELDS.items() if api in data}


class UserCreateSerializer(_UserFieldsSerializer):
    """POST body: only ``email`` is required; ``role`` defaults to USER. Read-only fields of the
    output are ignored."""

    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(
        choices=access.exchangeable_role_names(), default=User.Role.USER, required=False
    )
    source = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=10,
        help_text="API (default) or PBX (any letter case): PBX users need an extension and a first or "
        "last name (docs/pbx-users.md).",
    )

    def validate_source(self, value: str | None) -> str:
        source = (value or "API").strip().upper() or "API"
        if source not in ("API", "PBX"):
            raise serializers.ValidationError("Use API or PBX.")
        return source


class UserUpdateSerializer(_UserFieldsSerializer):
    """PUT body: a partial update, only the fields sent change. ``role`` is USER or ACCOUNT_ADMIN;
    sending back the current role (even PARTNER_ADMIN) changes nothing, so a client may PUT back
    what it got."""

    email = serializers.EmailField(max_length=254, required=False)
    role = serializers.ChoiceField(choices=User.Role.values, required=False)


# --- bulk PATCH -----------------------------------------------------------------------------------

MAX_BULK_OPERATIONS = 100
OP_CREATE, OP_UPDATE, OP_DELETE = "create", "update", "delete"
# Accepted spellings of ``op`` (case-insensitive): JSON Patch's words and HTTP's, as aliases.
OP_ALIASES = {
    "create": OP_CREATE,
    "add": OP_CREATE,
    "post": OP_CREATE,
    "update": OP_UPDATE,
    "replace": OP_UPDATE,
    "put": OP_UPDATE,
    "patch": OP_UPDATE,
    "delete": OP_DELETE,
    "remove": OP_DELETE,
}


class BulkOperationSerializer(TypedInputSerializer):
    """One operation; checked one by one so a bad one fails alone."""

    op = serializers.CharField(help_text="create (add), update (replace) or delete (remove).")
    id = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="userId or email; update and delete."
    )
    body = serializers.DictField(
        required=False, allow_null=True, help_text="The user fields (create, update)."
    )

    def validate_op(self, value: str) -> str:
        op = OP_ALIASES.get(value.strip().lower())
        if op is None:
            raise serializers.ValidationError(
                "Unknown op; use create (or add), update (or replace) or delete (or remove)."
            )
        return op

    def validate(self, attrs: dict) -> dict:
        body = attrs.get("body") or {}
        user_ref = (attrs.get("id") or "").strip() or str(body.get("userId") or "").strip()
        if attrs["op"] != OP_CREATE and not user_ref:
            raise serializers.ValidationError({"id": "The user's id (userId or email) is required."})
        return {"op": attrs["op"], "id": user_ref, "body": body}


class BulkRequestSerializer(TypedInputSerializer):
    operations = BoundedListField(
        child=serializers.DictField(),
        max_length=MAX_BULK_OPERATIONS,
        allow_empty=True,
        error_messages={"max_length": "At most {max_length} operations per request; {count} were given."},
        help_text=f"At most {MAX_BULK_OPERATIONS}; each is `{{op, id, body}}` (see BulkOperation).",
    )


# One operation as documented: an object. Its fields are checked one operation at a time (a bad
# one fails alone, with its own 400 in the results), so the document puts no constraint on them.
_BULK_OPERATION_SCHEMA = {
    "type": "object",
    "properties": {
        "op": {"description": "create (add), update (replace) or delete (remove)."},
        "id": {"description": "userId or email; update and delete."},
        "body": {"description": "The user fields (create, update)."},
    },
}


@extend_schema_field({"type": "array", "items": _BULK_OPERATION_SCHEMA, "maxItems": MAX_BULK_OPERATIONS})
class _BulkOperationsField(serializers.ListField):
    pass


class UsersBulkRequestSerializer(serializers.Serializer):
    """The request as documented: at most 100 objects; each is checked on its own."""

    operations = _BulkOperationsField(
        help_text=f"At most {MAX_BULK_OPERATIONS}. An operation that fails its checks gets its own "
        "`{name, message}` with 400 in the results; the others still run."
    )


class BulkHeadersSerializer(serializers.Serializer):
    def get_fields(self):
        return {"x-mitel-correlation-id": serializers.CharField()}


class BulkResultSerializer(serializers.Serializer):
    statusCode = serializers.IntegerField()
    headers = BulkHeadersSerializer()
    body = serializers.DictField(help_text="The user, or `{name, message}` when the operation failed.")


class BulkResponseSerializer(serializers.Serializer):
    operations = BulkResultSerializer(many=True)


# --- forgotten password -------------------------------------------------------------------------


class PasswordForgotSerializer(TypedInputSerializer):
    """``PUT /users/{email}/password`` body. ``email`` defaults to the one in the path."""

    email = serializers.EmailField(required=False, max_length=254)
    action = serializers.ChoiceField(choices=["forgot"], default="forgot", required=False)
    accountId = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=64,
        help_text="GUID or account number; optional.",
    )


class PasswordForgotResultSerializer(serializers.Serializer):
    email = serializers.EmailField()
    action = serializers.CharField()
    message = serializers.CharField()
