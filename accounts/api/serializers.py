"""Admin API shapes of an account (CloudLink's ``Account`` object, docs/api.md, Admin service: accounts).

Input is validated for shape here and for content by the console's forms (``AccountCreateForm``,
``AccountForm``); the rules themselves live in ``accounts.services``.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import MAX_SUPPORT_CONTACTS, Account
from accounts.services.account_services import too_many_support_contacts
from core.api.collections import collection_serializer, service_relative
from core.api.fields import TypedInputSerializer
from core.api.odata import BOOLEAN, DATETIME, GUID, FilterField

# Form / model field -> API field name (used to rename validation error keys).
API_FIELD_NAMES = {
    "name": "name",
    "country": "country",
    "province_state": "stateOrProvince",
    "address": "street",
    "city": "city",
    "postal_code": "zipCode",
    "default_language": "languageCode",
    "business_type": "businessType",
    "support_contacts": "supportContacts",
}

# Flat API name -> form field; the nested ``location.address`` object uses the same names.
_ADDRESS_FIELDS = {
    "street": "address",
    "city": "city",
    "stateOrProvince": "province_state",
    "zipCode": "postal_code",
    "country": "country",
}
_TOP_LEVEL_FIELDS = {"name": "name", "languageCode": "default_language", "businessType": "business_type"}


def _partner_id_q(suffix: str, value: Any) -> Q:
    """partnerId is the partner's account number: the parent's, or a partner account's own."""
    return Q(**{f"parent__account_number__{suffix}": value}) | Q(
        kind=Account.Kind.PARTNER, **{f"account_number__{suffix}": value}
    )


def _active_to_status(value: bool) -> str:
    return Account.Status.ACTIVE if value else Account.Status.DEACTIVATED


# What ``$filter`` and ``$orderby`` may name on GET /accounts (API name -> ORM lookup).
ACCOUNT_FILTER_FIELDS: dict[str, FilterField] = {
    "accountId": FilterField("account_id", GUID),
    "accountNumber": FilterField("account_number"),
    "name": FilterField("name", order=Lower("name")),
    "partnerId": FilterField("parent__account_number", build=_partner_id_q),
    "active": FilterField("status", BOOLEAN, to_db=_active_to_status),
    "status": FilterField("status"),
    "languageCode": FilterField("default_language"),
    "businessType": FilterField("business_type"),
    "pbxType": FilterField("pbx_type"),
    "createdOn": FilterField("created_at", DATETIME),
    "modifiedOn": FilterField("modified_at", DATETIME),
    "street": FilterField("address"),
    "city": FilterField("city"),
    "stateOrProvince": FilterField("province_state"),
    "zipCode": FilterField("postal_code"),
    "country": FilterField("country"),
}
for _api_name in _ADDRESS_FIELDS:
    ACCOUNT_FILTER_FIELDS[f"location/address/{_api_name}"] = ACCOUNT_FILTER_FIELDS[_api_name]
ACCOUNT_DEFAULT_ORDERING = (Lower("name").asc(),)
ACCOUNT_EXPANDABLE = frozenset({"tags"})


# --- output -----------------------------------------------------------------------------------


class AddressOutputSerializer(serializers.Serializer):
    street = serializers.CharField(source="address")
    city = serializers.CharField()
    stateOrProvince = serializers.CharField(source="province_state")
    zipCode = serializers.CharField(source="postal_code")
    country = serializers.CharField()


class LocationOutputSerializer(serializers.Serializer):
    address = AddressOutputSerializer(source="*")


class PolicyOutputSerializer(serializers.Serializer):
    allowGuestAccess = serializers.BooleanField(source="allow_guest_access")
    allowProxyAuthentication = serializers.BooleanField(source="delegated_authentication")
    adminsRequireSecondFactor = serializers.BooleanField(
        source="admins_require_second_factor",
        help_text="The account's admins sign in with a second factor (portal extension, docs/mfa.md).",
    )


class SelfLinkSerializer(serializers.Serializer):
    self = serializers.CharField()


class AccountOutputSerializer(serializers.Serializer):
    accountId = serializers.UUIDField(source="account_id")
    accountNumber = serializers.CharField(source="account_number")
    name = serializers.CharField()
    partnerId = serializers.SerializerMethodField(help_text="Account number of the partner account.")
    active = serializers.BooleanField(source="is_active")
    status = serializers.CharField()
    languageCode = serializers.CharField(source="default_language")
    businessType = serializers.CharField(source="business_type")
    policy = PolicyOutputSerializer(source="*")
    location = LocationOutputSerializer(source="*")
    supportContacts = serializers.SerializerMethodField()
    pbxType = serializers.CharField(source="pbx_type")
    createdOn = serializers.DateTimeField(source="created_at")
    modifiedOn = serializers.DateTimeField(source="modified_at")
    _links = serializers.SerializerMethodField()

    def get_partnerId(self, account: Account) -> str:
        return account.account_number if account.is_partner else account.parent.account_number

    def get_supportContacts(self, account: Account) -> list[str]:
        return [contact.email for contact in account.support_contacts.all()]

    @extend_schema_field(SelfLinkSerializer)
    def get__links(self, account: Account) -> dict[str, str]:
        path = reverse("admin-api:account-detail", kwargs={"accountId": account.account_id})
        return {"self": service_relative(path)}

    def to_representation(self, account: Account) -> dict[str, Any]:
        data = super().to_representation(account)
        if "tags" in self.context.get("expand", ()):
            data["tags"] = {}
        return data


AccountCollectionOutputSerializer = collection_serializer(AccountOutputSerializer, "AccountCollection")


# --- input ------------------------------------------------------------------------------------


_EMAIL_SCHEMA = {"type": "string", "format": "email", "maxLength": 254}


@extend_schema_field(
    {
        "oneOf": [
            {
                "type": "array",
                "maxItems": MAX_SUPPORT_CONTACTS,
                "items": {
                    "oneOf": [
                        _EMAIL_SCHEMA,
                        {"type": "object", "properties": {"email": _EMAIL_SCHEMA}, "required": ["email"]},
                    ]
                },
            },
            {"type": "string", "maxLength": MAX_SUPPORT_CONTACTS * 255, "description": "Comma-separated."},
        ],
        "description": f"At most {MAX_SUPPORT_CONTACTS} emails: a list, a comma-separated string, or a "
        "list of `{email}` objects.",
    }
)
class EmailListField(serializers.Field):
    """A list of at most ``MAX_SUPPORT_CONTACTS`` emails; also accepts one comma-separated string
    or ``[{"email": ...}]``. A longer list is refused before its items are looked at."""

    default_error_messages = {"invalid": "Expected a list of email addresses."}

    def to_internal_value(self, data: Any) -> list[str]:
        if isinstance(data, str):
            emails = [part for part in re.split(r"[,;\s]+", data) if part]
        elif isinstance(data, list):
            emails = [self._email(item) for item in data]
        else:
            self.fail("invalid")
        emails = [email for email in emails if email]
        count = len({email.lower() for email in emails})
        if count > MAX_SUPPORT_CONTACTS:
            raise serializers.ValidationError(too_many_support_contacts(count))
        return emails

    def _email(self, item: Any) -> str:
        if isinstance(item, dict):
            item = item.get("email")
        if not isinstance(item, str):
            self.fail("invalid")
        return item.strip()

    def to_representation(self, value: list[str]) -> list[str]:
        return list(value)


def _text(model_field: str, **kwargs) -> serializers.CharField:
    """An optional text field as long as the ``Account`` model's column (the OpenAPI ``maxLength``)."""
    max_length = Account._meta.get_field(model_field).max_length
    return serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=max_length, **kwargs
    )


class AddressInputSerializer(TypedInputSerializer):
    street = _text("address")
    city = _text("city")
    stateOrProvince = _text("province_state")
    zipCode = _text("postal_code")
    country = _text("country", help_text="ISO 3166 alpha-2 code, e.g. SE.")


class LocationInputSerializer(TypedInputSerializer):
    address = AddressInputSerializer(required=False)


class PolicyInputSerializer(TypedInputSerializer):
    allowGuestAccess = serializers.BooleanField(required=False)
    allowProxyAuthentication = serializers.BooleanField(required=False)
    adminsRequireSecondFactor = serializers.BooleanField(
        required=False, help_text="Partner admins only (docs/mfa.md); others get 403."
    )


class AccountInputSerializer(TypedInputSerializer):
    """POST and PUT body: the nested CloudLink shape or the same names flat. Read-only fields of
    the output (``accountId``, ``createdOn``, ``_links``...) are ignored, so a client may PUT back
    what it got."""

    name = _text("name")
    languageCode = _text("default_language")
    businessType = _text("business_type")
    location = LocationInputSerializer(required=False)
    street = _text("address")
    city = _text("city")
    stateOrProvince = _text("province_state")
    zipCode = _text("postal_code")
    country = _text("country")
    supportContacts = EmailListField(required=False)
    policy = PolicyInputSerializer(required=False)
    active = serializers.BooleanField(required=False)

    def form_changes(self) -> dict[str, str]:
        """The provided customer-information fields, keyed by form field name."""
        data = self.validated_data
        changes: dict[str, str] = {}
        for api_name, form_name in (_TOP_LEVEL_FIELDS | _ADDRESS_FIELDS).items():
            if api_name in data:
                changes[form_name] = data[api_name] or ""
        address = (data.get("location") or {}).get("address") or {}
        for api_name, form_name in _ADDRESS_FIELDS.items():
            if api_name in address:
                changes[form_name] = address[api_name] or ""
        return changes
