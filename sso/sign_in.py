"""Sign-in through an account's identity provider: start (redirect to the IdP), finish (check its
answer once, find or create the user). The views then open a console session or issue an
authorization code, exactly as after a password sign-in."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, SAMLError
from saml2.response import IncorrectlySigned, StatusError, UnsolicitedResponse
from saml2.sigver import SignatureError
from saml2.validate import NotValid, ResponseLifetimeExceed, ToEarly

from accounts import access
from accounts.audit import AuditAction, audit_record
from accounts.authn import SignInError, sign_in_blocker
from accounts.models import Account, User
from accounts.services import user_create
from sso import oidc, saml
from sso.models import IdentityProvider, SsoSignIn

API_BASE = saml.API_BASE


class SsoRefused(SignInError):
    def __init__(self, message: str, name: str = "SsoSignInRefused", status: int = 400) -> None:
        super().__init__(name, message, status)


@dataclass
class Started:
    redirect_url: str
    sign_in: SsoSignIn


def oidc_redirect_uri(account: Account) -> str:
    return f"{settings.PORTAL_BASE_URL}{API_BASE}/oidc/{account.account_id}/cb"


def _idp_metadata_xml(provider: IdentityProvider) -> str:
    return provider.saml_metadata_xml or saml.metadata_build(
        saml.IdpMetadata(
            entity_id=provider.saml_entity_id,
            login_url=provider.saml_login_url,
            logout_url=provider.saml_logout_url,
            certificates=saml.certificates_from_text(provider.saml_certificates),
        )
    )


def sign_in_start(
    provider: IdentityProvider,
    *,
    next_url: str = "",
    client_request: dict | None = None,
    force_authn: bool = False,
) -> Started:
    """Record the sign-in and return the URL of the IdP's login page."""
    if not provider.active:
        raise SsoRefused("The account's identity provider is not active.", "InactiveIdentityProvider", 403)
    if not provider.account.is_active:
        raise SsoRefused("This account has been deactivated.", "InactiveAccount", 403)
    sign_in = SsoSignIn(
        provider=provider,
        state=secrets.token_urlsafe(32),
        next_url=next_url,
        client_request=client_request or {},
    )
    if provider.is_saml:
        client = saml.client(provider.account, _idp_metadata_xml(provider))
        request_id, info = client.prepare_for_authenticate(
            entityid=provider.saml_entity_id,
            relay_state=sign_in.state,
            binding=BINDING_HTTP_REDIRECT,
            force_authn="true" if force_authn else None,
        )
        sign_in.request_id = request_id
        url = dict(info["headers"])["Location"]
    else:
        try:
            document = oidc.discover(provider.oidc_issuer)
        except oidc.OidcError as exc:
            raise SsoRefused(str(exc), "IdentityProviderUnavailable", 502) from exc
        sign_in.code_verifier, challenge = oidc.pkce_pair()
        sign_in.nonce = secrets.token_urlsafe(24)
        url = oidc.authorization_url(
            document,
            client_id=provider.oidc_client_id,
            redirect_uri=oidc_redirect_uri(provider.account),
            state=sign_in.state,
            nonce=sign_in.nonce,
            code_challenge=challenge,
        )
    sign_in.save()
    return Started(redirect_url=url, sign_in=sign_in)


def _claim_sign_in(account: Account, state: str) -> SsoSignIn:
    """The pending sign-in this answer belongs to, marked used (an answer counts once)."""
    with transaction.atomic():
        sign_in = (
            SsoSignIn.objects.select_for_update()
            .select_related("provider__account")
            .filter(state=state or "-", provider__account=account)
            .first()
        )
        if sign_in is None:
            raise SsoRefused("This sign-in answer does not match a sign-in started here.")
        if sign_in.used_at is not None:
            raise SsoRefused("This sign-in answer was already used (replayed): start the sign-in again.")
        if sign_in.created_at < timezone.now() - timedelta(seconds=settings.PORTAL_SSO_SIGN_IN_SECONDS):
            raise SsoRefused("This sign-in took too long: start it again.")
        sign_in.used_at = timezone.now()
        sign_in.save(update_fields=["used_at"])
    return sign_in


SAML_REFUSALS: list[tuple[type[Exception], str]] = [
    (ResponseLifetimeExceed, "The SAML assertion has expired."),
    (ToEarly, "The SAML assertion is not valid yet (check the identity provider's clock)."),
    (
        UnsolicitedResponse,
        "This SAML response does not answer a sign-in started here (replayed or unsolicited).",
    ),
    (IncorrectlySigned, "The SAML response's signature does not match the identity provider's certificate."),
    (SignatureError, "The SAML response's signature does not match the identity provider's certificate."),
    (StatusError, "The identity provider refused the sign-in."),
]


def _saml_refusal(exc: Exception) -> str:
    text = str(exc)
    if "signature missing" in text.lower():
        return "The SAML assertion is not signed by the identity provider."
    for kind, message in SAML_REFUSALS:
        if isinstance(exc, kind):
            return message
    if "audience" in text.lower() or "AudienceRestriction" in text:
        return "The SAML assertion is meant for another service provider (wrong audience)."
    if "signed" in text.lower() or "signature" in text.lower():
        return "The SAML assertion is not signed by the identity provider."
    return f"The SAML response is not valid ({text or type(exc).__name__})."


def _saml_identity(provider: IdentityProvider, saml_response: str, request_id: str) -> tuple[str, dict]:
    client = saml.client(provider.account, _idp_metadata_xml(provider))
    try:
        response = client.parse_authn_request_response(
            saml_response, BINDING_HTTP_POST, outstanding={request_id: "/"}
        )
    except (SAMLError, NotValid, ToEarly, ResponseLifetimeExceed) as exc:
        raise SsoRefused(_saml_refusal(exc)) from exc
    except Exception as exc:  # pysaml2 raises plain Exceptions for some refusals (unsigned, audience)
        raise SsoRefused(_saml_refusal(exc)) from exc
    if response is None:
        raise SsoRefused("The SAML response holds no valid assertion (wrong audience or not signed).")
    if not response.assertion or not (response.assertion.signature or response.response.signature):
        raise SsoRefused("The SAML assertion is not signed by the identity provider.")
    attributes = {key: values[0] if len(values) == 1 else values for key, values in response.ava.items()}
    email = ""
    for name in saml.EMAIL_ATTRIBUTES:
        if attributes.get(name):
            email = attributes[name]
            break
    if not email and response.name_id is not None and "@" in (response.name_id.text or ""):
        email = response.name_id.text
    return str(email or ""), attributes


def saml_finish(account: Account, *, saml_response: str, relay_state: str) -> tuple[User, SsoSignIn]:
    sign_in = _claim_sign_in(account, relay_state)
    email, attributes = _saml_identity(sign_in.provider, saml_response, sign_in.request_id)
    return _user_for(sign_in.provider, email, attributes), sign_in


def oidc_finish(account: Account, *, code: str, state: str) -> tuple[User, SsoSignIn]:
    sign_in = _claim_sign_in(account, state)
    provider = sign_in.provider
    try:
        document = oidc.discover(provider.oidc_issuer)
        claims = oidc.code_exchange(
            document,
            client_id=provider.oidc_client_id,
            client_secret=provider.oidc_client_secret,
            code=code,
            code_verifier=sign_in.code_verifier,
            redirect_uri=oidc_redirect_uri(account),
            nonce=sign_in.nonce,
        )
    except oidc.OidcError as exc:
        raise SsoRefused(str(exc)) from exc
    if claims.get("email") and claims.get("email_verified") is False:
        raise SsoRefused("The identity provider has not verified this email address.")
    return _user_for(provider, str(claims.get("email") or ""), claims), sign_in


def _mapped_role(provider: IdentityProvider, claims: dict[str, Any]) -> str | None:
    if not provider.role_claim:
        return None
    value = claims.get(provider.role_claim)
    if isinstance(value, list):
        value = value[0] if value else None
    role = str(value or "").strip().upper()
    if access.is_user_role(role) and access.role_fits_account(role, provider.account):
        return role
    return None


@transaction.atomic
def _user_for(provider: IdentityProvider, email: str, claims: dict[str, Any]) -> User:
    """The account's user with this email (created just in time when the provider allows it),
    with the role the claim names; refused when the user may not sign in."""
    if not email:
        raise SsoRefused("The identity provider sent no email address for this user.")
    account = provider.account
    role = _mapped_role(provider, claims)
    user = User.objects.select_related("account").filter(account=account, email__iexact=email).first()
    if user is None:
        if not provider.jit_user_creation:
            raise SsoRefused(
                f"{email} is not a user of this account; ask an administrator to add you.",
                "NoneMatching",
                403,
            )
        user = user_create(
            actor=None,
            account=account,
            email=email,
            role=role or User.Role.USER,
            source=User.Source.MANUAL,
            send_welcome=False,
        )
    changed = []
    if not user.is_registered:
        user.is_registered, user.email_verified = True, True
        changed += ["is_registered", "email_verified"]
    if role and user.role != role:
        user.role = role
        changed.append("role")
    if changed:
        user.save(update_fields=changed)
    blocked = sign_in_blocker(user)
    if blocked is not None:
        raise blocked
    audit_record(
        actor=user,
        account=account,
        action=AuditAction.USER_SIGNED_IN_SSO,
        target=user,
        after={"protocol": provider.protocol, **({"role": role} if role else {})},
    )
    return user
