"""Reads for the Media API: who may act on which extension, the account's PBX, an extension's calls."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accounts import access
from accounts.access import Principal
from accounts.models import Account, User
from gateways.models import Pbx
from media.models import Call, CallState

OWN_EXTENSION_ONLY = (
    "Only administrators and applications acting for a user (delegated tokens) may use another "
    "user's extension: you may place and control calls on your own extension only."
)


def endpoint_account(*, actor: User | Principal, extension: str) -> Account:
    """The account whose PBX serves ``extension`` for this actor (the actor's own account), after
    ``access.may_use_extension``: admins, delegated tokens and service tokens deployed as
    ACCOUNT_ADMIN may act on any extension of the account, a USER only on User.extension (a
    service token deployed as USER on none). Raises PermissionDenied (403)."""
    principal = access.principal_of(actor)
    if principal is None or principal.account is None or not access.in_scope(principal, principal.account):
        raise Http404("No such account.")
    if not access.may_use_extension(principal, extension):
        raise PermissionDenied(OWN_EXTENSION_ONLY)
    return principal.account


def pbx_for_account(account: Account) -> Pbx | None:
    """The PBX behind the account's gateway (None when the account has no gateway or no PBX yet)."""
    return Pbx.objects.select_related("gateway").filter(gateway__account=account).first()


def user_for_extension(account: Account, extension: str) -> User | None:
    if not extension:
        return None
    return User.objects.filter(account=account, extension=extension).order_by("pk").first()


def call_active_list(*, actor: User | Principal, extension: str) -> QuerySet[Call]:
    """The extension's calls that are not over (the spec's "List Active Calls"), newest first."""
    account = endpoint_account(actor=actor, extension=extension)
    return Call.objects.for_account(account).filter(endpoint=extension).exclude(state=CallState.COMPLETED)


def call_leg(account: Account, extension: str, call_number: str) -> Call | None:
    """The newest leg of a PBX call on an extension (PBXs reuse call ids: older legs are over)."""
    return Call.objects.for_account(account).filter(endpoint=extension, call_number=call_number).first()


def call_get_or_404(*, actor: User | Principal, extension: str, call_ref: str) -> Call:
    """``call_ref``: the PBX call number (``7``) or the full id (``endpoints/2001/calls/7``)."""
    account = endpoint_account(actor=actor, extension=extension)
    number = call_number_from_ref(extension, call_ref)
    call = call_leg(account, extension, number) if number else None
    if call is None:
        raise Http404(f"No call {call_ref} on endpoint {extension}.")
    return call


def call_number_from_ref(extension: str, call_ref: str) -> str:
    ref = call_ref.strip("/")
    prefix = f"endpoints/{extension}/calls/"
    if ref.startswith(prefix):
        ref = ref[len(prefix) :]
    return "" if "/" in ref else ref


def call_live_for_extension(account: Account, extension: str, *, limit: int = 20) -> list[Call]:
    """The extension's calls that are not over, newest first (the console's live list)."""
    if not extension:
        return []
    return list(
        Call.objects.for_account(account)
        .filter(endpoint=extension)
        .exclude(state=CallState.COMPLETED)
        .order_by("-created_on", "-pk")[:limit]
    )
