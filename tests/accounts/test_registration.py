"""The "Finish building your account" page a welcome email links to, and what happens to every
link that no longer works (a clear 410 page, never a 500)."""

import re
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import User, WelcomeLink

pytestmark = pytest.mark.django_db

ASK = "Ask your administrator to send you a new welcome email."
NEW_PASSWORD = "violet-harbour-42"


@pytest.fixture
def invite(customer, account_admin, django_capture_on_commit_callbacks):
    """Add Nia through the service; returns her and the path of the link in her welcome email."""
    with django_capture_on_commit_callbacks(execute=True):
        nia = services.user_create(
            actor=account_admin, account=customer, email="nia@globex.example", first_name="Nia"
        )
    token = re.search(r"/welcome/([\w-]+)/", mail.outbox[-1].body)[1]
    return nia, reverse("register", args=[token])


def complete(client: Client, path: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    return client.post(path, {"new_password1": password, "new_password2": confirm or password})


def test_the_link_shows_the_users_email_and_account_and_asks_for_a_password(invite, customer):
    nia, path = invite

    response = Client().get(path)

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "Finish building your account" in html
    assert '<dd id="register-email">nia@globex.example</dd>' in html
    assert f"Globex Corp ({customer.account_number})" in html
    assert 'name="new_password1"' in html and 'name="new_password2"' in html and ">Complete</button>" in html
    assert "no-cache" in response["Cache-Control"]


def test_complete_registers_verifies_and_signs_the_user_in(invite, password):
    nia, path = invite
    client = Client()

    response = complete(client, path)

    assert response.status_code == HTTPStatus.FOUND and response.url == reverse("home")
    nia.refresh_from_db()
    assert nia.is_registered and nia.email_verified and nia.check_password(NEW_PASSWORD)
    assert client.session["_auth_user_id"] == str(nia.pk)
    home = client.get(response.url, follow=True)
    assert home.status_code == HTTPStatus.OK and home.context["user"] == nia


def test_a_registered_account_admin_lands_in_their_account(
    customer, partner_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.user_create(
            actor=partner_admin,
            account=customer,
            email="ann@globex.example",
            name="Ann",
            role=User.Role.ACCOUNT_ADMIN,
        )
    path = re.search(r"http://[^/]+(/welcome/[\w-]+/)", mail.outbox[-1].body)[1]
    client = Client()

    landing = complete(client, path)
    page = client.get(landing.url, follow=True)

    assert page.redirect_chain[-1][0] == reverse("accounts:account_detail", args=[customer.account_number])


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("short1!", None, "This password is too short. It must contain at least 8 characters."),
        ("password123", None, "This password is too common."),
        ("83619427503", None, "This password is entirely numeric."),
        (NEW_PASSWORD, "something-else-9", "The two password fields didn"),
    ],
    ids=["too-short", "too-common", "numeric", "mismatch"],
)
def test_weak_or_mismatched_passwords_are_refused_and_the_link_stays_usable(
    invite, password, confirm, message
):
    nia, path = invite
    client = Client()

    response = complete(client, path, password, confirm)

    assert response.status_code == HTTPStatus.OK
    assert message in response.content.decode().replace("&#x27;", "'")
    nia.refresh_from_db()
    assert not nia.is_registered and "_auth_user_id" not in client.session
    assert complete(client, path).status_code == HTTPStatus.FOUND


def test_a_used_link_shows_the_ask_your_administrator_page(invite):
    nia, path = invite
    complete(Client(), path)

    for response in (Client().get(path), complete(Client(), path, "another-secret-77")):
        assert response.status_code == HTTPStatus.GONE
        html = response.content.decode()
        assert ASK in html and "already been used" in html
    nia.refresh_from_db()
    assert nia.check_password(NEW_PASSWORD)


def test_an_expired_link_shows_the_ask_your_administrator_page(invite):
    nia, path = invite
    WelcomeLink.objects.filter(user=nia).update(expires_at=timezone.now() - timedelta(minutes=1))

    response = Client().get(path)

    assert response.status_code == HTTPStatus.GONE
    assert ASK in response.content.decode() and "expired" in response.content.decode()


def test_links_expire_after_the_configured_number_of_days(
    customer, account_admin, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_WELCOME_LINK_DAYS = 1
    with django_capture_on_commit_callbacks(execute=True):
        nia = services.user_create(
            actor=account_admin, account=customer, email="nia@globex.example", name="Nia"
        )
    path = re.search(r"http://[^/]+(/welcome/[\w-]+/)", mail.outbox[-1].body)[1]
    link = WelcomeLink.objects.get(user=nia)
    # Move the link back in time: still valid 23 hours after it was sent, gone after 25.
    WelcomeLink.objects.filter(pk=link.pk).update(expires_at=link.expires_at - timedelta(hours=23))
    assert Client().get(path).status_code == HTTPStatus.OK
    WelcomeLink.objects.filter(pk=link.pk).update(expires_at=link.expires_at - timedelta(hours=25))
    assert Client().get(path).status_code == HTTPStatus.GONE


def test_a_superseded_link_shows_the_ask_your_administrator_page(
    invite, account_admin, django_capture_on_commit_callbacks
):
    nia, path = invite
    with django_capture_on_commit_callbacks(execute=True):
        services.user_welcome_resend(actor=account_admin, user=nia)

    response = Client().get(path)

    assert response.status_code == HTTPStatus.GONE
    assert (
        ASK in response.content.decode()
        and "only the link in the newest one works" in response.content.decode()
    )


def test_the_link_of_a_deleted_user_shows_the_ask_your_administrator_page(invite, account_admin):
    nia, path = invite
    services.user_delete(actor=account_admin, user=nia)

    for response in (Client().get(path), complete(Client(), path)):
        assert response.status_code == HTTPStatus.GONE and ASK in response.content.decode()


def test_a_link_into_a_deactivated_account_shows_the_ask_your_administrator_page(
    invite, partner_admin, customer
):
    nia, path = invite
    services.account_deactivate(actor=partner_admin, account=customer, confirmation="deactivate")

    response = Client().get(path)

    assert response.status_code == HTTPStatus.GONE and "has been deactivated" in response.content.decode()


@pytest.mark.parametrize("token", ["x", "not-a-real-token-" * 4, "a" * 300])  # %00: test_request_limits
def test_garbage_links_are_410_not_500(token):
    response = Client().post(
        f"/welcome/{token}/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert response.status_code == HTTPStatus.GONE and ASK in response.content.decode()


def test_the_form_submitted_after_the_link_was_used_elsewhere_is_refused(invite):
    """The registration race seen from the browser: two tabs show the form, one submits first."""
    nia, path = invite
    first_tab, second_tab = Client(), Client()
    assert first_tab.get(path).status_code == second_tab.get(path).status_code == HTTPStatus.OK

    assert complete(first_tab, path).status_code == HTTPStatus.FOUND
    late = complete(second_tab, path, "second-tab-secret-5")

    assert late.status_code == HTTPStatus.GONE and "_auth_user_id" not in second_tab.session
    nia.refresh_from_db()
    assert nia.check_password(NEW_PASSWORD)


def test_a_signed_in_admin_opening_someone_elses_link_ends_up_as_that_user(invite, client_for, account_admin):
    nia, path = invite
    client = client_for(account_admin)

    complete(client, path)

    assert client.session["_auth_user_id"] == str(nia.pk)


def test_an_unregistered_user_cannot_sign_in_and_is_told_what_an_unknown_email_is_told(invite):
    """The sign-in form does not reveal who was invited: the welcome email is the way in."""
    invited = Client().post(
        reverse("account_login"), {"login": "nia@globex.example", "password": NEW_PASSWORD}
    )
    unknown = Client().post(
        reverse("account_login"), {"login": "nobody@globex.example", "password": NEW_PASSWORD}
    )

    assert invited.status_code == unknown.status_code == HTTPStatus.OK
    assert "The email address or password you entered is not correct." in invited.content.decode()
    assert "welcome email" not in invited.content.decode()


def test_after_registering_the_user_can_sign_in_with_the_new_password(invite):
    nia, path = invite
    complete(Client(), path)

    response = Client().post(
        reverse("account_login"), {"login": "nia@globex.example", "password": NEW_PASSWORD}
    )

    assert response.status_code == HTTPStatus.FOUND
