"""POST /guest/token: a GUEST token only while Allow Guest Access is on for an active account;
guest tokens never reach the admin or user-management API and stop when the privilege goes off."""

import re
import uuid

import pytest
from django.test import Client

from accounts.tokens import access_token_decode
from integrations import services as integrations
from tests.api.oauth_helpers import BASE, GUEST_URL, bearer, post_form, post_json
from tests.api.token_helpers import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def guests_allowed(partner_admin, customer):
    integrations.privilege_set(
        actor=partner_admin, account=customer, privilege="allowGuestAccess", enabled=True
    )


def guest(account, post=post_form, **extra):
    return post(GUEST_URL, {"accountId": str(account.account_id), "name": "Gail Guest", **extra})


@pytest.mark.parametrize("post", [post_form, post_json], ids=["form", "json"])
def test_guest_gets_a_guest_token_with_the_given_principal(customer, guests_allowed, post):
    response = guest(customer, post=post, principalId="meeting-guest-42", guestEmail="gail@visitor.example")

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= {"token_type", "expires_in", "access_token", "refresh_token", "scope"}
    claims = access_token_decode(body["access_token"])
    assert claims["role"] == "GUEST"
    assert claims["principalId"] == "meeting-guest-42"
    assert claims["accountId"] == str(customer.account_id)
    assert claims["name"] == "Gail Guest" and claims["email"] == "gail@visitor.example"
    assert "userId" not in claims


def test_principal_id_is_generated_when_absent(customer, guests_allowed):
    a = access_token_decode(guest(customer).json()["access_token"])["principalId"]
    b = access_token_decode(guest(customer).json()["access_token"])["principalId"]
    assert a and b and a != b


def test_account_number_works_too(customer, guests_allowed):
    assert post_form(GUEST_URL, {"accountId": customer.account_number, "name": "G"}).status_code == 201


def test_refused_while_allow_guest_access_is_off(customer):
    assert_error(guest(customer), 403, "NotAllowed")


def test_refused_for_a_deactivated_account(customer, guests_allowed):
    customer.status = "deactivated"
    customer.save()

    assert_error(guest(customer), 403, "InactiveAccount")


def test_principal_of_a_real_user_is_refused(customer, member, guests_allowed):
    assert_error(guest(customer, principalId=str(member.user_id)), 403, "NotAllowed")
    assert_error(guest(customer, principalId=member.email), 403, "NotAllowed")


def test_missing_account_is_400(db):
    assert_error(post_form(GUEST_URL, {"name": "G"}), 400, "AccountMissing")


def test_unknown_account_is_400_account_not_found(db):
    assert_error(post_form(GUEST_URL, {"accountId": str(uuid.uuid4()), "name": "G"}), 400, "AccountNotFound")


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "bad\x07name"])
def test_invalid_name_is_400(customer, guests_allowed, name):
    assert_error(guest(customer, name=name), 400, "NameInvalid")


def test_invalid_email_is_400(customer, guests_allowed):
    assert_error(guest(customer, guestEmail="not-an-email"), 400, "EmailInvalid")


def test_guest_token_answers_whoami(customer, guests_allowed):
    token = guest(customer).json()["access_token"]

    response = Client().get(f"{BASE}/token", **bearer(token))

    assert response.status_code == 200 and response.json()["role"] == "GUEST"


ADMIN = "/api/admin/2017-09-01"


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/accounts"),
        ("get", "/accounts/{account}"),
        ("put", "/accounts/{account}"),
        ("get", "/accounts/{account}/users"),
        ("post", "/accounts/{account}/users"),
        ("get", "/accounts/{account}/integrations"),
    ],
)
def test_guest_tokens_are_403_on_admin_and_user_management_routes(customer, guests_allowed, method, path):
    token = guest(customer).json()["access_token"]

    response = getattr(Client(), method)(
        ADMIN + path.format(account=customer.account_id), content_type="application/json", **bearer(token)
    )

    assert_error(response, 403, "InsufficientPermissions")


def test_every_admin_and_registry_route_refuses_guest_tokens(customer, member, guests_allowed):
    """The rule is central: every route of the Admin API and of the application registry that
    refuses anonymous callers answers a guest 403, including routes added after this test."""
    from django.urls import URLPattern, URLResolver, get_resolver

    token = guest(customer).json()["access_token"]

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p.callback

    values = {
        "accountId": str(customer.account_id),
        "account_ref": str(customer.account_id),
        "userId": str(member.user_id),
        "email": member.email,
        "type": "micc",
        "applicationId": "x",
    }
    checked = 0
    for route, callback in walk(get_resolver().url_patterns):
        if not (route.startswith("api/admin/") or route.startswith("api/authentication/2017-09-01/app")):
            continue
        view_class = getattr(callback, "cls", None)
        if route.endswith("_spec") or view_class is None or view_class.authentication_classes == []:
            continue  # public routes (the spec, forgotten password)
        path = "/" + re.sub(
            r"<(?:(\w+):)?(\w+)>",
            lambda m: values.get(m.group(2)) or (str(uuid.uuid4()) if m.group(1) == "uuid" else "1"),
            route,
        )
        if Client().get(path).status_code not in (401, 403):
            continue  # public for GET (e.g. GET /applications?client_id=)
        response = Client().get(path, **bearer(token))
        assert response.status_code == 403, (path, response.status_code, response.content[:200])
        checked += 1
    assert checked >= 8


def test_switching_guest_access_off_ends_guest_tokens(customer, partner_admin, guests_allowed):
    token = guest(customer).json()["access_token"]
    assert Client().get(f"{BASE}/token", **bearer(token)).status_code == 200

    integrations.privilege_set(
        actor=partner_admin, account=customer, privilege="allowGuestAccess", enabled=False
    )

    assert Client().get(f"{BASE}/token", **bearer(token)).status_code == 401
