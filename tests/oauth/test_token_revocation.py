"""Every sign-in of a user ends when their password is changed or reset, when they or their account
are deactivated (also after a later reactivation) and when their role is lowered: refresh families
are revoked (their access tokens die with them through ``sid``) and console sessions end. A
refresh family also has an absolute lifetime that rotation cannot extend."""

import re
from datetime import timedelta
from http import HTTPStatus

import jwt
import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.middleware import SIGNED_OUT
from accounts.models import User
from gateways.pbx_users import services as pbx_users_services
from oauth.models import RefreshToken
from tests.accounts.factories import UserFactory
from tests.oauth.token_helpers import TOKEN_URL, assert_error, post_form, sign_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-secret-42"


def refresh(token: str):
    return post_form({"grant_type": "refresh_token", "refresh_token": token})


def whoami(access_token: str):
    return Client().get(TOKEN_URL, HTTP_AUTHORIZATION=f"Bearer {access_token}")


def assert_ended(pair: dict) -> None:
    """Both halves of a sign-in are refused: the refresh token (401) and the access token (401)."""
    assert_error(refresh(pair["refresh_token"]), 401, "InvalidLoginCredentials")
    assert whoami(pair["access_token"]).status_code == 401


def assert_alive(pair: dict) -> None:
    assert whoami(pair["access_token"]).status_code == 200
    assert refresh(pair["refresh_token"]).status_code == 201


def console_signed_in(client: Client) -> bool:
    """Django checks a session's hash on every request and ends a stale session there."""
    client.get(reverse("home"))
    return "_auth_user_id" in client.session


def reset_link() -> str:
    [message] = mail.outbox
    return re.search(r"https?://[^/\s]+(/auth/password/reset/key/\S+)", message.body).group(1)


def follow_reset_link(link: str) -> None:
    client = Client()
    form_page = client.get(link, follow=True)
    done = client.post(
        form_page.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert done.status_code == HTTPStatus.FOUND


# --- password ------------------------------------------------------------------------------------


def test_changing_the_password_in_the_console_ends_every_other_sign_in(
    client_for, member, password, outsider
):
    phone, laptop = sign_in(member, password), sign_in(member, password)
    bystander = sign_in(outsider, password)
    other_browser = client_for(member)
    browser = client_for(member)

    response = browser.post(
        "/auth/password/change/",
        {"oldpassword": password, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert_ended(phone)
    assert_ended(laptop)
    page = other_browser.get(reverse("home"), follow=True)
    assert "_auth_user_id" not in other_browser.session
    assert str(SIGNED_OUT) in page.content.decode()  # the other browser is told why
    assert console_signed_in(browser)  # the browser that changed it stays signed in
    assert_alive(bystander)
    assert sign_in(member, NEW_PASSWORD)["access_token"]


@pytest.mark.parametrize("asked_by", ["the user (forgot password)", "an admin"])
def test_a_password_reset_through_the_emailed_link_ends_every_sign_in(
    account_admin, member, password, client_for, django_capture_on_commit_callbacks, asked_by
):
    pair = sign_in(member, password)
    browser = client_for(member)
    with django_capture_on_commit_callbacks(execute=True):
        if asked_by == "an admin":
            services.user_password_reset_send(actor=account_admin, user=member)
        else:
            Client().post("/auth/password/reset/", {"email": member.email})
    assert_alive(sign_in(member, password))  # asking for a reset changes nothing yet

    follow_reset_link(reset_link())

    assert_ended(pair)
    assert not console_signed_in(browser)


# --- deactivation ----------------------------------------------------------------------------------


def test_deactivating_the_account_ends_sign_ins_for_good(
    partner_admin, customer, member, password, client_for
):
    pair = sign_in(member, password)
    browser = client_for(member)
    services.account_deactivate(actor=partner_admin, account=customer, confirmation="deactivate")

    services.account_activate(actor=partner_admin, account=customer)

    assert_ended(pair)
    assert not console_signed_in(browser)
    assert_alive(sign_in(member, password))  # signing in again works


def test_deactivating_the_account_leaves_other_accounts_alone(
    partner_admin, customer, member, outsider, password
):
    bystander = sign_in(outsider, password)

    services.account_deactivate(actor=partner_admin, account=customer, confirmation="deactivate")

    assert_alive(bystander)


def test_a_user_the_pbx_sync_deactivates_stays_signed_out_after_coming_back(
    account_admin, customer, password
):
    listed = [
        {
            "extension": str(10000 + i),
            "first_name": f"P{i}",
            "last_name": "X",
            "email": f"pbx{i}@globex.example",
        }
        for i in range(2)
    ]
    pbx_users_services.pbx_sync_apply(actor=account_admin, account=customer, users=listed)
    pbx_user = User.objects.get(email="pbx1@globex.example")
    pbx_user.set_password(password)
    pbx_user.is_registered = True
    pbx_user.save()
    pair = sign_in(pbx_user, password)

    pbx_users_services.pbx_sync_apply(actor=account_admin, account=customer, users=listed[:1])
    pbx_users_services.pbx_sync_apply(actor=account_admin, account=customer, users=listed)

    pbx_user.refresh_from_db()
    assert pbx_user.is_active
    assert_ended(pair)


# --- role ------------------------------------------------------------------------------------------


def test_withdrawing_account_admin_ends_the_users_sign_ins(
    partner_admin, account_admin, password, client_for
):
    UserFactory(account=account_admin.account, role=User.Role.ACCOUNT_ADMIN)  # not the last admin
    pair = sign_in(account_admin, password)
    browser = client_for(account_admin)

    services.user_role_set(actor=partner_admin, user=account_admin, role=User.Role.USER)

    assert_ended(pair)
    assert not console_signed_in(browser)


def test_granting_account_admin_keeps_the_users_sign_ins(partner_admin, member, password):
    pair = sign_in(member, password)

    services.user_role_set(actor=partner_admin, user=member, role=User.Role.ACCOUNT_ADMIN)

    assert_alive(pair)


# --- absolute lifetime of a family ---------------------------------------------------------------------


def refresh_claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def test_rotation_never_extends_a_family_beyond_its_maximum_age(member, password, settings):
    settings.PORTAL_REFRESH_FAMILY_MAX_AGE = 3 * 24 * 3600  # shorter than one token's 14 days
    first = sign_in(member, password)
    started = refresh_claims(first["refresh_token"])["iat"]

    second = refresh(first["refresh_token"]).json()
    third = refresh(second["refresh_token"]).json()

    for pair in (first, second, third):
        assert refresh_claims(pair["refresh_token"])["exp"] == started + 3 * 24 * 3600


def test_a_family_past_its_maximum_age_cannot_refresh(member, password):
    first = sign_in(member, password)
    second = refresh(first["refresh_token"]).json()
    RefreshToken.objects.update(family_expires_at=timezone.now() - timedelta(seconds=1))

    assert_error(refresh(second["refresh_token"]), 401, "InvalidLoginCredentials")


def test_a_token_lasts_its_own_lifetime_when_the_family_has_longer_to_live(member, password, settings):
    first = sign_in(member, password)

    claims = refresh_claims(first["refresh_token"])

    assert claims["exp"] - claims["iat"] == settings.PORTAL_REFRESH_TOKEN_SECONDS
    assert settings.PORTAL_REFRESH_FAMILY_MAX_AGE >= settings.PORTAL_REFRESH_TOKEN_SECONDS
