"""Per-user Mitel One settings (docs/integrations.md, Mitel One per-user settings): on/off and the licence tier
(Essential / Premier / Elite), available once the account has the Mitel One integration."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.audit import AuditAction, audit_record
from accounts.models import User
from integrations.models import Integration, MitelOneUserSettings

MITEL_ONE = "mitel-one"


def account_has_mitel_one(account) -> bool:
    return Integration.objects.for_account(account).filter(type=MITEL_ONE).exists()


def mitel_one_settings_get(user: User) -> MitelOneUserSettings:
    """The user's settings, or the defaults (unsaved) when never changed."""
    return MitelOneUserSettings.objects.filter(user=user).first() or MitelOneUserSettings(user=user)


@transaction.atomic
def mitel_one_settings_set(*, actor: User, user: User, enabled: bool, tier: str) -> MitelOneUserSettings:
    access.require_manage_user(actor, user)
    if not account_has_mitel_one(user.account):
        raise ValidationError(_("Add the Mitel One integration to this account first."))
    if tier not in MitelOneUserSettings.Tier.values:
        raise ValidationError(
            {
                "tier": _("Tier must be one of %(tiers)s.")
                % {"tiers": ", ".join(MitelOneUserSettings.Tier.labels)}
            }
        )
    settings_row = MitelOneUserSettings.objects.select_for_update().filter(user=user).first()
    before = {"enabled": settings_row.enabled, "tier": settings_row.tier} if settings_row else {}
    settings_row = settings_row or MitelOneUserSettings(user=user)
    settings_row.enabled, settings_row.tier = enabled, tier
    after = {"enabled": enabled, "tier": tier}
    if before == after:
        return settings_row
    settings_row.save()
    audit_record(
        actor=actor,
        account=user.account,
        action=AuditAction.USER_MITEL_ONE_CHANGED,
        target=user,
        before=before,
        after=after,
    )
    return settings_row
