"""Third-party applications in the integrations panel and catalogue, for views that know nothing
about them: ``{% deployed_applications account as deployments %}`` and
``{% third_party_catalogue %}`` (the approved applications the page's account can deploy)."""

from django import template

from accounts import access
from accounts.access import Capability
from integrations.providers.third_party import NOT_YET
from oauth.applications import selectors as application_selectors

register = template.Library()


@register.simple_tag
def deployed_applications(account) -> list:
    return list(application_selectors.deployment_list(account=account)) if account is not None else []


@register.inclusion_tag("integrations/_third_party_catalogue.html", takes_context=True)
def third_party_catalogue(context) -> dict:
    request, account = context["request"], context["account"]
    applications = []
    if access.can(request.user, Capability.MANAGE_INTEGRATIONS, account):
        applications = application_selectors.deployable_application_list(actor=request.user, account=account)
    return {
        "account": account,
        "applications": applications,
        "empty": NOT_YET,
        "return_to": context.get("return_to", ""),
        "dialog": context.get("dialog", False),
    }
