"""``{% gateway_of account as gateway %}``: the account's gateway for the CloudLink Gateway integration
card (the integrations panel, which already checked who may see the account)."""

from django import template

from gateways import selectors

register = template.Library()


@register.simple_tag
def gateway_of(account):
    return selectors.gateway_card(account)
