"""Wire shapes of ``/identityProviders`` (CloudLink's ``identityProvider``, plus ``oidc`` beside
``saml`` and the portal's sign-in options); see docs/sso.md."""

from __future__ import annotations

from rest_framework import serializers

from sso import saml
from sso.models import IdentityProvider
from sso.sign_in import oidc_redirect_uri

SAML_RESPONSE_MAX_LENGTH = 1_000_000  # a base64 response with a few certificates is ~10-20 kB


class SamlInputSerializer(serializers.Serializer):
    issuerId = serializers.CharField(required=False, max_length=500)
    loginUrl = serializers.URLField(required=False, max_length=1000)
    logoutUrl = serializers.URLField(required=False, allow_blank=True, max_length=1000)
    certificates = serializers.CharField(
        required=False, max_length=50_000, help_text="PEM (one or more) or bare base64."
    )
    serviceProviderIssuerId = serializers.CharField(
        required=False, max_length=1000, help_text="Ignored: always the portal's."
    )
    serviceProviderReplyUrl = serializers.CharField(
        required=False, max_length=1000, help_text="Ignored: always the portal's."
    )
    metadataUrl = serializers.URLField(required=False, max_length=1000, help_text="The IdP's metadata URL.")
    metadataXml = serializers.CharField(required=False, max_length=200_000, help_text="The IdP's metadata.")


class OidcInputSerializer(serializers.Serializer):
    issuer = serializers.URLField(required=False, max_length=500)
    clientId = serializers.CharField(required=False, max_length=255)
    clientSecret = serializers.CharField(required=False, allow_blank=True, max_length=2000)


# The sign-in forms of /saml2/* as the spec lists them, with the bounds the views apply.
class Saml2StartSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=254)
    client_id = serializers.CharField(max_length=255)
    redirect_uri = serializers.CharField(max_length=2000)
    account_id = serializers.CharField(required=False, max_length=64)
    scope = serializers.CharField(required=False, max_length=1000)
    force_authn = serializers.BooleanField(required=False)
    state = serializers.CharField(required=False, max_length=2000)
    code_challenge = serializers.CharField(required=False, max_length=128)
    code_challenge_method = serializers.CharField(required=False, max_length=10)


class Saml2LogoutSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=254)
    account_id = serializers.CharField(required=False, max_length=64)


class Saml2ResponseSerializer(serializers.Serializer):
    SAMLResponse = serializers.CharField(max_length=SAML_RESPONSE_MAX_LENGTH)
    RelayState = serializers.CharField(max_length=2000)


class IdentityProviderInputSerializer(serializers.Serializer):
    accountId = serializers.CharField(required=False, max_length=64)
    type = serializers.CharField(
        required=False, max_length=40, help_text='"OIDC", or a SAML label (AZURE, OKTA).'
    )
    active = serializers.BooleanField(required=False)
    saml = SamlInputSerializer(required=False)
    oidc = OidcInputSerializer(required=False)
    ssoRequired = serializers.BooleanField(required=False)
    jitUserCreation = serializers.BooleanField(required=False)
    roleClaim = serializers.CharField(required=False, allow_blank=True, max_length=100)


SAML_NAMES = {
    "issuerId": "saml_entity_id",
    "loginUrl": "saml_login_url",
    "logoutUrl": "saml_logout_url",
    "certificates": "saml_certificates",
    "metadataUrl": "saml_metadata_url",
    "metadataXml": "saml_metadata_xml",
}
OIDC_NAMES = {"issuer": "oidc_issuer", "clientId": "oidc_client_id", "clientSecret": "oidc_client_secret"}
OPTION_NAMES = {
    "active": "active",
    "ssoRequired": "sso_required",
    "jitUserCreation": "jit_user_creation",
    "roleClaim": "role_claim",
}
FIELD_NAMES = {
    **{model: f"saml.{api}" for api, model in SAML_NAMES.items()},
    **{model: f"oidc.{api}" for api, model in OIDC_NAMES.items()},
    **{model: api for api, model in OPTION_NAMES.items()},
    "protocol": "type",
}


def protocol_of(params: dict) -> str:
    return IdentityProvider.Protocol.OIDC if params.get("type") == "OIDC" or "oidc" in params else "SAML"


def changes_from(params: dict) -> dict:
    """Service keyword arguments from validated input."""
    changes = {model: params[api] for api, model in OPTION_NAMES.items() if api in params}
    if "type" in params:
        changes["label"] = params["type"]
    for group, names in (("saml", SAML_NAMES), ("oidc", OIDC_NAMES)):
        for api, model in names.items():
            if api in params.get(group, {}):
                changes[model] = params[group][api]
    return changes


def _cert_bodies(pems: str) -> list[str]:
    return ["".join(match.group(1).split()) for match in saml.PEM.finditer(pems)]


def representation(provider: IdentityProvider, self_url: str) -> dict:
    account = provider.account
    body = {
        "accountId": str(account.account_id),
        "identityProviderId": str(provider.identity_provider_id),
        "active": provider.active,
        "type": provider.label or provider.protocol,
        "ssoRequired": provider.sso_required,
        "jitUserCreation": provider.jit_user_creation,
        "roleClaim": provider.role_claim,
        "createdOn": provider.created_on.isoformat(),
        "createdBy": str(provider.created_by.user_id) if provider.created_by else None,
        "modifiedOn": provider.modified_on.isoformat(),
        "modifiedBy": str(provider.modified_by.user_id) if provider.modified_by else None,
        "_links": {"self": self_url},
    }
    if provider.is_saml:
        body["saml"] = {
            "issuerId": provider.saml_entity_id,
            "serviceProviderIssuerId": saml.sp_entity_id(account),
            "serviceProviderReplyUrl": saml.acs_url(account),
            "loginUrl": provider.saml_login_url,
            "logoutUrl": provider.saml_logout_url,
            "certificates": _cert_bodies(provider.saml_certificates),
            "metadataUrl": provider.saml_metadata_url,
        }
    else:
        body["oidc"] = {
            "issuer": provider.oidc_issuer,
            "clientId": provider.oidc_client_id,
            "clientSecretSet": bool(provider.oidc_client_secret),
            "redirectUri": oidc_redirect_uri(account),
        }
    return body
