"""Hostile request bodies: deep JSON nesting (issue 9, finding 7).

A body nested deeper than ``MAX_JSON_DEPTH`` is refused with 400 ``BadRequest`` by the API's
parser, on every route, with or without a token, before any view code sees it."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from core.safe_json import MAX_JSON_DEPTH, JsonTooDeep, json_depth_check, json_loads

pytestmark = pytest.mark.django_db

DEEP_ARRAY = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000
TOO_DEEP_MESSAGE = f"The JSON body nests arrays and objects deeper than {MAX_JSON_DEPTH} levels."
_PLACEHOLDER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def nested(depth: int) -> str:
    return '{"name": ' * (depth - 1) + "[1]" + "}" * (depth - 1)


# --- the depth rule ------------------------------------------------------------------------------


def test_a_document_at_the_limit_parses_and_one_level_more_is_refused():
    assert json_loads(nested(MAX_JSON_DEPTH)) == json.loads(nested(MAX_JSON_DEPTH))
    with pytest.raises(JsonTooDeep, match=f"deeper than {MAX_JSON_DEPTH} levels"):
        json_loads(nested(MAX_JSON_DEPTH + 1))


def test_brackets_inside_strings_do_not_count():
    text = json.dumps({"note": "[" * 500 + '"\\' + "{" * 500, "list": [["x"]]})

    assert json_loads(text)["list"] == [["x"]]


def test_an_unterminated_string_full_of_escaped_quotes_is_scanned_in_linear_time():
    json_depth_check('"' + '\\"' * 200_000 + "[" * 10)  # finishes at once; the string eats the brackets
    with pytest.raises(JsonTooDeep):
        json_depth_check("[" * (MAX_JSON_DEPTH + 1) + '"' + '\\"' * 200_000)


# --- every route ---------------------------------------------------------------------------------


def _api_routes(patterns, prefix: str = "") -> list[str]:
    routes: list[str] = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes += _api_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/") and route != "api/docs/":
            if "^" in route:  # the catch-all JSON 404 of unknown /api/ paths
                continue
            routes.append(route)
    return routes


API_ROUTES = sorted(_api_routes(get_resolver().url_patterns))
# The browser flow's sign-in form answers with HTML pages (its own errors included).
HTML_FORM_ROUTES = {"api/authentication/2017-09-01/authorize/continue"}


def _fill(route: str, **known: str) -> str:
    return "/" + _PLACEHOLDER.sub(lambda m: str(known.get(m["name"], "x")), route)


def test_the_sweep_sees_every_service():
    services = {route.split("/")[1] for route in API_ROUTES}

    assert services == {"authentication", "admin", "chat", "notifications", "media"}
    assert len(API_ROUTES) >= 35


@pytest.mark.parametrize("route", API_ROUTES)
@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT], ids=["array", "object"])
def test_no_route_fails_on_deep_json_with_or_without_a_token(
    route, body, api_client_for, partner_admin, customer, member
):
    path = _fill(route, accountId=customer.account_id, userId=member.user_id, email=member.email)
    callers = {"anonymous": Client(), "partner admin": api_client_for(partner_admin)}
    for who, client in callers.items():
        for method in ("post", "put", "patch"):
            response = getattr(client, method)(path, body, content_type="application/json")

            assert response.status_code < 500, f"{who} {method.upper()} {path}: {response.content[:200]}"
            if route not in HTML_FORM_ROUTES:
                assert set(response.json()) >= {"name", "message"}, f"{who} {method.upper()} {path}"


ANONYMOUS_JSON_ROUTES = [
    ("post", "/api/authentication/2017-09-01/token"),
    ("post", "/api/authentication/2017-09-01/guest/token"),
    ("post", "/api/authentication/2017-09-01/authorize"),
    ("put", "/api/admin/2017-09-01/users/someone@example.com/password"),
]


@pytest.mark.parametrize(("method", "path"), ANONYMOUS_JSON_ROUTES)
@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT, nested(MAX_JSON_DEPTH + 1)])
def test_routes_open_to_anyone_answer_400_bad_request(method, path, body):
    response = getattr(Client(), method)(path, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["name"] == "BadRequest"
    assert response.json()["message"] == TOO_DEEP_MESSAGE


def test_the_token_endpoint_still_parses_a_normal_json_body(member, password):
    body = {"grant_type": "password", "username": member.email, "password": password}

    response = Client().post("/api/authentication/2017-09-01/token", body, content_type="application/json")

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("method", "route"),
    [
        ("post", "api/admin/2017-09-01/accounts"),
        ("put", "api/admin/2017-09-01/accounts/<accountId>"),
        ("post", "api/admin/2017-09-01/accounts/<accountId>/users"),
        ("patch", "api/admin/2017-09-01/accounts/<accountId>/users"),
        ("put", "api/admin/2017-09-01/accounts/<accountId>/users/<userId>"),
        ("post", "api/admin/2017-09-01/accounts/<accountId>/pbx/users/sync"),
        ("post", "api/admin/2017-09-01/accounts/<accountId>/gateway"),
        ("post", "api/admin/2017-09-01/accounts/<accountId>/integrations"),
        ("post", "api/authentication/2017-09-01/applications"),
        ("post", "api/chat/2017-09-01/conversations"),
        ("post", "api/notifications/2017-09-01/subscriptions"),
        ("post", "api/media/2017-09-01/endpoints/1001/calls"),
    ],
)
def test_routes_behind_a_token_answer_400_bad_request(
    method, route, api_client_for, partner_admin, customer, member
):
    path = _fill(route, accountId=customer.account_id, userId=member.user_id)

    response = getattr(api_client_for(partner_admin), method)(
        path, DEEP_ARRAY, content_type="application/json"
    )

    assert response.status_code == 400, response.content
    assert response.json() == {"name": "BadRequest", "message": TOO_DEEP_MESSAGE}


# --- NUL characters (found by the fuzz run on PostgreSQL: a 500 in the first lookup) ----------------

NUL_MESSAGE = "The request contains a NUL character (U+0000); no field accepts one."


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("get", "/api/authentication/2017-09-01/applications?client_id=a%00b", {}),
        ("get", "/api/admin/2017-09-01/accounts/a%00b", {}),
        ("get", "/api/admin/2017-09-01/accounts?$filter=name%20eq%20%27a%00%27", {}),
        ("get", "/api/admin/2017-09-01/accounts", {"HTTP_X_MITEL_APP": "app\x00"}),
        ("post", "/api/authentication/2017-09-01/guest/token", {"data": {"accountId": "a\x00"}}),
        (
            "post",
            "/api/authentication/2017-09-01/guest/token",
            {"data": "accountId=a%00&name=x", "content_type": "application/x-www-form-urlencoded"},
        ),
    ],
    ids=["query", "path", "filter", "header", "json", "form"],
)
def test_a_nul_character_anywhere_is_400_before_any_lookup(
    api_client_for, partner_admin, method, path, kwargs
):
    kwargs = {"content_type": "application/json", **kwargs} if method == "post" else kwargs

    response = getattr(api_client_for(partner_admin), method)(path, **kwargs)

    assert response.status_code == 400
    assert response.json() == {"name": "BadRequest", "message": NUL_MESSAGE}


def test_percent_zero_zero_as_text_in_a_json_value_is_not_a_nul(member):
    body = {"grant_type": "password", "username": member.email, "password": "not-it%00"}

    response = Client().post("/api/authentication/2017-09-01/token", body, content_type="application/json")

    assert response.status_code == 401


@pytest.mark.parametrize("path", ["/accounts/a%00b/", "/welcome/%00/"])
def test_a_nul_character_in_a_console_path_is_a_400_page(client_for, account_admin, path):
    response = client_for(account_admin).post(path, {"new_password1": "x", "new_password2": "x"})

    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()
