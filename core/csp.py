"""Content-Security-Policy and Permissions-Policy on every HTML response.

The console runs no inline code: scripts and styles come from ``static/`` ('self'), htmx runs with
``allowEval`` off (see base.html), and behaviour lives in ``static/js/*.js`` reading data
attributes. So an injected ``<script>``, ``onclick=`` or ``style=`` does nothing.

A view may widen the policy for its own response only: ``csp_allow(response, "form-action", src)``
(the OAuth sign-in page lets its form redirect to the application's registered origin), or give it
a policy of its own with ``csp_replace`` (an email's HTML body in the Outbox).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

CSP_HEADER = "Content-Security-Policy"
PERMISSIONS_HEADER = "Permissions-Policy"
_HOST = re.compile(r"^[a-z0-9.-]+$|^\[[0-9a-f:.]+\]$")


def csp_header(directives: Mapping[str, Sequence[str]]) -> str:
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


def permissions_header(features: Mapping[str, Sequence[str]]) -> str:
    return ", ".join(f"{feature}=({' '.join(allowed)})" for feature, allowed in features.items())


def csp_allow(response: HttpResponse, directive: str, *sources: str) -> HttpResponse:
    """Add ``sources`` to one directive of this response's policy."""
    extra = response.__dict__.setdefault("csp_extra", {})
    extra.setdefault(directive, []).extend(sources)
    return response


def csp_replace(response: HttpResponse, directives: Mapping[str, Sequence[str]]) -> HttpResponse:
    """Give this response its own policy instead of ``PORTAL_CSP``."""
    response.csp = directives
    return response


def origin_source(uri: str) -> str | None:
    """The CSP source of an http(s) URI's origin, e.g. ``https://app.example:8443``; None for
    anything else, or for anything that could not be written safely into the header."""
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6
        host = f"[{host}]"
    if parts.scheme.lower() not in ("http", "https") or not _HOST.match(host):
        return None
    return f"{parts.scheme.lower()}://{host}" + (f":{port}" if port else "")


def _policy(response: HttpResponse) -> dict[str, list[str]]:
    directives = {
        name: list(sources) for name, sources in getattr(response, "csp", settings.PORTAL_CSP).items()
    }
    for name, sources in getattr(response, "csp_extra", {}).items():
        current = directives.setdefault(name, [])
        current.extend(source for source in sources if source not in current)
    return directives


def _is_debug_page(response: HttpResponse) -> bool:
    """Django's own error pages in DEBUG (technical 404 and 500) are made of inline styles and
    scripts; the portal's 404 and 500 pages replace them whenever DEBUG is off."""
    return settings.DEBUG and response.status_code in (404, 500)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.get("Content-Type", "").startswith("text/html") or _is_debug_page(response):
            return response
        if CSP_HEADER not in response:
            response[CSP_HEADER] = csp_header(_policy(response))
        if PERMISSIONS_HEADER not in response:
            response[PERMISSIONS_HEADER] = permissions_header(settings.PORTAL_PERMISSIONS_POLICY)
        return response
