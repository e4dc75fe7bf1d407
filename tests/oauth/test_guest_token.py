"""POST /guest/token: a GUEST token only while Allow Guest Access is on for an active account;
guest tokens never reach the admin or user-management API and stop when the privilege goes off."""

import re
import uuid
from datetime import timedelta

import jwt
import pytest
from django.test import Client
from django.utils import timezone

from integrations import services as integrations
from oauth.tokens import access_token_decode
from tests.oauth.helpers import BASE, GUEST_URL, TOKEN_URL, bearer, post_form, post_json
from tests.oauth.token_helpers import assert_error

pytestmark = pytest.mark.django_db


def guest_principals():
    from oauth.models import GuestPrincipal

    return GuestPrincipal.objects


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

    assert_error(guest(customer), 403, "NotAllowed")


# --- what an anonymous caller learns: nothing about accounts and users ----------------------------


def test_unknown_deactivated_and_guestless_accounts_answer_alike(customer, outsider_customer, guests_allowed):
    """Whether an account number exists is not for anonymous callers to learn: an unknown
    account, one without guest access and a deactivated one get the very same answer."""
    customer.status = "deactivated"
    customer.save()
    answers = [
        post_form(GUEST_URL, {"accountId": ref, "name": "G"})
        for ref in (
            str(uuid.uuid4()),
            "999999999",
            "not-an-account",
            outsider_customer.account_number,  # exists, guest access off
            str(outsider_customer.account_id),
            customer.account_number,  # exists, guest access on, deactivated
        )
    ]

    bodies = [assert_error(response, 403, "NotAllowed") for response in answers]
    assert all(body == bodies[0] for body in bodies)


def test_invalid_input_is_checked_before_the_account(customer, guests_allowed):
    """A bad name gets 400 whatever the account: the order of checks reveals nothing either."""
    for ref in (customer.account_number, "999999999"):
        assert_error(post_form(GUEST_URL, {"accountId": ref, "name": ""}), 400, "NameInvalid")


@pytest.mark.parametrize(
    "principal",
    [
        "member-email",
        "member-id",
        "outsider-email",
        "outsider-id",
        "nobody@nowhere.example",
        "4d5b6f0e-53e2-4bd3-9d09-6a3c8e0b3c11",
        "client-id",
    ],
)
def test_an_email_or_guid_principal_is_refused_alike_whether_or_not_someone_has_it(
    customer, member, outsider, guests_allowed, principal
):
    """No oracle: a registered email or user GUID (of this account or any other) gets exactly the
    answer an unused one gets, and the refusal needs no user lookup at all."""
    principal = {
        "member-email": member.email,
        "member-id": str(member.user_id),
        "outsider-email": outsider.email,
        "outsider-id": str(outsider.user_id),
        "client-id": uuid.uuid4().hex,  # the shape of an application's client ID
    }.get(principal, principal)
    reference = assert_error(guest(customer, principalId="someone@unknown.example"), 403, "NotAllowed")

    body = assert_error(guest(customer, principalId=principal), 403, "NotAllowed")

    assert body == reference


# --- a guest identity belongs to whoever took it first -------------------------------------------


def test_the_first_token_binds_the_principal_and_carries_a_refresh_token(customer, guests_allowed):
    first = guest(customer, principalId="meeting-guest-42")

    assert first.status_code == 201, first.content
    refresh = first.json()["refresh_token"]
    assert refresh and refresh != first.json()["access_token"]
    assert guest_principals().filter(account=customer, principal_id="meeting-guest-42").count() == 1


def test_another_caller_cannot_take_a_bound_principal_id(customer, guests_allowed):
    assert guest(customer, principalId="meeting-guest-42").status_code == 201

    impostor = guest(customer, principalId="meeting-guest-42", name="Eve Impostor")

    body = assert_error(impostor, 403, "NotAllowed")
    assert "refresh_token" in body["message"]


def test_the_guest_renews_its_token_with_the_refresh_token_grant(customer, guests_allowed):
    first = guest(customer, principalId="meeting-guest-42", guestEmail="gail@visitor.example").json()

    renewed = post_form(TOKEN_URL, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})

    assert renewed.status_code == 201, renewed.content
    body = renewed.json()
    claims = access_token_decode(body["access_token"])
    assert claims["role"] == "GUEST" and claims["type"] == "guest"
    assert claims["principalId"] == "meeting-guest-42" and claims["name"] == "Gail Guest"
    assert claims["email"] == "gail@visitor.example"
    assert claims["accountId"] == str(customer.account_id)
    assert body["refresh_token"] and body["refresh_token"] != first["refresh_token"]


def test_a_guest_refresh_token_works_once(customer, guests_allowed):
    first = guest(customer, principalId="meeting-guest-42").json()
    renew = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    assert post_form(TOKEN_URL, renew).status_code == 201

    assert_error(post_form(TOKEN_URL, renew), 401, "InvalidLoginCredentials")


def test_a_guest_cannot_renew_once_guest_access_is_off(customer, partner_admin, guests_allowed):
    first = guest(customer, principalId="meeting-guest-42").json()
    integrations.privilege_set(
        actor=partner_admin, account=customer, privilege="allowGuestAccess", enabled=False
    )

    response = post_form(TOKEN_URL, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})

    assert_error(response, 403, "NotAllowed")


def test_a_guest_identity_lasts_the_family_maximum_age(customer, guests_allowed, settings):
    settings.PORTAL_REFRESH_FAMILY_MAX_AGE = 3600  # shorter than a refresh token's own lifetime
    first = guest(customer, principalId="meeting-guest-42").json()

    claims = jwt.decode(first["refresh_token"], options={"verify_signature": False})

    assert claims["exp"] - claims["iat"] == 3600
    assert claims["type"] == "guest" and claims["id"] == "meeting-guest-42" and claims["typ"] == "refresh"


def test_an_expired_guest_identity_cannot_renew_and_is_never_handed_out_again(customer, guests_allowed):
    first = guest(customer, principalId="meeting-guest-42").json()
    guest_principals().update(expires_at=timezone.now() - timedelta(seconds=1))

    response = post_form(TOKEN_URL, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})

    assert_error(response, 401, "InvalidLoginCredentials")
    assert_error(guest(customer, principalId="meeting-guest-42"), 403, "NotAllowed")


def test_the_same_principal_id_is_free_in_another_account(
    customer, outsider_customer, other_partner_admin, guests_allowed
):
    integrations.privilege_set(
        actor=other_partner_admin, account=outsider_customer, privilege="allowGuestAccess", enabled=True
    )
    assert guest(customer, principalId="meeting-guest-42").status_code == 201

    assert guest(outsider_customer, principalId="meeting-guest-42").status_code == 201


def test_missing_account_is_400(db):
    assert_error(post_form(GUEST_URL, {"name": "G"}), 400, "AccountMissing")


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
        if Client().get(path).status_code != 401:
            continue  # public for GET (GET /applications answers 400 without ?client_id=)
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


def test_the_spec_documents_the_guest_refresh_token_and_the_field_limits(db):
    spec = Client().get(f"{BASE}/_spec").json()

    operation = spec["paths"]["/guest/token"]["post"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    fields = spec["components"]["schemas"][ref]["properties"]

    assert "refresh_token" in operation["description"]
    assert fields["principalId"]["maxLength"] == 128 and fields["name"]["maxLength"] == 100
    assert fields["guestEmail"]["format"] == "email"
