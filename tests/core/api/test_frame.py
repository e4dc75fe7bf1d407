"""The cross-cutting API frame: correlation ids, x-mitel-app, JSON errors, authentication, CORS,
and the published OpenAPI documents with their docs page."""

import json
import logging
import re
import time
import uuid
from importlib import import_module

import jwt
import pytest
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.test import APIClient
from rest_framework.views import APIView

from accounts.models import Account, AuditEvent
from core.logging import CorrelationIdFilter
from oauth.tokens import access_token_issue, current_signing_key
from portal import urls as portal_urls

pytestmark = pytest.mark.django_db

ACCOUNTS = "/api/admin/2017-09-01/accounts"
CID = "x-mitel-correlation-id"
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
NEW_ACCOUNT = {"name": "Frame Co", "country": "US", "supportContacts": ["help@frame.example"]}


# A test-only urlconf (this module) adding views that fail, for the 500 answers.
class _BoomApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError("boom: secret internals")


@login_not_required
def _boom_page(request):
    raise RuntimeError("boom: secret internals")


urlpatterns = [
    path("api/admin/2017-09-01/boom", _BoomApi.as_view()),
    path("boom", _boom_page),
    *portal_urls.urlpatterns,
]
handler400, handler403 = portal_urls.handler400, portal_urls.handler403
handler404, handler500 = portal_urls.handler404, portal_urls.handler500


@pytest.fixture
def failing_client():
    client = APIClient()
    client.raise_request_exception = False
    return client


# --- correlation ids ------------------------------------------------------------------------------


@pytest.mark.urls("tests.core.api.test_frame")
@override_settings(PORTAL_API_RATE_LIMIT="")
def test_every_response_carries_a_correlation_id(
    api_client_for, partner_admin, member, customer, failing_client
):
    partner = api_client_for(partner_admin)
    responses = {
        200: partner.get(ACCOUNTS),
        201: partner.post(ACCOUNTS, NEW_ACCOUNT, format="json"),
        400: partner.get(ACCOUNTS, {"$filter": "name eq"}),
        401: APIClient().get(ACCOUNTS),
        403: api_client_for(member).get(ACCOUNTS),
        404: partner.get("/api/admin/2017-09-01/no-such-thing"),
        405: partner.patch(ACCOUNTS, {}, format="json"),
        500: failing_client.get("/api/admin/2017-09-01/boom"),
    }
    with override_settings(PORTAL_API_RATE_LIMIT="1/3600"):
        limited = APIClient()
        limited.get(ACCOUNTS)
        responses[429] = limited.get(ACCOUNTS)
    html_client = Client(raise_request_exception=False)
    html = {
        "login page": html_client.get("/auth/login/"),
        "html 404": html_client.get("/no-such-page/"),
        "html 500": html_client.get("/boom"),
    }
    for status, response in responses.items():
        assert response.status_code == status, (status, response.content)
        assert UUID_RE.match(response[CID]), status
    for label, response in html.items():
        assert UUID_RE.match(response[CID]), label
    assert len({r[CID] for r in [*responses.values(), *html.values()]}) == len(responses) + len(html)


def test_a_valid_client_correlation_id_is_echoed(api_client_for, partner_admin):
    supplied = "0b6f1c1e-9a8e-4b53-9d7e-3c3f7c1e2a11"
    response = api_client_for(partner_admin).get(ACCOUNTS, HTTP_X_MITEL_CORRELATION_ID=supplied)
    assert response[CID] == supplied


@pytest.mark.parametrize("supplied", ["short", "has spaces in it", "<script>alert(1)</script>", "x" * 300])
def test_an_invalid_client_correlation_id_is_replaced(client, supplied):
    response = client.get(ACCOUNTS, HTTP_X_MITEL_CORRELATION_ID=supplied)
    assert response[CID] != supplied
    assert UUID_RE.match(response[CID])


def test_the_correlation_id_is_in_every_log_line_of_the_request(caplog, api_client_for, partner_admin):
    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(CorrelationIdFilter())  # the filter the LOGGING setting installs
    supplied = "req-7f3a9c2e-log-check"
    api_client_for(partner_admin).get(f"{ACCOUNTS}/999999999", HTTP_X_MITEL_CORRELATION_ID=supplied)
    lines = [r for r in caplog.records if r.name in ("portal.request", "django.request")]
    assert {r.name for r in lines} == {"portal.request", "django.request"}  # our line and "Not Found: ..."
    assert all(r.correlation_id == supplied for r in lines)
    formatter = logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"])
    assert all(f"[{supplied}]" in formatter.format(r) for r in lines)


@pytest.mark.urls("tests.core.api.test_frame")
def test_the_correlation_id_is_logged_with_a_500(caplog, failing_client):
    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(CorrelationIdFilter())
    response = failing_client.get(
        "/api/admin/2017-09-01/boom", HTTP_X_MITEL_CORRELATION_ID="boom-correlation-1"
    )
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors and all(r.correlation_id == "boom-correlation-1" for r in errors)
    assert response[CID] == "boom-correlation-1"


def test_log_lines_after_the_request_no_longer_carry_its_id(caplog, client):
    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(CorrelationIdFilter())
    client.get(ACCOUNTS, HTTP_X_MITEL_CORRELATION_ID="finished-request-1")
    logging.getLogger("tests").info("between requests")
    assert caplog.records[-1].correlation_id == "-"


# --- x-mitel-app ----------------------------------------------------------------------------------


def test_x_mitel_app_is_recorded_on_audit_rows_and_in_the_request_log(caplog, api_client_for, partner_admin):
    caplog.set_level(logging.INFO, logger="portal.request")
    app = "app=BR-AppRegistry/2.0.0;platform=windows/10;session-id=static"
    response = api_client_for(partner_admin).post(ACCOUNTS, NEW_ACCOUNT, format="json", HTTP_X_MITEL_APP=app)
    assert response.status_code == 201
    events = AuditEvent.objects.filter(action__in=["account.created", "customer_account.created"])
    assert events.count() == 2 and {e.mitel_app for e in events} == {app}
    assert {e.correlation_id for e in events} == {response[CID]}
    assert any(app in r.getMessage() for r in caplog.records if r.name == "portal.request")


def test_x_mitel_app_is_never_required(api_client_for, partner_admin):
    response = api_client_for(partner_admin).post(ACCOUNTS, NEW_ACCOUNT, format="json")
    assert response.status_code == 201
    assert set(AuditEvent.objects.values_list("mitel_app", flat=True)) == {""}


# --- JSON errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/api/admin/2017-09-01/nope", "/api/unknown-service/", "/api/admin/2017-09-01/"]
)
def test_unknown_api_routes_are_json_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response["content-type"] == "application/json"
    assert set(response.json()) == {"name", "message"} and response.json()["name"] == "NotFound"


def test_wrong_method_is_json_405(api_client_for, partner_admin):
    response = api_client_for(partner_admin).delete(ACCOUNTS)
    assert response.status_code == 405
    assert response.json()["name"] == "MethodNotAllowed"
    assert "DELETE" in response.json()["message"]


@pytest.mark.urls("tests.core.api.test_frame")
def test_unexpected_errors_are_json_500_without_internals(failing_client):
    response = failing_client.get("/api/admin/2017-09-01/boom")
    assert response.status_code == 500
    body = response.json()
    assert body["name"] == "InternalServerError" and body["message"]
    assert "secret internals" not in response.content.decode()


def test_unauthenticated_is_json_401_with_a_challenge(client):
    response = client.get(ACCOUNTS)
    assert response.status_code == 401
    assert response.json()["name"] == "UnauthorizedError"
    assert response["WWW-Authenticate"].startswith("Bearer")


# --- authentication -------------------------------------------------------------------------------


def _token(user) -> str:
    return access_token_issue(user)[0]


@pytest.mark.parametrize("scheme", ["Bearer {}", "bearer {}", "{}"])
def test_bearer_or_bare_jwt_authenticates(partner_admin, customer, scheme):
    client = APIClient(HTTP_AUTHORIZATION=scheme.format(_token(partner_admin)))
    assert client.get(ACCOUNTS).status_code == 200


@pytest.mark.parametrize("header", ["Bearer not-a-jwt", "Bearer a.b.c", "Token abc def"])
def test_bad_authorization_is_401(db, header):
    response = APIClient(HTTP_AUTHORIZATION=header).get(ACCOUNTS)
    assert response.status_code == 401
    assert response.json()["name"] == "UnauthorizedError"


def test_expired_token_is_401(partner_admin):
    key = current_signing_key()
    now = int(time.time())
    claims = {"userId": str(partner_admin.user_id), "typ": "access", "iat": now - 7200, "exp": now - 3600}
    token = jwt.encode(claims, key.private_key_pem, algorithm="RS256", headers={"kid": key.kid})
    response = APIClient(HTTP_AUTHORIZATION=f"Bearer {token}").get(ACCOUNTS)
    assert response.status_code == 401
    assert "expired" in response.json()["message"]


def test_token_stops_working_when_its_account_is_deactivated(api_client_for, account_admin, customer):
    client = api_client_for(account_admin)
    assert client.get(ACCOUNTS).status_code == 200
    Account.objects.filter(pk=customer.pk).update(status=Account.Status.DEACTIVATED)
    assert client.get(ACCOUNTS).status_code == 401


def test_console_session_works_for_get_and_needs_csrf_for_writes(partner_admin, customer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(partner_admin)
    assert client.get(ACCOUNTS).status_code == 200

    response = client.post(ACCOUNTS, NEW_ACCOUNT, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["name"] == "Forbidden" and "CSRF" in response.json()["message"]

    client.get("/api/docs/")  # sets the CSRF cookie
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(ACCOUNTS, NEW_ACCOUNT, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201


# --- CORS -----------------------------------------------------------------------------------------


def test_cors_preflight_allows_the_cloudlink_headers(client):
    response = client.options(
        ACCOUNTS,
        HTTP_ORIGIN="https://app.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type, x-mitel-app",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] in ("*", "https://app.example")
    allowed = {h.strip() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "x-mitel-app"} <= allowed
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert UUID_RE.match(response[CID])


def test_cors_headers_on_answers_and_errors_expose_the_correlation_id(api_client_for, partner_admin):
    for client in (api_client_for(partner_admin), APIClient()):
        response = client.get(ACCOUNTS, HTTP_ORIGIN="https://app.example")
        assert response["Access-Control-Allow-Origin"] in ("*", "https://app.example")
        assert CID in response["Access-Control-Expose-Headers"]


def test_no_cors_outside_the_api(client):
    response = client.get("/auth/login/", HTTP_ORIGIN="https://app.example")
    assert "Access-Control-Allow-Origin" not in response


# --- OpenAPI documents and the docs page ----------------------------------------------------------


def _route_paths(urlconf: str) -> set[str]:
    """The OpenAPI path of every route of a service urlconf (``<str:x>`` -> ``{x}``)."""
    module = import_module(urlconf)
    return {"/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(p.pattern)) for p in module.urlpatterns}


def _spec(client, base: str) -> dict:
    response = client.get(f"{base}/_spec")
    assert response.status_code == 200
    assert "json" in response["content-type"]
    return json.loads(response.content)


def test_admin_spec_is_openapi_3_of_the_admin_service_only(db):
    spec = _spec(Client(), "/api/admin/2017-09-01")
    assert spec["openapi"].startswith("3.")
    assert {"/accounts", "/accounts/{accountId}"} <= set(spec["paths"])
    assert set(spec["paths"]) == _route_paths("accounts.api.admin_urls") | _route_paths(
        "integrations.api.urls"
    ) | _route_paths("gateways.api.urls")
    assert spec["servers"] == [{"url": "/api/admin/2017-09-01"}]
    assert {"get", "put", "delete"} <= set(spec["paths"]["/accounts/{accountId}"])
    assert "bearerAuth" in spec["components"]["securitySchemes"]


def test_authentication_spec_is_openapi_3_of_the_authentication_service_only(db):
    spec = _spec(Client(), "/api/authentication/2017-09-01")
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) == _route_paths("oauth.api.urls") | _route_paths("sso.api.urls")
    assert spec["servers"] == [{"url": "/api/authentication/2017-09-01"}]
    assert "/accounts" not in spec["paths"]


def test_specs_are_public_even_with_a_bad_token(db):
    client = Client(HTTP_AUTHORIZATION="Bearer garbage")
    assert client.get("/api/admin/2017-09-01/_spec").status_code == 200


def test_docs_page_is_public_and_uses_only_local_assets(db):
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith(settings.STATIC_URL) for a in assets), assets
    assert not re.search(r"https?://", html)
    for asset in assets:
        assert finders.find(asset.removeprefix(settings.STATIC_URL)), asset
    assert "/api/admin/2017-09-01/_spec" in html and "/api/authentication/2017-09-01/_spec" in html


def test_docs_page_service_picker_preselects(db):
    html = Client().get("/api/docs/", {"service": "admin"}).content.decode()
    assert '"CloudLink Admin API"' in html.split('id="api-primary"')[1].split("</script>")[0]


def test_correlation_ids_are_uuid4_when_generated(client):
    assert uuid.UUID(client.get("/api/admin/2017-09-01/_spec")[CID]).version == 4


@pytest.mark.parametrize("urlconf", ["accounts.api.admin_urls"])
def test_spec_generates_without_warnings_and_validates(tmp_path, urlconf):
    call_command(
        "spectacular",
        urlconf=urlconf,
        fail_on_warn=True,
        validate=True,
        format="openapi-json",
        file=str(tmp_path / "s.json"),
    )
    assert json.loads((tmp_path / "s.json").read_text())["openapi"].startswith("3.")
