"""POST /token with grant_type=password: form and JSON bodies, account references, every error."""

from urllib.parse import urlencode

import pytest
from django.test import Client

from accounts import services
from oauth.models import RefreshToken
from oauth.tokens import access_token_decode, access_token_issue
from tests.accounts.factories import CustomerAccountFactory, UserFactory
from tests.oauth.token_helpers import TOKEN_URL, assert_error, post_form, post_json

pytestmark = pytest.mark.django_db


def test_password_grant_answers_201_with_the_token_schema(post, account_admin, password):
    response = post({"grant_type": "password", "username": account_admin.email, "password": password})

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"token_type", "expires_in", "access_token", "refresh_token", "scope"}
    assert body["token_type"] == "bearer"
    assert isinstance(body["expires_in"], int) and body["expires_in"] > 0
    assert isinstance(body["scope"], str)
    claims = access_token_decode(body["access_token"])
    assert claims["userId"] == str(account_admin.user_id)
    assert claims["accountId"] == str(account_admin.account.account_id)
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("grant_type", ["Password", "PASSWORD", " password "])
def test_grant_type_is_matched_case_insensitively(post, member, password, grant_type):
    response = post({"grant_type": grant_type, "username": member.email, "password": password})

    assert response.status_code == 201


def test_email_is_matched_case_insensitively(post, member, password):
    response = post({"grant_type": "password", "username": member.email.upper(), "password": password})

    assert response.status_code == 201


@pytest.mark.parametrize("ref", ["guid", "number"])
def test_account_id_may_be_the_guid_or_the_account_number(post, member, password, ref):
    account = member.account
    account_id = str(account.account_id) if ref == "guid" else account.account_number

    response = post(
        {"grant_type": "password", "username": member.email, "password": password, "account_id": account_id}
    )

    assert response.status_code == 201
    assert access_token_decode(response.json()["access_token"])["accountId"] == str(account.account_id)


def test_json_account_number_may_be_a_number(member, password):
    response = post_json(
        {
            "grant_type": "password",
            "username": member.email,
            "password": password,
            "account_id": int(member.account.account_number),
        }
    )

    assert response.status_code == 201


def test_unknown_body_fields_are_ignored(post, member, password):
    response = post(
        {"grant_type": "password", "username": member.email, "password": password, "name": "Twilio bridge"}
    )

    assert response.status_code == 201


def test_requested_scope_is_echoed(post, member, password):
    response = post(
        {"grant_type": "password", "username": member.email, "password": password, "scope": "openid  profile"}
    )

    assert response.json()["scope"] == "openid profile"


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer garbage",
        "Bearer",
        "not.a.jwt",
        "Basic Zm9vOmJhcg==",
        "Bearer eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjF9.c2ln",
    ],
)
def test_any_authorization_header_is_ignored(post, member, password, authorization):
    response = post(
        {"grant_type": "password", "username": member.email, "password": password},
        HTTP_AUTHORIZATION=authorization,
    )

    assert response.status_code == 201


def test_an_expired_bearer_token_in_the_header_is_ignored(member, password, settings):
    settings.PORTAL_ACCESS_TOKEN_SECONDS = -60
    expired, _ = access_token_issue(member)
    settings.PORTAL_ACCESS_TOKEN_SECONDS = 3600

    response = post_form(
        {"grant_type": "password", "username": member.email, "password": password},
        HTTP_AUTHORIZATION=f"Bearer {expired}",
    )

    assert response.status_code == 201


def test_anonymous_callers_reach_the_endpoint_despite_login_required_middleware(member, password):
    response = Client().post(
        TOKEN_URL,
        urlencode({"grant_type": "password", "username": member.email, "password": password}),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 201
    assert "Location" not in response


def test_every_response_carries_a_correlation_id(member, password):
    ok = post_form({"grant_type": "password", "username": member.email, "password": password})
    failed = post_form({"grant_type": "password", "username": member.email, "password": "nope"})

    assert ok["x-mitel-correlation-id"]
    assert failed["x-mitel-correlation-id"]
    assert ok["x-mitel-correlation-id"] != failed["x-mitel-correlation-id"]


def test_a_valid_client_correlation_id_is_echoed(member, password):
    response = post_form(
        {"grant_type": "password", "username": member.email, "password": password},
        HTTP_X_MITEL_CORRELATION_ID="client-chosen-id-1234",
    )

    assert response["x-mitel-correlation-id"] == "client-chosen-id-1234"


def test_x_mitel_app_is_recorded_on_the_refresh_token(post, member, password):
    app = "app=BR-AppRegistry/2.0.0;platform=windows/10;session-id=static"

    response = post(
        {"grant_type": "password", "username": member.email, "password": password}, HTTP_X_MITEL_APP=app
    )

    assert response.status_code == 201
    assert RefreshToken.objects.get(user=member).mitel_app == app


def test_x_mitel_app_is_optional(member, password):
    post_form({"grant_type": "password", "username": member.email, "password": password})

    assert RefreshToken.objects.get(user=member).mitel_app == ""


# --- bad credentials: one answer for every kind ---------------------------------------------


def test_wrong_password_is_401_invalid_login_credentials(post, member):
    response = post({"grant_type": "password", "username": member.email, "password": "wrong"})

    assert_error(response, 401, "InvalidLoginCredentials")


def test_unknown_email_wrong_password_and_unknown_account_answer_the_same(member, password):
    wrong_password = post_form({"grant_type": "password", "username": member.email, "password": "wrong"})
    unknown_email = post_form(
        {"grant_type": "password", "username": "nobody@x.example", "password": password}
    )
    unknown_account = post_form(
        {"grant_type": "password", "username": member.email, "password": password, "account_id": "999999999"}
    )
    garbage_account = post_form(
        {"grant_type": "password", "username": member.email, "password": password, "account_id": "nope"}
    )

    bodies = [r.json() for r in (wrong_password, unknown_email, unknown_account, garbage_account)]
    assert {r.status_code for r in (wrong_password, unknown_email, unknown_account, garbage_account)} == {401}
    assert all(body == bodies[0] for body in bodies)
    assert bodies[0]["name"] == "InvalidLoginCredentials"


def test_an_account_the_user_is_not_in_is_invalid_credentials(post, member, outsider_customer, password):
    response = post(
        {
            "grant_type": "password",
            "username": member.email,
            "password": password,
            "account_id": outsider_customer.account_number,
        }
    )

    assert_error(response, 401, "InvalidLoginCredentials")


def test_failed_grants_issue_no_refresh_token(member):
    post_form({"grant_type": "password", "username": member.email, "password": "wrong"})

    assert not RefreshToken.objects.exists()


# --- account and user state ------------------------------------------------------------------


def test_deactivated_account_is_403_inactive_account(post, partner_admin, customer, member, password):
    services.account_deactivate(actor=partner_admin, account=customer, confirmation="deactivate")

    response = post({"grant_type": "password", "username": member.email, "password": password})

    assert_error(response, 403, "InactiveAccount")


def test_reactivated_account_can_sign_in_again(partner_admin, customer, member, password):
    services.account_deactivate(actor=partner_admin, account=customer, confirmation="deactivate")
    services.account_activate(actor=partner_admin, account=customer)

    response = post_form({"grant_type": "password", "username": member.email, "password": password})

    assert response.status_code == 201


def test_deactivated_account_with_a_wrong_password_reveals_nothing(partner_admin, customer, member):
    services.account_deactivate(actor=partner_admin, account=customer, confirmation="deactivate")

    response = post_form({"grant_type": "password", "username": member.email, "password": "wrong"})

    assert_error(response, 401, "InvalidLoginCredentials")


def test_an_invited_user_who_has_not_registered_answers_like_an_unknown_email(post, customer):
    """An invited user has no password yet: whatever password is tried, the answer is the one an
    unknown email gets, so the grant does not tell who was invited."""
    pending = UserFactory(account=customer, email="new@globex.example", password=False, is_registered=False)

    invited = post({"grant_type": "password", "username": pending.email, "password": "anything"})
    unknown = post({"grant_type": "password", "username": "nobody@globex.example", "password": "anything"})

    assert invited.status_code == unknown.status_code == 401
    assert invited.json() == unknown.json()
    assert unknown.json()["name"] == "InvalidLoginCredentials"


def test_unregistered_user_with_a_password_is_403_user_not_registered(customer, password):
    pending = UserFactory(account=customer, email="half@globex.example", is_registered=False)

    response = post_form({"grant_type": "password", "username": pending.email, "password": password})

    assert_error(response, 403, "UserNotRegistered")


def test_disabled_user_is_403_user_not_active(member, password):
    member.is_active = False
    member.save(update_fields=["is_active"])

    response = post_form({"grant_type": "password", "username": member.email, "password": password})

    assert_error(response, 403, "UserNotActive")


# --- the same email in several accounts ------------------------------------------------------


@pytest.fixture
def twin(member, partner):
    """The member's email also exists, with the same password, in a second customer account."""
    return UserFactory(account=CustomerAccountFactory(parent=partner, name="Twin Co"), email=member.email)


def test_email_in_several_accounts_without_account_id_is_409_multiple_matching(post, member, twin, password):
    response = post({"grant_type": "password", "username": member.email, "password": password})

    body = assert_error(response, 409, "MultipleMatching")
    assert body["labels"] == []
    assert set(body) == {"name", "message", "labels"}


@pytest.mark.parametrize("ref", ["guid", "number"])
def test_account_id_picks_one_of_several_accounts(post, member, twin, password, ref):
    account = twin.account
    account_id = str(account.account_id) if ref == "guid" else account.account_number

    response = post(
        {"grant_type": "password", "username": member.email, "password": password, "account_id": account_id}
    )

    assert response.status_code == 201
    assert access_token_decode(response.json()["access_token"])["userId"] == str(twin.user_id)


def test_wrong_password_for_a_shared_email_is_401_not_409(member, twin):
    response = post_form({"grant_type": "password", "username": member.email, "password": "wrong"})

    assert_error(response, 401, "InvalidLoginCredentials")


# --- request shape ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, missing",
    [
        ({}, "grant_type"),
        ({"username": "a@b.example", "password": "x"}, "grant_type"),
        ({"grant_type": "password", "password": "x"}, "username"),
        ({"grant_type": "password", "username": "a@b.example"}, "password"),
        ({"grant_type": "password", "username": "", "password": ""}, "username"),
    ],
)
def test_missing_parameters_are_400(post, data, missing):
    body = assert_error(post(data), 400, "MissingParameters")

    assert missing in body["message"]


@pytest.mark.parametrize("grant_type", ["implicit", "urn:ietf:params:oauth:grant-type:jwt-bearer"])
def test_grants_this_server_does_not_have_are_400_invalid_grant_type(post, grant_type):
    assert_error(post({"grant_type": grant_type, "client_id": "x"}), 400, "InvalidGrantType")


def test_unknown_grant_is_400_invalid_grant_type(post):
    body = assert_error(post({"grant_type": "magic"}), 400, "InvalidGrantType")

    assert "password" in body["message"] and "refresh_token" in body["message"]


def test_malformed_json_is_400(member):
    response = Client().post(TOKEN_URL, "{not json", content_type="application/json")

    assert_error(response, 400, "MissingBodyInRequest")


def test_json_body_that_is_not_an_object_is_400():
    response = post_json(["grant_type", "password"])

    assert_error(response, 400, "MissingBodyInRequest")


def test_non_string_json_values_are_400(member):
    response = post_json({"grant_type": "password", "username": {"email": member.email}, "password": "x"})

    body = assert_error(response, 400, "MissingParameters")
    assert "username" in body["message"]


def test_multipart_bodies_are_accepted_too(member, password):
    response = Client().post(
        TOKEN_URL, {"grant_type": "password", "username": member.email, "password": password}
    )

    assert response.status_code == 201


def test_repeated_failed_password_grants_are_throttled_like_console_sign_in(account_admin, password):
    """The default policy (PORTAL_SIGN_IN_FAILURES="5/5m") allows 5 failures per email and address."""
    for _ in range(5):
        bad = post_form({"grant_type": "password", "username": account_admin.email, "password": "nope-nope"})
        assert bad.status_code == 401

    throttled = post_form({"grant_type": "password", "username": account_admin.email, "password": password})

    assert throttled.status_code == 429
    assert throttled.json()["name"] == "TooManyRequests"
    assert int(throttled["retry-after"]) > 0


def test_the_lock_retry_after_is_the_remaining_lock_in_milliseconds(account_admin, password, throttle_clock):
    grant = {"grant_type": "password", "username": account_admin.email}
    for _ in range(5):
        assert post_form({**grant, "password": "nope-nope"}).status_code == 401

    locked = post_form({**grant, "password": password})

    assert_error(locked, 429, "TooManyRequests")
    assert locked["retry-after"] == "300000"
    assert "Try again in 5 minutes" in locked.json()["message"]
    throttle_clock.advance(60)
    assert post_form({**grant, "password": password})["retry-after"] == "240000"
    throttle_clock.advance(240)
    assert post_form({**grant, "password": password}).status_code == 201


def test_failed_grants_for_one_user_do_not_block_another_users_grant_from_the_same_address(
    account_admin, member, password
):
    for _ in range(10):
        post_form({"grant_type": "password", "username": account_admin.email, "password": "nope-nope"})

    response = post_form({"grant_type": "password", "username": member.email, "password": password})

    assert response.status_code == 201, response.content


def test_grants_through_a_trusted_proxy_are_locked_per_client(account_admin, password, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    grant = {"grant_type": "password", "username": account_admin.email}
    for _ in range(6):
        post_form(
            {**grant, "password": "nope-nope"}, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7"
        )

    owner = post_form(
        {**grant, "password": password}, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5"
    )

    assert owner.status_code == 201, owner.content
