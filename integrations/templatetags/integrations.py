"""``{% integrations_panel %}``: the integrations cards and privilege switches of the page's
``account``, for pages whose views know nothing about integrations (Account Information)."""

from django import template

from .. import selectors

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
