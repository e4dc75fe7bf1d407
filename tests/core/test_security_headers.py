"""Content-Security-Policy and Permissions-Policy: every HTML page carries them, and no page (nor
any template) holds code the policy would block: inline scripts, inline event handlers, htmx's
``hx-on`` / ``js:`` (eval), ``javascript:`` links, inline styles, or scripts and styles from
anywhere but ``/static/``.

The pages are read from the resolver, like the tenancy sweep, so pages added later are checked
too; the templates are scanned as text, so branches a sweep does not render are covered."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client
from django.urls import get_resolver

from core.api.docs import SWAGGER_LOGO_STYLE
from core.csp import origin_source
from tests.oauth.helpers import AUTHORIZE_URL, make_app
from tests.test_tenancy_sweep import _routes, fill

pytestmark = pytest.mark.django_db

REQUIRED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
DENIED_FEATURES = ["camera", "microphone", "geolocation", "payment", "usb", "serial", "hid", "midi"]
# Data, not code: json_script's blocks are never executed, so CSP lets them be.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}
EVAL_VALUE = re.compile(r"^\s*(js|javascript):", re.IGNORECASE)


class InlineCodeFinder(HTMLParser):
    """Collects every piece of markup that a strict CSP (script-src/style-src 'self') refuses."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> inline event handler")
            elif name.startswith(("hx-on", "data-hx-on")):
                self.problems.append(f"<{tag} {name}=...> htmx inline handler (needs eval)")
            elif name in ("hx-vals", "hx-vars", "data-hx-vals", "hx-headers") and EVAL_VALUE.match(value):
                self.problems.append(f"<{tag} {name}='js:...'> htmx eval")
            elif name == "style":
                self.problems.append(f"<{tag} style=...> inline style")
            elif name in ("href", "src", "action", "formaction") and value.strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}='javascript:...'>")
        if tag == "script":
            src = attributes.get("src")
            if src is None and (attributes.get("type") or "").lower() not in DATA_SCRIPT_TYPES:
                self.problems.append("inline <script>")
            elif src is not None and not src.startswith(settings.STATIC_URL):
                self.problems.append(f"<script src={src!r}> not from {settings.STATIC_URL}")
        elif tag == "style":
            self.problems.append("inline <style>")
        elif tag == "link" and "stylesheet" in (attributes.get("rel") or "").split():
            self._stylesheet(attributes.get("href") or "")

    def _stylesheet(self, href: str) -> None:
        if not href.startswith(settings.STATIC_URL):
            self.problems.append(f"<link rel=stylesheet href={href!r}>")


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


def csp_directives(header: str) -> dict[str, str]:
    directives = {}
    for part in header.split(";"):
        name, _, sources = part.strip().partition(" ")
        if name:
            directives[name] = sources.strip()
    return directives


def assert_policy(response, path: str) -> None:
    csp = csp_directives(response.headers.get("Content-Security-Policy", ""))
    for name, source in REQUIRED_CSP.items():
        assert csp.get(name, "").split()[:1] == [source], f"{path}: {name} is {csp.get(name)!r}"
    assert "'unsafe-inline'" not in csp.get("script-src", "") and "'unsafe-eval'" not in str(csp)
    policy = response.headers.get("Permissions-Policy", "")
    for feature in DENIED_FEATURES:
        assert f"{feature}=()" in policy, f"{path}: Permissions-Policy lets {feature} through: {policy!r}"


# --- The pages -------------------------------------------------------------------------------------


def console_routes() -> list[str]:
    """Every page route except the API (JSON) and the Django admin (swept separately)."""
    return sorted(
        route
        for route in _routes(get_resolver().url_patterns)
        if not route.startswith(("api/", "staff/")) and route != "healthz"
    )


@pytest.fixture
def application(operator, customer):
    return make_app(operator, customer, redirect_uris=["https://app.example/callback"]).application


def test_the_sweep_sees_the_console_pages():
    routes = console_routes()

    assert len(routes) >= 60, routes
    for expected in ["accounts/", "accounts/<str:number>/users/", "developer/", "outbox/", "auth/login/"]:
        assert expected in routes


@pytest.mark.parametrize("route", console_routes())
def test_every_page_carries_the_policy_and_no_inline_code(
    client_for, operator, customer, member, application, route
):
    path = fill(route, customer.account_number, user_id=member.user_id, pk=application.pk, type="mitel-one")
    for client in (Client(), client_for(operator)):
        response = client.get(path)
        if not response.headers.get("Content-Type", "").startswith("text/html"):
            continue  # a redirect, a CSV download, a 405 for a POST-only route
        assert_policy(response, path)
        assert inline_code(response.content.decode()) == [], path


@pytest.mark.parametrize("path", ["/staff/", "/staff/password_change/", "/api/docs/"])
def test_the_django_admin_and_the_api_docs_carry_the_policy_too(client_for, operator, path):
    response = client_for(operator).get(path)

    assert response.status_code == HTTPStatus.OK
    assert_policy(response, path)
    assert inline_code(response.content.decode()) == []


def test_the_admin_sign_in_carries_the_policy(db):
    """/staff/login/ is the portal's own sign-in page (issue 9), under the same policy."""
    response = Client().get("/staff/login/", follow=True)

    assert response.redirect_chain[-1][0] == "/auth/login/?next=/staff/"
    assert response.status_code == HTTPStatus.OK
    assert_policy(response, "/auth/login/")
    assert inline_code(response.content.decode()) == []


def test_api_answers_are_json_and_need_no_page_policy(api_client_for, partner_admin):
    response = api_client_for(partner_admin).get("/api/admin/2017-09-01/accounts")

    assert response.status_code == HTTPStatus.OK
    assert response.headers["Content-Type"] == "application/json"


def test_the_api_docs_allow_one_inline_style_only_swagger_uis_logo(db):
    csp = csp_directives(Client().get("/api/docs/").headers["Content-Security-Policy"])

    assert csp["style-src"] == f"'self' {SWAGGER_LOGO_STYLE}"
    assert csp["script-src"] == "'self'"


def test_djangos_debug_pages_go_without_the_policy_and_only_in_debug(client_for, member, settings):
    settings.DEBUG = True
    debug_404 = client_for(member).get("/no-such-page/")
    settings.DEBUG = False
    portal_404 = client_for(member).get("/no-such-page/")

    assert debug_404.status_code == portal_404.status_code == HTTPStatus.NOT_FOUND
    assert "Content-Security-Policy" not in debug_404.headers
    assert "Content-Security-Policy" in portal_404.headers


# --- The one relaxation: /authorize may send its form on to the application ------------------------


def _authorize_query(app, redirect_uri: str) -> str:
    return urlencode(
        {"client_id": app.client_id, "response_type": "code", "redirect_uri": redirect_uri, "state": "s"}
    )


def test_the_sign_in_page_of_authorize_lets_its_form_reach_only_the_registered_origin(
    partner_admin, customer
):
    app = make_app(
        partner_admin, customer, redirect_uris=["https://app.example:8443/cb", "https://other.example/cb"]
    )

    response = Client().get(f"{AUTHORIZE_URL}?{_authorize_query(app, 'https://app.example:8443/cb')}")

    assert response.status_code == HTTPStatus.OK
    assert_policy(response, AUTHORIZE_URL)
    assert csp_directives(response.headers["Content-Security-Policy"])["form-action"] == (
        "'self' https://app.example:8443"
    )


def test_a_failed_sign_in_on_authorize_keeps_the_same_allowance(partner_admin, customer, member):
    app = make_app(partner_admin, customer, redirect_uris=["https://app.example/cb"])
    client = Client()
    client.get(f"{AUTHORIZE_URL}?{_authorize_query(app, 'https://app.example/cb')}")

    response = client.post(
        f"{AUTHORIZE_URL}/continue",
        {
            "client_id": app.client_id,
            "response_type": "code",
            "redirect_uri": "https://app.example/cb",
            "state": "s",
            "login": member.email,
            "password": "wrong-password-1",
        },
    )

    assert response.status_code == HTTPStatus.OK and "not correct" in response.content.decode()
    assert csp_directives(response.headers["Content-Security-Policy"])["form-action"] == (
        "'self' https://app.example"
    )


def test_an_unregistered_redirect_uri_widens_nothing(partner_admin, customer):
    app = make_app(partner_admin, customer, redirect_uris=["https://app.example/cb"])

    response = Client().get(f"{AUTHORIZE_URL}?{_authorize_query(app, 'https://evil.example/cb')}")

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert csp_directives(response.headers["Content-Security-Policy"])["form-action"] == "'self'"


@pytest.mark.parametrize(
    ("uri", "source"),
    [
        ("https://app.example/cb?x=1", "https://app.example"),
        ("https://APP.example:8443/cb", "https://app.example:8443"),
        ("http://127.0.0.1:9000/cb", "http://127.0.0.1:9000"),
        ("http://[::1]:8080/cb", "http://[::1]:8080"),
        ("https://a.example;script-src */cb", None),
        ("https://a.example:99999/cb", None),
        ("javascript:alert(1)", None),
        ("com.example.app:/cb", None),
        ("", None),
    ],
)
def test_only_a_clean_http_origin_is_written_into_the_policy(uri, source):
    assert origin_source(uri) == source


# --- The templates ---------------------------------------------------------------------------------


TEMPLATE_ROOTS = [
    Path(settings.BASE_DIR / "templates"),
    *sorted(Path(settings.BASE_DIR).glob("*/templates")),
    *sorted(Path(settings.BASE_DIR).glob("*/*/templates")),
]
# Emails are not pages: mail clients need inline styles, and the Outbox shows them in a sandboxed
# frame with its own policy (no script at all).
NOT_PAGES = {"emails"}
_STATIC_TAG = re.compile(r"\{% static ['\"]([^'\"]+)['\"] %\}")
_TEMPLATE_TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.DOTALL)


def page_templates() -> list[Path]:
    return sorted(
        path
        for root in TEMPLATE_ROOTS
        if ".venv" not in root.parts
        for path in root.rglob("*.html")
        if path.relative_to(root).parts[0] not in NOT_PAGES
    )


def test_the_template_scan_sees_every_template_directory():
    names = {str(path.relative_to(settings.BASE_DIR)) for path in page_templates()}

    assert "templates/base.html" in names and "templates/api/docs.html" in names
    assert any(name.startswith("chat/templates/") for name in names)
    assert not any("/emails/" in name for name in names)


@pytest.mark.parametrize("template", page_templates(), ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_no_template_holds_inline_code(template):
    # Template tags become spaces, so `<form{% if x %} onsubmit="..."{% endif %}>` is still seen.
    html = _STATIC_TAG.sub(lambda m: settings.STATIC_URL + m[1], template.read_text())
    html = _TEMPLATE_TAG.sub(lambda m: " " if m.group().startswith("{%") else "x", html)

    assert inline_code(html) == []


def test_htmx_runs_without_eval_and_without_injected_styles(client_for, member):
    html = client_for(member).get("/auth/password/change/").content.decode()

    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', html)
    assert config, "base.html must configure htmx"
    assert (
        '"allowEval": false' in config[1]
        and '"allowScriptTags": false' in config[1]
        and '"includeIndicatorStyles": false' in config[1]
    )
