"""Console sign-in through allauth: email + password, the account-number step, throttling,
deactivated accounts, sign-out, forgotten password by email and changing one's own password."""

import re
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import AuditEvent
from core.models import OutboxMessage
from tests.accounts.factories import CustomerAccountFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/auth/login/"
WRONG = "The email address or password you entered is not correct."
MULTIPLE = "Multiple accounts located. Additional account information needed to proceed"
THROTTLED = "Too many failed sign-in attempts"


def sign_in(client: Client, email: str, password: str, **extra):
    return client.post(LOGIN, {"login": email, "password": password, **extra})


def signed_in_user_id(client: Client):
    return client.session.get("_auth_user_id")


def test_sign_in_page_uses_the_console_shell_and_has_labelled_fields():
    response = Client().get(LOGIN)

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert '<label for="id_login">Email' in html
    assert 'name="password"' not in html, "the first step asks for the email alone"
    assert 'class="skip-link"' in html and "css/portal.css" in html
    assert 'type="hidden" name="account"' in html
    assert "sign up" not in html.lower()


def test_partner_signs_in_with_email_and_password_and_lands_on_the_accounts_list(partner_admin, password):
    client = Client()

    response = sign_in(client, "PAT@acme.example", password)

    assert response.status_code == HTTPStatus.FOUND and response.url == reverse("home")
    assert signed_in_user_id(client) == str(partner_admin.pk)
    assert client.get(reverse("home")).url == reverse("accounts:account_list")


@pytest.mark.parametrize(
    ("email", "pw"),
    [("ada@globex.example", "wrong-password"), ("nobody@globex.example", "correct-horse-battery")],
    ids=["wrong-password", "unknown-email"],
)
def test_wrong_credentials_give_one_message_that_reveals_nothing(account_admin, email, pw):
    client = Client()

    response = sign_in(client, email, pw)

    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].non_field_errors() == [WRONG]
    html = response.content.decode()
    assert html.count(WRONG) == 1 and MULTIPLE not in html and 'role="alert"' in html
    assert signed_in_user_id(client) is None


def test_email_in_two_accounts_asks_for_the_account_number_then_signs_in_to_that_account(
    account_admin, partner, password
):
    other = CustomerAccountFactory(parent=partner, name="Other Co")
    twin = UserFactory(account=other, email=account_admin.email)
    client = Client()

    asked = sign_in(client, account_admin.email, password)

    html = asked.content.decode()
    assert MULTIPLE in html
    assert '<label for="id_account">Account number' in html and 'type="text" name="account"' in html
    assert html.index('name="account"') < html.index('name="password"'), "asked between email and password"
    assert signed_in_user_id(client) is None

    signed_in = sign_in(client, account_admin.email, password, account=other.account_number)

    assert signed_in.status_code == HTTPStatus.FOUND
    assert signed_in_user_id(client) == str(twin.pk)


def test_a_wrong_account_number_is_just_wrong_credentials(account_admin, partner, password):
    UserFactory(account=CustomerAccountFactory(parent=partner), email=account_admin.email)
    client = Client()

    response = sign_in(client, account_admin.email, password, account="123456789")

    assert response.context["form"].non_field_errors() == [WRONG]
    assert signed_in_user_id(client) is None


def test_the_account_number_is_not_asked_when_the_password_is_wrong(account_admin, partner):
    UserFactory(account=CustomerAccountFactory(parent=partner), email=account_admin.email)

    response = sign_in(Client(), account_admin.email, "wrong-password")

    assert MULTIPLE not in response.content.decode()
    assert 'type="hidden" name="account"' in response.content.decode()


def test_repeated_failures_are_throttled_even_for_the_right_password(account_admin, password):
    client = Client()
    for _ in range(5):
        assert WRONG in sign_in(client, account_admin.email, "wrong-password").content.decode()

    throttled = sign_in(client, account_admin.email, password)

    assert THROTTLED in throttled.content.decode()
    assert signed_in_user_id(client) is None


# --- throttling: per account (email) + client address; one policy with the password grant -------------

PROXY = "10.0.0.1"  # the TLS proxy of docs/production.md: every client reaches the portal from here


def test_a_locked_sign_in_answers_429_and_retry_after_is_the_remaining_lock(
    account_admin, password, throttle_clock
):
    """Default policy PORTAL_SIGN_IN_FAILURES="5/5m": 5 failures lock that email at that address for 5 minutes."""
    client = Client()
    for _ in range(5):
        assert sign_in(client, account_admin.email, "wrong-password").status_code == HTTPStatus.OK

    locked = sign_in(client, account_admin.email, password)

    assert locked.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert locked["Retry-After"] == "300"
    html = locked.content.decode()
    assert f"{THROTTLED} for this email address. Try again in 5 minutes." in html and 'role="alert"' in html
    assert 'name="login"' in html, "the sign-in page itself, with the form"
    throttle_clock.advance(120)
    assert sign_in(client, account_admin.email, password)["Retry-After"] == "180"
    throttle_clock.advance(180)
    assert sign_in(client, account_admin.email, password).status_code == HTTPStatus.FOUND
    assert signed_in_user_id(client) == str(account_admin.pk)


def test_an_attack_on_one_user_does_not_lock_out_another_user_at_the_same_address(
    account_admin, member, password
):
    attacker_and_colleague = Client()  # one address, e.g. everyone behind the proxy
    for _ in range(10):
        sign_in(attacker_and_colleague, account_admin.email, "wrong-password")

    response = sign_in(attacker_and_colleague, member.email, password)

    assert response.status_code == HTTPStatus.FOUND
    assert signed_in_user_id(attacker_and_colleague) == str(member.pk)


def test_many_sign_ins_through_one_proxy_are_not_refused(member, password):
    statuses = [sign_in(Client(), member.email, password).status_code for _ in range(40)]

    assert set(statuses) == {HTTPStatus.FOUND}


def test_failures_from_one_address_lock_it_past_the_per_address_limit(
    account_admin, member, partner_admin, password, settings, throttle_clock
):
    """PORTAL_SIGN_IN_ADDRESS_FAILURES (default "1000/m") caps guessing across many emails."""
    settings.PORTAL_SIGN_IN_ADDRESS_FAILURES = "3/m"
    client = Client()
    for email in ("a@globex.example", "b@globex.example", partner_admin.email):
        sign_in(client, email, "wrong-password")

    locked = sign_in(client, member.email, password)

    assert locked.status_code == HTTPStatus.TOO_MANY_REQUESTS and locked["Retry-After"] == "60"
    assert (
        "Too many failed sign-in attempts from your network. Try again in 1 minute."
        in locked.content.decode()
    )
    assert sign_in(Client(REMOTE_ADDR="192.0.2.44"), member.email, password).status_code == HTTPStatus.FOUND


def test_clients_behind_a_trusted_proxy_are_locked_separately(account_admin, password, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    for _ in range(6):
        sign_in(attacker, account_admin.email, "wrong-password")
    assert sign_in(attacker, account_admin.email, password).status_code == HTTPStatus.TOO_MANY_REQUESTS
    owner = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")

    response = sign_in(owner, account_admin.email, password)

    assert response.status_code == HTTPStatus.FOUND
    assert signed_in_user_id(owner) == str(account_admin.pk)


def test_a_client_cannot_add_addresses_in_front_of_the_proxys_to_get_new_tries(
    account_admin, password, settings
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        sign_in(
            Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7"),
            account_admin.email,
            "wrong-password",
        )

    response = sign_in(
        Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.99, 198.51.100.7"),
        account_admin.email,
        password,
    )

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_without_a_trusted_proxy_a_forged_x_forwarded_for_gives_no_new_tries(account_admin, password):
    for n in range(5):
        sign_in(Client(HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"), account_admin.email, "wrong-password")

    response = sign_in(Client(HTTP_X_FORWARDED_FOR="198.51.100.99"), account_admin.email, password)

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_console_and_password_grant_share_one_policy_and_one_count(
    account_admin, password, settings, throttle_clock
):
    from tests.oauth.token_helpers import post_form

    settings.PORTAL_SIGN_IN_FAILURES = "3/2m"
    sign_in(Client(), account_admin.email, "wrong-password")
    sign_in(Client(), account_admin.email, "wrong-password")
    grant = {"grant_type": "password", "username": account_admin.email}
    assert post_form({**grant, "password": "wrong-password"}).status_code == HTTPStatus.UNAUTHORIZED

    console = sign_in(Client(), account_admin.email, password)
    api = post_form({**grant, "password": password})

    assert console.status_code == HTTPStatus.TOO_MANY_REQUESTS and console["Retry-After"] == "120"
    assert api.status_code == HTTPStatus.TOO_MANY_REQUESTS and api["retry-after"] == "120000"


def test_users_of_a_deactivated_account_cannot_sign_in(partner_admin, customer, account_admin, password):
    services.account_deactivate(actor=partner_admin, account=customer, confirmation="deactivate")
    client = Client()

    response = sign_in(client, account_admin.email, password)

    assert "This account has been deactivated" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_deactivated_account_with_a_wrong_password_reveals_nothing(partner_admin, customer, account_admin):
    services.account_deactivate(actor=partner_admin, account=customer, confirmation="deactivate")

    response = sign_in(Client(), account_admin.email, "wrong-password")

    assert response.context["form"].non_field_errors() == [WRONG]


def test_an_open_session_ends_when_the_account_is_deactivated(
    client_for, partner_admin, customer, account_admin
):
    client = client_for(account_admin)
    detail = reverse("accounts:account_detail", args=[customer.account_number])
    assert client.get(detail).status_code == HTTPStatus.OK

    services.account_deactivate(actor=partner_admin, account=customer, confirmation="deactivate")
    response = client.get(detail, follow=True)

    assert response.redirect_chain[-1][0].startswith(LOGIN)
    assert "Your account is no longer active" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_anonymous_visitors_are_sent_to_sign_in(customer):
    response = Client().get(reverse("accounts:account_detail", args=[customer.account_number]))

    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(f"{LOGIN}?next=/accounts/{customer.account_number}/")


def test_sign_out_from_the_user_menu(client_for, partner_admin):
    client = client_for(partner_admin)
    page = client.get(reverse("accounts:account_list")).content.decode()
    assert re.search(r'<form method="post" action="/auth/logout/">', page)

    response = client.post("/auth/logout/")

    assert response.status_code == HTTPStatus.FOUND and response.url == LOGIN
    assert signed_in_user_id(client) is None


def test_forgotten_password_is_reset_through_the_emailed_link(
    account_admin, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "core.mail.OutboxBackend"
    client = Client()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/auth/password/reset/", {"email": account_admin.email})
    assert response.status_code == HTTPStatus.FOUND

    email = OutboxMessage.objects.get(to=[account_admin.email])
    link = re.search(r"https?://[^/\s]+(/auth/password/reset/key/\S+)", email.body_text).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == HTTPStatus.OK and 'name="password1"' in form_page.content.decode()

    new_password = "a-brand-new-secret-42"
    done = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
        {"password1": new_password, "password2": new_password},
    )

    assert done.status_code == HTTPStatus.FOUND
    assert sign_in(Client(), account_admin.email, new_password).status_code == HTTPStatus.FOUND
    assert WRONG in sign_in(Client(), account_admin.email, "correct-horse-battery").content.decode()
    assert AuditEvent.objects.filter(action="user.password_changed", actor=account_admin).exists()


def test_forgotten_password_form_does_the_same_work_for_known_and_unknown_emails(
    account_admin, settings, django_capture_on_commit_callbacks
):
    """The form answers the same and only queues a task, known email or not (no lookup, no email
    rendered in the request): the answer cannot be told apart, not even by its time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.EMAIL_BACKEND = "core.mail.OutboxBackend"

    def ask(email: str):
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=False) as callbacks,
        ):
            response = Client().post("/auth/password/reset/", {"email": email})
        return response, [q["sql"] for q in queries.captured_queries], callbacks

    known, known_queries, known_tasks = ask(account_admin.email)
    unknown, unknown_queries, unknown_tasks = ask("nobody@globex.example")

    assert known.status_code == unknown.status_code == HTTPStatus.FOUND
    assert known.url == unknown.url
    assert len(known_queries) == len(unknown_queries)
    assert not [sql for sql in known_queries + unknown_queries if "accounts_user" in sql]  # no lookup
    assert len(known_tasks) == len(unknown_tasks) == 1
    assert not OutboxMessage.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):  # the tasks run, and queue the email
        for task in known_tasks + unknown_tasks:
            task()

    assert [m.to for m in OutboxMessage.objects.all()] == [[account_admin.email]]


def test_signed_in_user_changes_their_own_password(client_for, member, password):
    client = client_for(member)
    page = client.get("/auth/password/change/")
    assert page.status_code == HTTPStatus.OK and 'aria-current="page"' in page.content.decode()

    response = client.post(
        "/auth/password/change/",
        {"oldpassword": password, "password1": "another-good-secret-7", "password2": "another-good-secret-7"},
    )

    assert response.status_code == HTTPStatus.FOUND
    member.refresh_from_db()
    assert member.check_password("another-good-secret-7")
    event = AuditEvent.objects.get(action="user.password_changed")
    assert event.actor == member and event.account == member.account and event.correlation_id


def test_changing_the_password_needs_the_current_one(client_for, member):
    client = client_for(member)

    response = client.post(
        "/auth/password/change/",
        {
            "oldpassword": "not-my-password",
            "password1": "another-good-secret-7",
            "password2": "another-good-secret-7",
        },
    )

    assert response.status_code == HTTPStatus.OK
    assert "field--invalid" in response.content.decode()
    member.refresh_from_db()
    assert not member.check_password("another-good-secret-7")


def test_forgotten_password_form_sends_nothing_to_unregistered_users(
    customer, settings, django_capture_on_commit_callbacks
):
    from tests.accounts.factories import UserFactory

    settings.EMAIL_BACKEND = "core.mail.OutboxBackend"
    pending = UserFactory(account=customer, is_registered=False, password=False)

    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/auth/password/reset/", {"email": pending.email})

    assert response.status_code == HTTPStatus.FOUND
    assert not any(
        "/auth/password/reset/key/" in m.body_text for m in OutboxMessage.objects.filter(to=[pending.email])
    )
