"""The User page: edit the fields, grant or withdraw Account Admin, resend the welcome email, send
a password reset, delete — without JavaScript and with htmx, and the rules shown on the page."""

import re
import uuid
from http import HTTPStatus

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import AuditEvent, User, WelcomeLink
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
DUPLICATE = "One or more of the attribute values are already in use"


def url(name: str, person: User) -> str:
    return reverse(f"accounts:{name}", args=[person.account.account_number, person.user_id])


def fields(person: User, **overrides) -> dict:
    values = {
        key: getattr(person, key)
        for key in ("name", "first_name", "last_name", "email", "extension", "mobile", "phone")
    }
    if person.role != User.Role.USER:
        values["account_admin"] = "on"
    return values | overrides


@pytest.fixture
def pending(customer, account_admin, django_capture_on_commit_callbacks):
    """Nia, added by Ada, who has not registered yet (her welcome email is in mail.outbox)."""
    with django_capture_on_commit_callbacks(execute=True):
        return services.user_create(
            actor=account_admin,
            account=customer,
            email="nia@globex.example",
            first_name="Nia",
            last_name="Novak",
        )


# --- The page ------------------------------------------------------------------------------------


def test_the_page_shows_the_user_their_fields_and_the_actions_for_a_registered_user(
    client_for, partner_admin, member
):
    response = client_for(partner_admin).get(url("user_detail", member))

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "<h1>Uma User" in html and str(member.user_id) in html and 'aria-label="Copy User ID"' in html
    for field in [
        "name",
        "first_name",
        "last_name",
        "email",
        "extension",
        "mobile",
        "phone",
        "account_admin",
    ]:
        assert f'name="{field}"' in html
    assert "Send password reset" in html and "Resend welcome email" not in html
    assert "Delete Uma User" in html and 'name="delete-confirmation"' in html
    assert 'aria-current="page">Users' in html, "the Users item of the navigation stays current"
    assert f'href="{reverse("accounts:account_list")}"' in html.split('class="breadcrumbs"')[1][:400]


def test_an_unregistered_user_offers_resend_welcome_and_says_when_it_was_sent(
    client_for, account_admin, pending
):
    html = client_for(account_admin).get(url("user_detail", pending)).content.decode()

    assert "Resend welcome email" in html and "Send password reset" not in html
    assert "Unregistered" in html and "Last sent" in html and "its link works until" in html


def test_a_users_page_in_another_account_of_the_same_partner_is_404(
    client_for, account_admin, partner, customer
):
    elsewhere = UserFactory(account=partner)
    path = reverse("accounts:user_detail", args=[customer.account_number, elsewhere.user_id])

    assert client_for(account_admin).get(path).status_code == HTTPStatus.NOT_FOUND


def test_an_unknown_user_id_is_404(client_for, account_admin, customer):
    path = reverse("accounts:user_detail", args=[customer.account_number, uuid.uuid4()])

    assert client_for(account_admin).get(path).status_code == HTTPStatus.NOT_FOUND
    assert (
        client_for(account_admin)
        .get(f"/accounts/{customer.account_number}/users/ada@globex.example/")
        .status_code
        == 404
    )


ACTIONS = ["user_detail", "user_update", "user_welcome_resend", "user_password_reset_send", "user_delete"]


@pytest.mark.parametrize("action", ACTIONS)
def test_plain_user_gets_403_everywhere_even_on_their_own_page(client_for, member, account_admin, action):
    client = client_for(member)

    for person in (member, account_admin):
        method = client.get if action == "user_detail" else client.post
        assert method(url(action, person), fields(person)).status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("persona", ["outsider", "other_partner_admin"])
def test_outsiders_get_404_with_a_real_user_id(client_for, member, persona, action, request):
    client = client_for(request.getfixturevalue(persona))
    method = client.get if action == "user_detail" else client.post

    assert method(url(action, member), {"delete-confirmation": "delete"}).status_code == HTTPStatus.NOT_FOUND
    assert User.objects.filter(pk=member.pk).exists()


@pytest.mark.parametrize("action", ACTIONS)
def test_anonymous_is_sent_to_sign_in(member, action):
    method = Client().get if action == "user_detail" else Client().post

    response = method(url(action, member))

    assert response.status_code == HTTPStatus.FOUND and response.url.startswith("/auth/login/")


# --- Editing and the Account Admin toggle ----------------------------------------------------------


def test_admin_edits_the_fields_and_lands_back_on_the_page(client_for, account_admin, member):
    client = client_for(account_admin)

    response = client.post(
        url("user_update", member),
        fields(member, name="", first_name="Uma", last_name="Ulls", extension="2200"),
    )

    assert response.status_code == HTTPStatus.FOUND and response.url == url("user_detail", member)
    member.refresh_from_db()
    assert (member.display_name, member.extension, member.role) == ("Uma Ulls", "2200", User.Role.USER)
    assert "Changes to Uma Ulls saved." in client.get(response.url).content.decode()
    event = AuditEvent.objects.get(action="user.updated")
    assert event.after == {"name": "", "first_name": "Uma", "last_name": "Ulls", "extension": "2200"}


def test_switching_the_toggle_on_grants_account_admin_and_off_withdraws_it(client_for, account_admin, member):
    client = client_for(account_admin)

    client.post(url("user_update", member), fields(member, account_admin="on"))
    member.refresh_from_db()
    assert member.role == User.Role.ACCOUNT_ADMIN

    client.post(url("user_update", member), fields(member) | {"account_admin": ""})
    member.refresh_from_db()
    assert member.role == User.Role.USER
    assert AuditEvent.objects.filter(action="user.role_changed").count() == 2


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"name": "", "first_name": "", "last_name": ""},
            "__all__",
            "Enter at least one of Name, First Name or Last Name.",
        ),
        ({"email": "ada@globex.example"}, "email", DUPLICATE),
        ({"email": "uma@"}, "email", "Enter a valid email address."),
    ],
    ids=["no-name", "duplicate-email", "bad-email"],
)
def test_invalid_edits_show_the_error_and_change_nothing(
    client_for, account_admin, member, overrides, field, message
):
    response = client_for(account_admin).post(url("user_update", member), fields(member, **overrides))

    assert response.status_code == HTTPStatus.OK
    assert message in response.context["form"].errors[field]
    member.refresh_from_db()
    assert (member.email, member.name) == ("uma@globex.example", "Uma User")
    assert "<h1>Uma User" in response.content.decode(), "the heading keeps the saved name"


def test_your_own_toggle_is_locked_and_a_forged_withdrawal_is_refused_on_the_page(
    client_for, account_admin, member, customer
):
    services.user_role_set(actor=account_admin, user=member, role=User.Role.ACCOUNT_ADMIN)
    client = client_for(account_admin)

    html = client.get(url("user_detail", account_admin)).content.decode()
    assert re.search(r'name="account_admin"[^>]*disabled', html)
    assert "You cannot withdraw your own admin rights; another admin can." in html
    assert "You cannot delete yourself" in html and "Delete user permanently" not in html

    # The disabled toggle keeps its value whatever is posted.
    client.post(url("user_update", account_admin), fields(account_admin) | {"account_admin": ""})
    account_admin.refresh_from_db()
    assert account_admin.role == User.Role.ACCOUNT_ADMIN


def test_withdrawing_the_last_admin_shows_the_rule_next_to_the_toggle(
    client_for, partner_admin, account_admin
):
    response = client_for(partner_admin).post(
        url("user_update", account_admin), fields(account_admin) | {"account_admin": ""}
    )

    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["account_admin"] == [
        "This is the account's last admin; make someone else admin first."
    ]
    assert "This is the account&#x27;s last admin" in response.content.decode()
    account_admin.refresh_from_db()
    assert account_admin.role == User.Role.ACCOUNT_ADMIN


def test_a_partner_admins_role_cannot_be_toggled(client_for, partner_admin, partner):
    colleague = UserFactory(account=partner, role=User.Role.PARTNER_ADMIN, name="Pam")
    client = client_for(partner_admin)

    html = client.get(url("user_detail", colleague)).content.decode()
    client.post(url("user_update", colleague), fields(colleague, name="Pam P.") | {"account_admin": ""})

    assert "Partner admins keep their role" in html
    colleague.refresh_from_db()
    assert (colleague.name, colleague.role) == ("Pam P.", User.Role.PARTNER_ADMIN)


def test_htmx_edit_returns_the_card_with_the_heading_and_flash_out_of_band(client_for, account_admin, member):
    response = client_for(account_admin).post(
        url("user_update", member), fields(member, name="Uma Ulls", account_admin="on"), **HX
    )

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK and "<html" not in html
    assert html.lstrip().startswith('<section id="user-info"')
    assert (
        'id="user-heading" class="page-header" hx-swap-oob="true"' in html and "Account Admin</span>" in html
    )
    assert (
        'id="messages" class="messages" hx-swap-oob="true"' in html and "Changes to Uma Ulls saved." in html
    )


def test_htmx_invalid_edit_returns_the_card_with_the_errors(client_for, account_admin, member):
    response = client_for(account_admin).post(
        url("user_update", member), fields(member, email="ada@globex.example"), **HX
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="user-info"') and DUPLICATE in html


# --- Welcome email and password reset ----------------------------------------------------------------


def test_resending_the_welcome_email_kills_the_previous_link(
    client_for, account_admin, pending, django_capture_on_commit_callbacks
):
    first = WelcomeLink.objects.get(user=pending)
    client = client_for(account_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("user_welcome_resend", pending))

    assert response.status_code == HTTPStatus.FOUND and response.url == url("user_detail", pending)
    first.refresh_from_db()
    assert (
        first.revoked_at is not None
        and WelcomeLink.objects.filter(user=pending, revoked_at=None).count() == 1
    )
    assert [m.to for m in mail.outbox] == [["nia@globex.example"], ["nia@globex.example"]]
    old_token = re.search(r"/welcome/([\w-]+)/", mail.outbox[0].body)[1]
    assert Client().get(reverse("register", args=[old_token])).status_code == HTTPStatus.GONE
    page = client.get(response.url).content.decode()
    assert (
        "A new welcome email is on its way to nia@globex.example; the previous link no longer works." in page
    )


def test_a_registered_user_gets_no_welcome_email_and_the_page_says_why(client_for, account_admin, member):
    response = client_for(account_admin).post(url("user_welcome_resend", member))

    assert response.status_code == HTTPStatus.OK
    assert "This user is already registered; send a password reset instead." in response.content.decode()
    assert not WelcomeLink.objects.exists()


def test_send_password_reset_emails_the_user(
    client_for, account_admin, member, django_capture_on_commit_callbacks
):
    client = client_for(account_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("user_password_reset_send", member))

    assert response.status_code == HTTPStatus.FOUND
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["uma@globex.example"]
    assert "/auth/password/reset/key/" in mail.outbox[0].body
    assert (
        "A password reset email is on its way to uma@globex.example."
        in client.get(response.url).content.decode()
    )


def test_an_unregistered_user_gets_no_password_reset(client_for, account_admin, pending):
    response = client_for(account_admin).post(url("user_password_reset_send", pending))

    assert response.status_code == HTTPStatus.OK
    assert "This user has not registered yet; resend the welcome email instead." in response.content.decode()


def test_htmx_resend_returns_the_card_and_the_flash(client_for, account_admin, pending):
    response = client_for(account_admin).post(url("user_welcome_resend", pending), **HX)

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="user-access"') and "<html" not in html
    assert 'hx-swap-oob="true"' in html and "A new welcome email is on its way" in html


# --- Delete --------------------------------------------------------------------------------------------


def test_delete_needs_the_typed_word_then_removes_the_user_and_opens_the_users_page(
    client_for, account_admin, member, customer
):
    client = client_for(account_admin)

    wrong = client.post(url("user_delete", member), {"delete-confirmation": "yes"})
    assert wrong.status_code == HTTPStatus.OK and "Type delete to confirm." in wrong.content.decode()
    assert '<details class="danger-row" open>' in wrong.content.decode()
    assert User.objects.filter(pk=member.pk).exists()

    response = client.post(url("user_delete", member), {"delete-confirmation": "delete"})

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("accounts:user_list", args=[customer.account_number])
    assert not User.objects.filter(pk=member.pk).exists()
    assert "Uma User (uma@globex.example) was deleted." in client.get(response.url).content.decode()
    assert AuditEvent.objects.filter(action="user.deleted", account=customer).exists()


def test_deleting_yourself_is_refused_with_the_reason_on_the_page(client_for, account_admin):
    response = client_for(account_admin).post(
        url("user_delete", account_admin), {"delete-confirmation": "delete"}
    )

    assert response.status_code == HTTPStatus.OK
    assert "You cannot delete yourself" in response.content.decode()
    assert User.objects.filter(pk=account_admin.pk).exists()


def test_deleting_the_last_admin_is_refused_with_the_reason_on_the_page(
    client_for, partner_admin, account_admin
):
    response = client_for(partner_admin).post(
        url("user_delete", account_admin), {"delete-confirmation": "delete"}
    )

    assert response.status_code == HTTPStatus.OK
    assert (
        "This is the account&#x27;s last admin; make someone else admin first." in response.content.decode()
    )
    assert User.objects.filter(pk=account_admin.pk).exists()


def test_htmx_delete_redirects_to_the_users_page_and_a_refusal_returns_the_card(
    client_for, partner_admin, account_admin, member, customer
):
    client = client_for(partner_admin)

    refused = client.post(url("user_delete", account_admin), {"delete-confirmation": "delete"}, **HX)
    deleted = client.post(url("user_delete", member), {"delete-confirmation": "delete"}, **HX)

    assert refused.content.decode().lstrip().startswith('<section id="user-delete"')
    assert deleted["HX-Redirect"] == reverse("accounts:user_list", args=[customer.account_number])
