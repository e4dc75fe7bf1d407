"""The sign-in page in two steps (``sso.views.SignInWithProviderView``): the email and Next, then the
account's identity provider or the password; allauth's flow (second factor, throttling) underneath."""

from __future__ import annotations

import re
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from tests.accounts.factories import totp_factor_add
from tests.sso.conftest import IDP_LINK
from tests.sso.factories import SamlIdentityProviderFactory

pytestmark = pytest.mark.django_db

CSRF_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+"')
WRONG = "The email address or password you entered is not correct."


def email_step(client: Client, email: str, **extra):
    return client.post(reverse("account_login"), {"step": "email", "login": email, **extra})


def password_step(client: Client, email: str, password: str):
    return client.post(reverse("account_login"), {"step": "password", "login": email, "password": password})


def test_the_first_step_asks_for_the_email_alone_with_a_next_button():
    page = Client().get(reverse("account_login")).content.decode()

    assert '<label for="id_login">Email' in page
    assert 'name="password"' not in page
    assert '<input type="hidden" name="step" value="email">' in page
    assert ">Next</button>" in page and ">Sign in</button>" not in page


def test_an_unknown_email_goes_to_the_password_step_like_a_known_one(member):
    unknown = email_step(Client(), "nobody@nowhere.example").content.decode()
    known = email_step(Client(), member.email).content.decode()

    for page, email in ((unknown, "nobody@nowhere.example"), (known, member.email)):
        assert f'value="{email}"' in page and "readonly" in page
        assert 'name="password"' in page and ">Sign in</button>" in page
        assert 'data-testid="change-email"' in page
        assert '<input type="hidden" name="step" value="password">' in page
    assert _anonymised(unknown, "nobody@nowhere.example") == _anonymised(known, member.email)


def _anonymised(page: str, email: str) -> str:
    """The page without what differs by design: the email typed and the CSRF token."""
    return CSRF_TOKEN.sub("", page.replace(email, "EMAIL"))


def test_an_empty_or_malformed_email_stays_on_the_email_step_with_an_error():
    page = email_step(Client(), "not-an-email").content.decode()

    assert "Enter a valid email address." in page
    assert 'name="password"' not in page and ">Next</button>" in page


def test_an_email_whose_account_has_a_provider_moves_on_to_the_provider(customer, member, saml_idp):
    SamlIdentityProviderFactory(account=customer, saml_certificates=saml_idp.certificate_pem)
    client = Client()

    response = email_step(client, member.email)

    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert IDP_LINK.search(page).group(1).startswith(saml_idp.login_url + "?SAMLRequest=")
    assert 'http-equiv="refresh"' in page and 'name="password"' not in page
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_is_refused_on_the_password_step_with_the_email_kept(member):
    client = Client()

    response = password_step(client, member.email, "wrong-password")

    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert WRONG in page and 'role="alert"' in page
    assert f'value="{member.email}"' in page and "readonly" in page
    assert '<input type="hidden" name="step" value="password">' in page and 'name="password"' in page
    assert "_auth_user_id" not in client.session


def test_an_empty_password_on_the_password_step_is_asked_for_again(member):
    page = password_step(Client(), member.email, "").content.decode()

    assert "This field is required." in page
    assert f'value="{member.email}"' in page and 'name="password"' in page


def test_the_password_step_signs_in(member, password):
    client = Client()

    response = password_step(client, member.email, password)

    assert response.status_code == HTTPStatus.FOUND
    assert client.session["_auth_user_id"] == str(member.pk)


def test_a_user_with_a_second_factor_is_asked_for_it_after_the_password_step(account_admin, password):
    totp_factor_add(account_admin)
    client = Client()

    assert email_step(client, account_admin.email).status_code == HTTPStatus.OK
    response = password_step(client, account_admin.email, password)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/auth/2fa/authenticate/"
    assert "_auth_user_id" not in client.session


def test_email_and_password_in_one_post_still_sign_in(member, password):
    client = Client()

    response = client.post(reverse("account_login"), {"login": member.email, "password": password})

    assert response.status_code == HTTPStatus.FOUND
    assert client.session["_auth_user_id"] == str(member.pk)


def test_the_break_glass_form_asks_for_email_and_password_together():
    page = Client().get(reverse("account_login") + "?step=password").content.decode()

    assert 'name="login"' in page and 'name="password"' in page
    assert "readonly" not in page


def test_a_locked_email_answers_429_on_the_password_step(member, password, throttle_clock):
    client = Client()
    for _ in range(5):
        password_step(client, member.email, "wrong-password")

    locked = password_step(client, member.email, password)

    assert locked.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert locked["Retry-After"] == "300"


def test_an_admin_of_a_provider_account_signs_in_with_the_password_form_as_a_break_glass(
    customer, account_admin, password, saml_idp
):
    SamlIdentityProviderFactory(
        account=customer, saml_certificates=saml_idp.certificate_pem, sso_required=True
    )
    client = Client()

    response = password_step(client, account_admin.email, password)

    assert response.status_code == HTTPStatus.FOUND
    assert client.session["_auth_user_id"] == str(account_admin.pk)


@pytest.mark.parametrize(("remember", "ends_with_the_browser"), [({}, True), ({"remember": "on"}, False)])
def test_keep_me_signed_in_on_the_password_step_decides_how_long_the_session_lasts(
    member, password, remember, ends_with_the_browser
):
    page = email_step(Client(), member.email).content.decode()
    assert "Keep me signed in" in page
    client = Client()

    client.post(
        reverse("account_login"),
        {"step": "password", "login": member.email, "password": password, **remember},
    )

    assert client.session.get_expire_at_browser_close() is ends_with_the_browser


def test_the_page_asked_for_before_sign_in_is_carried_through_both_steps(member, password, customer):
    wanted = reverse("accounts:account_detail", args=[customer.account_number])
    client = Client()
    first = client.get(reverse("account_login"), {"next": wanted}).content.decode()
    assert f'name="next" value="{wanted}"' in first

    second = email_step(client, member.email, next=wanted).content.decode()
    assert f'name="next" value="{wanted}"' in second

    response = client.post(
        reverse("account_login"),
        {"step": "password", "login": member.email, "password": password, "next": wanted},
    )
    assert response["Location"] == wanted
