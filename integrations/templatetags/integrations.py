"""``{% integrations_panel %}``: the integrations cards and privilege switches of the page's
``account``, for pages whose views know nothing about integrations (Account Information)."""

from django import template

from integrations import selectors

register = template.Library()


@register.inclusion_tag("integrations/_account_panel.html", takes_context=True)
def integrations_panel(context) -> dict:
    request = context["request"]
    panel = selectors.panel_context(actor=request.user, account=context["account"])
    return panel | {
        "request": request,
        "return_to": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("integrations/_mitel_one_user.html", takes_context=True)
def mitel_one_user_panel(context, person) -> dict:
    """The Mitel One section of a user page; renders nothing without the Mitel One integration."""
    from integrations.models import MitelOneUserSettings
    from integrations.providers.mitel_one.settings import account_has_mitel_one, mitel_one_settings_get

    account = context["account"]
    return {
        "show": account_has_mitel_one(account),
        "account": account,
        "person": person,
        "settings": mitel_one_settings_get(person),
        "tiers": MitelOneUserSettings.Tier.choices,
        "csrf_token": context.get("csrf_token"),
    }
