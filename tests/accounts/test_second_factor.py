"""Second factors at the console's sign-in (allauth MFA) and the account policy "admins must use a
second factor" (``accounts/second_factor.py``, ``SecondFactorSetupMiddleware``)."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from tests.accounts.factories import recovery_codes_of, totp_factor_add
from tests.accounts.totp import totp_code, wrong_code

pytestmark = pytest.mark.django_db

LOGIN = "/auth/login/"
SECOND_STEP = "/auth/2fa/authenticate/"
SETUP = "/auth/2fa/"


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def password_step(client: Client, user: User, password: str):
    return client.post(LOGIN, {"login": user.email, "password": password})


def test_a_user_with_an_authenticator_app_is_asked_for_a_code_after_the_password(account_admin, password):
    secret = totp_factor_add(account_admin)
    client = Client()

    response = password_step(client, account_admin, password)

    assert response.status_code == 302
    assert response["Location"] == SECOND_STEP
    assert signed_in_user_id(client) is None
    page = client.get(SECOND_STEP)
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.content.decode()

    done = client.post(SECOND_STEP, {"code": totp_code(secret)})

    assert done.status_code == 302
    assert done["Location"] == "/"
    assert signed_in_user_id(client) == str(account_admin.pk)


def test_a_wrong_code_is_refused_and_signs_nobody_in(account_admin, password):
    secret = totp_factor_add(account_admin)
    client = Client()
    password_step(client, account_admin, password)

    response = client.post(SECOND_STEP, {"code": wrong_code(totp_code(secret))})

    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert signed_in_user_id(client) is None


def test_a_code_of_another_secret_is_refused(account_admin, password):
    totp_factor_add(account_admin)
    client = Client()
    password_step(client, account_admin, password)

    response = client.post(SECOND_STEP, {"code": totp_code("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")})

    assert response.status_code == 200
    assert signed_in_user_id(client) is None


def test_a_recovery_code_signs_in_once_only(account_admin, password):
    totp_factor_add(account_admin)
    code = recovery_codes_of(account_admin)[0]
    first, second = Client(), Client()

    password_step(first, account_admin, password)
    used = first.post(SECOND_STEP, {"code": code})
    password_step(second, account_admin, password)
    reused = second.post(SECOND_STEP, {"code": code})

    assert used.status_code == 302
    assert signed_in_user_id(first) == str(account_admin.pk)
    assert code not in recovery_codes_of(account_admin)
    assert reused.status_code == 200
    assert "Incorrect code." in reused.content.decode()
    assert signed_in_user_id(second) is None


def test_a_user_without_a_factor_signs_in_with_the_password_alone(member, password):
    client = Client()

    response = password_step(client, member, password)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) == str(member.pk)


# --- the account policy: role x policy on / off ------------------------------------------------


@pytest.mark.parametrize(
    ("person", "policy_on", "home_goes_to"),
    [
        ("partner_admin", "partner", SETUP),
        ("partner_admin", "", "/accounts/"),
        ("partner_admin", "customer", "/accounts/"),  # the policy of one account binds its own admins
        ("account_admin", "customer", SETUP),
        ("account_admin", "", "/accounts/{number}/"),
        ("account_admin", "partner", "/accounts/{number}/"),
        ("member", "customer", "/auth/password/change/"),  # users are not bound: admins only
        ("member", "", "/auth/password/change/"),
    ],
)
def test_admins_without_a_factor_are_sent_to_set_one_up(
    request, client_for, partner, customer, person, policy_on, home_goes_to
):
    user = request.getfixturevalue(person)
    if policy_on:
        account = {"partner": partner, "customer": customer}[policy_on]
        account.admins_require_second_factor = True
        account.save(update_fields=["admins_require_second_factor"])

    response = client_for(user).get("/")

    assert response.status_code == 302
    assert response["Location"] == home_goes_to.format(number=user.account.account_number)


@pytest.mark.parametrize("person", ["partner_admin", "account_admin"])
def test_an_admin_with_a_factor_uses_the_console_under_the_policy(request, client_for, person):
    user = request.getfixturevalue(person)
    user.account.admins_require_second_factor = True
    user.account.save(update_fields=["admins_require_second_factor"])
    totp_factor_add(user)

    response = client_for(user).get(f"/accounts/{user.account.account_number}/")

    assert response.status_code == 200


def test_recovery_codes_alone_are_no_second_factor(client_for, account_admin):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    account_admin.account.admins_require_second_factor = True
    account_admin.account.save(update_fields=["admins_require_second_factor"])
    RecoveryCodes.activate(account_admin)

    response = client_for(account_admin).get(f"/accounts/{account_admin.account.account_number}/")

    assert response["Location"] == SETUP


def test_the_setup_page_says_why_and_offers_both_kinds_of_factor(client_for, account_admin):
    account_admin.account.admins_require_second_factor = True
    account_admin.account.save(update_fields=["admins_require_second_factor"])
    client = client_for(account_admin)

    page = client.get("/", follow=True)

    assert page.redirect_chain[-1] == (SETUP, 302)
    html = page.content.decode()
    assert "requires its administrators to use a second factor" in html
    assert 'href="/auth/2fa/totp/activate/"' in html
    assert 'href="/auth/2fa/webauthn/add/"' in html
    assert "css/portal.css" in html


def test_an_htmx_request_is_sent_to_the_setup_page_as_a_whole_page(client_for, account_admin):
    account_admin.account.admins_require_second_factor = True
    account_admin.account.save(update_fields=["admins_require_second_factor"])

    response = client_for(account_admin).get(
        f"/accounts/{account_admin.account.account_number}/users/", headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == SETUP


def test_an_admin_under_the_policy_can_still_sign_out(client_for, account_admin):
    account_admin.account.admins_require_second_factor = True
    account_admin.account.save(update_fields=["admins_require_second_factor"])
    client = client_for(account_admin)

    response = client.post("/auth/logout/")

    assert response.status_code == 302
    assert signed_in_user_id(client) is None


def test_activating_an_authenticator_app_with_a_code_of_its_secret_lifts_the_redirect(
    account_admin, password
):
    account_admin.account.admins_require_second_factor = True
    account_admin.account.save(update_fields=["admins_require_second_factor"])
    client = Client()
    assert password_step(client, account_admin, password)["Location"] == "/"
    assert client.get("/")["Location"] == SETUP
    # Adding a factor asks for the password again (allauth's reauthentication), then comes back.
    ask = client.get("/auth/2fa/totp/activate/")
    assert ask["Location"] == "/auth/reauthenticate/?next=%2Fauth%2F2fa%2Ftotp%2Factivate%2F"
    client.post(ask["Location"], {"password": password})
    page = client.get("/auth/2fa/totp/activate/")
    secret = page.context["form"].secret

    response = client.post("/auth/2fa/totp/activate/", {"code": totp_code(secret)})

    assert response.status_code == 302
    assert client.get(f"/accounts/{account_admin.account.account_number}/").status_code == 200


def test_adding_and_removing_an_authenticator_app_is_on_the_activity_trail(
    member, password, django_capture_on_commit_callbacks
):
    from accounts.models import AuditEvent

    client = Client()
    password_step(client, member, password)
    client.post(client.get("/auth/2fa/totp/activate/")["Location"], {"password": password})
    secret = client.get("/auth/2fa/totp/activate/").context["form"].secret
    with django_capture_on_commit_callbacks(execute=True):  # allauth signals the addition on commit
        client.post("/auth/2fa/totp/activate/", {"code": totp_code(secret)})
    client.post("/auth/2fa/totp/deactivate/")

    events = AuditEvent.objects.filter(
        account=member.account, action__startswith="user.second_factor"
    ).order_by("pk")
    assert [(e.action, e.before, e.after) for e in events] == [
        ("user.second_factor_added", {}, {"factor": "Authenticator app"}),
        ("user.second_factor_added", {}, {"factor": "Recovery codes"}),
        ("user.second_factor_removed", {"factor": "Authenticator app"}, {}),
        ("user.second_factor_removed", {"factor": "Recovery codes"}, {}),
    ]
