"""Mounts each CloudLink service under /api/<service>/2017-09-01/ (see docs/api.md).

A service's OpenAPI document (``<base>/_spec``) is mounted before its routes; /api/docs/ renders
them all. Adding a service = one entry in ``SERVICES``.
"""

from django.urls import include, path, re_path

from core.api.docs import Service, api_docs_view, spec_view
from core.views import api_route_not_found

SERVICES = [
    Service(
        "authentication",
        "CloudLink Authentication API",
        "oauth.api.urls",
        "Tokens (password, refresh_token grants), the caller's claims, signing keys, and single "
        "sign-on per account (identity providers, SAML 2.0, OpenID Connect).",
        spec_urlconf="portal.authentication_spec_urls",
    ),
    Service(
        "admin",
        "CloudLink Admin API",
        "accounts.api.admin_urls",
        "Accounts of a partner and of its customers, and their users.",
        spec_urlconf="portal.admin_spec_urls",
    ),
    Service(
        "chat",
        "CloudLink Chat API",
        "chat.api.urls",
        "Conversations, their participants (users and guests) and messages.",
    ),
    Service(
        "notifications",
        "CloudLink Notifications API",
        "notifications.api.urls",
        "Webhook subscriptions to publications (chat messages, call state changes).",
    ),
    Service(
        "media",
        "CloudLink Media API",
        "media.api.urls",
        "Calls on an account's PBX: make a call from an extension, list and read its calls, answer, "
        "end, hold and retrieve them (CSTA through the account's CloudLink Gateway).",
    ),
]

urlpatterns = [
    path("docs/", api_docs_view(SERVICES), name="api-docs"),
    *(path(f"{service.mount}_spec", spec_view(service), name=service.spec_url_name) for service in SERVICES),
    *(path(service.mount, include(service.urlconf)) for service in SERVICES),
    # An account's integrations (issue 4), in the Admin service; its _spec lists them too
    # (portal/admin_spec_urls.py).
    path("admin/2017-09-01/", include("integrations.api.urls")),
    # An account's gateway, PBX, SIP trunk and connection checks (issue 5), listed in the same _spec.
    path("admin/2017-09-01/", include("gateways.api.urls")),
    # Single sign-on per account (issue 12), in the Authentication service; its _spec lists it too
    # (portal/authentication_spec_urls.py).
    path("authentication/2017-09-01/", include("sso.api.urls")),
    # Last: any other path under /api/ is a JSON 404, also with DEBUG on.
    re_path(r"^(?P<path>.*)$", api_route_not_found, name="api-not-found"),
]
