"""Authentication API shapes of third-party applications (``/applications``, ``/apps``).

An ``application`` (the spec's object) is seen from one account: the owning partner sees its
registration (``active`` = approved, plus the registration's own fields: ``id``, ``status``,
``mitelApp``...); a customer account sees its deployment (its name, redirect URIs and ``active``;
``active`` is false while the operator has the application blocked).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from accounts.api.serializers import SelfLinkSerializer
from core.api.collections import collection_serializer, service_relative
from core.api.fields import BoundedListField, TypedInputSerializer
from core.api.odata import BOOLEAN, DATETIME, FilterField
from oauth.applications.services import MAX_DESCRIPTION_LENGTH, MAX_REDIRECT_URI_LENGTH, MAX_REDIRECT_URIS
from oauth.models import Application, ApplicationDeployment

# What ``$filter`` and ``$orderby`` may name on GET /apps.
DEPLOYMENT_FILTER_FIELDS: dict[str, FilterField] = {
    "applicationId": FilterField("application__client_id"),
    "name": FilterField("name"),
    "active": FilterField("active", BOOLEAN),
    "createdOn": FilterField("created_at", DATETIME),
}
REGISTRATION_FILTER_FIELDS: dict[str, FilterField] = {
    "applicationId": FilterField("client_id"),
    "name": FilterField("name"),
    "status": FilterField("status"),
    "createdOn": FilterField("created_at", DATETIME),
}

# CloudLink's default password rule for third-party applications.
THIRD_PARTY_PASSWORD_RULES = [
    {
        "minLength": 8,
        "maxLength": 128,
        "mustContain": [],
        "mustContainNumber": True,
        "mustContainLetter": True,
        "mustContainUpperAndLowercaseLetters": True,
        "mustNotContainSpaces": False,
    }
]


def _user_ref(user) -> str | None:
    return str(user.user_id) if user is not None else None


def _self(ref: str) -> dict[str, str]:
    return {"self": service_relative(reverse("authentication-api:application-detail", args=[ref]))}


def registration_representation(app: Application) -> dict[str, Any]:
    """The application as its owning partner sees it. ``applicationId`` is null while pending
    (the client ID is issued on approval); ``id`` addresses it until then."""
    owner = str(app.owner.account_id)
    return {
        "applicationId": app.client_id,
        "accountId": owner,
        "partnerId": owner,
        "active": app.status == Application.Status.APPROVED,
        "name": app.name,
        "description": app.description,
        "redirectUris": list(app.redirect_uris),
        "createdOn": app.created_at.isoformat(),
        "createdBy": _user_ref(app.created_by),
        "modifiedOn": (app.reviewed_at or app.created_at).isoformat(),
        "modifiedBy": _user_ref(app.reviewed_by or app.created_by),
        "id": app.pk,
        "status": app.status,
        "statusReason": app.status_reason,
        "mitelApp": app.mitel_app,
        "clientType": app.client_type,
        "contactEmail": app.contact_email,
        "_links": _self(app.client_id or str(app.pk)),
    }


def deployment_representation(deployment: ApplicationDeployment) -> dict[str, Any]:
    """The application as deployed in one customer account."""
    app, account = deployment.application, deployment.account
    partner = account.parent if account.parent_id else account
    return {
        "applicationId": app.client_id,
        "accountId": str(account.account_id),
        "partnerId": str(partner.account_id),
        "active": deployment.active and app.status == Application.Status.APPROVED,
        "name": deployment.name or app.name,
        "description": deployment.description or app.description,
        "redirectUris": list(deployment.redirect_uris or app.redirect_uris),
        "createdOn": deployment.created_at.isoformat(),
        "createdBy": _user_ref(deployment.created_by),
        "modifiedOn": deployment.modified_at.isoformat(),
        "modifiedBy": None,
        "status": app.status,
        "mitelApp": app.mitel_app,
        "role": deployment.role,
        "_links": _self(app.client_id),
    }


def legacy_representation(app: Application) -> dict[str, Any]:
    """The spec's ``legacyApplication``: public metadata the sign-in page reads."""
    return {
        "name": app.name,
        "active": app.status == Application.Status.APPROVED,
        "logoUrl": "",
        "providers": [],
        "theme": "",
        "links": [],
        "passwordRules": THIRD_PARTY_PASSWORD_RULES,
        "requiredAttributes": [],
        "optionalAttributes": [],
        "supportedCountries": [],
    }


# --- Input ---------------------------------------------------------------------------------------


def _redirect_uris(**kwargs) -> BoundedListField:
    return BoundedListField(
        child=serializers.CharField(max_length=MAX_REDIRECT_URI_LENGTH),
        max_length=MAX_REDIRECT_URIS,
        error_messages={"max_length": "At most {max_length} redirect URIs are allowed; {count} were given."},
        **kwargs,
    )


class ApplicationCreateInputSerializer(TypedInputSerializer):
    """``applicationsPostRequest``; ``mitelApp``, ``contactEmail`` and ``clientType`` are this
    console's additions (defaults: the name, the caller's email, public: CloudLink's registration
    has no client type, and its clients exchange codes with the client ID alone)."""

    name = serializers.CharField(max_length=120)
    description = serializers.CharField(allow_blank=True, max_length=MAX_DESCRIPTION_LENGTH)
    accountId = serializers.CharField(required=False, max_length=64)
    applicationId = serializers.CharField(
        required=False, max_length=200, help_text="Not allowed: generated on approval."
    )
    active = serializers.BooleanField(required=False, help_text="Ignored: false until approved.")
    redirectUris = _redirect_uris(required=False)
    mitelApp = serializers.CharField(required=False, max_length=100)
    contactEmail = serializers.EmailField(required=False, max_length=254)
    clientType = serializers.ChoiceField(choices=Application.ClientType.values, required=False)


class ApplicationPutInputSerializer(TypedInputSerializer):
    """``applicationPutRequest`` plus ``accountId`` and ``description`` (as the Postman collection
    sends them): deploy the application to ``accountId`` (default: the token's account)."""

    accountId = serializers.CharField(required=False, max_length=64)
    name = serializers.CharField(required=False, allow_blank=True, max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, max_length=MAX_DESCRIPTION_LENGTH)
    redirectUris = _redirect_uris(
        required=False,
        help_text="The account's own redirect URIs, saved as given (placeholders too); /authorize "
        "accepts only an exact match that is an absolute http(s) URL.",
    )
    active = serializers.BooleanField(required=False, default=True)
    role = serializers.ChoiceField(
        choices=ApplicationDeployment.Role.values,
        required=False,
        help_text="What the application's own token (client_credentials) may do in the account: "
        "USER (the default on a new deployment) or ACCOUNT_ADMIN.",
    )


# --- Output (documentation only: the representations above build the bodies) ------------------


class ApplicationOutputSerializer(serializers.Serializer):
    applicationId = serializers.CharField(allow_null=True)
    accountId = serializers.UUIDField()
    partnerId = serializers.UUIDField()
    active = serializers.BooleanField()
    name = serializers.CharField()
    description = serializers.CharField()
    redirectUris = serializers.ListField(child=serializers.CharField())
    createdOn = serializers.DateTimeField()
    createdBy = serializers.CharField(allow_null=True)
    modifiedOn = serializers.DateTimeField()
    modifiedBy = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=Application.Status.values)
    mitelApp = serializers.CharField()
    id = serializers.IntegerField(required=False, help_text="Registration number (owning partner only).")
    role = serializers.ChoiceField(
        choices=ApplicationDeployment.Role.values,
        required=False,
        help_text="A deployment's role: what the application's own token may do in the account.",
    )
    _links = SelfLinkSerializer()


ApplicationCollectionOutputSerializer = collection_serializer(
    ApplicationOutputSerializer, "ApplicationCollection"
)


class LegacyApplicationOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    active = serializers.BooleanField()
    logoUrl = serializers.CharField()
    providers = serializers.ListField(child=serializers.DictField())
    theme = serializers.CharField()
    links = serializers.ListField(child=serializers.DictField())
    passwordRules = serializers.ListField(child=serializers.DictField())
    requiredAttributes = serializers.ListField(child=serializers.CharField())
    optionalAttributes = serializers.ListField(child=serializers.CharField())
    supportedCountries = serializers.ListField(child=serializers.CharField())
