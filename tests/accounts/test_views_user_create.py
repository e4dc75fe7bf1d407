"""Add user: the form, its rules, the welcome email it queues and the User page it opens."""

from http import HTTPStatus

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent, User

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
DUPLICATE = "One or more of the attribute values are already in use"


def url(account) -> str:
    return reverse("accounts:user_create", args=[account.account_number])


def data(**overrides) -> dict:
    return {
        "name": "",
        "first_name": "Nia",
        "last_name": "Novak",
        "email": "Nia@Globex.example",
        "extension": "2104",
        "mobile": "+46 70 123 45 67",
        "phone": "",
    } | overrides


def test_the_form_has_every_field_labelled_and_a_create_button(client_for, account_admin, customer):
    html = client_for(account_admin).get(url(customer)).content.decode()

    for field, label in [
        ("name", "Name"),
        ("first_name", "First Name"),
        ("last_name", "Last Name"),
        ("email", "Email"),
        ("extension", "Extension"),
        ("mobile", "Mobile"),
        ("phone", "Phone"),
        ("account_admin", "Account Admin"),
    ]:
        assert f'<label for="id_{field}">{label}' in html
    assert 'role="switch"' in html and ">Create</button>" in html


def test_admin_adds_a_user_the_welcome_email_is_queued_and_the_users_page_opens(
    client_for, account_admin, customer, django_capture_on_commit_callbacks
):
    client = client_for(account_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(customer), data())

    user = User.objects.get(account=customer, email="nia@globex.example")
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("accounts:user_detail", args=[customer.account_number, user.user_id])
    assert (user.first_name, user.last_name, user.extension, user.mobile, user.phone) == (
        "Nia",
        "Novak",
        "2104",
        "+46 70 123 45 67",
        "",
    )
    assert user.role == User.Role.USER and not user.is_registered and user.created_by == account_admin
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nia@globex.example"]
    page = client.get(response.url).content.decode()
    assert "Nia Novak was added; a welcome email is on its way to nia@globex.example." in page
    assert AuditEvent.objects.filter(account=customer, action="user.created").count() == 1


def test_the_account_admin_toggle_creates_an_account_admin(client_for, partner_admin, customer):
    client_for(partner_admin).post(
        url(customer), data(name="Ann", first_name="", last_name="", account_admin="on")
    )

    assert User.objects.get(email="nia@globex.example").role == User.Role.ACCOUNT_ADMIN


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"name": "", "first_name": "", "last_name": ""},
            None,
            "Enter at least one of Name, First Name or Last Name.",
        ),
        ({"email": ""}, "email", "This field is required."),
        ({"email": "nia@"}, "email", "Enter a valid email address."),
        ({"email": "ADA@globex.example"}, "email", DUPLICATE),
        ({"extension": "1" * 31}, "extension", "Ensure this value has at most 30 characters"),
    ],
    ids=["no-name", "no-email", "bad-email", "duplicate-email", "long-extension"],
)
def test_invalid_input_shows_the_error_and_adds_nobody(
    client_for, account_admin, customer, overrides, field, message, django_capture_on_commit_callbacks
):
    before = User.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(account_admin).post(url(customer), data(**overrides))

    assert response.status_code == HTTPStatus.OK
    errors = response.context["form"].errors.get(field or "__all__")
    assert errors and message in " ".join(errors)
    assert message in response.content.decode().replace("&#x27;", "'")
    assert User.objects.count() == before and mail.outbox == []


def test_one_of_the_three_names_is_enough(client_for, account_admin, customer):
    for i, names in enumerate([{"name": "Solo"}, {"first_name": "First"}, {"last_name": "Last"}]):
        fields = {"name": "", "first_name": "", "last_name": ""} | names
        response = client_for(account_admin).post(url(customer), data(email=f"n{i}@globex.example", **fields))
        assert response.status_code == HTTPStatus.FOUND, names


def test_htmx_create_redirects_the_browser_to_the_new_users_page(client_for, account_admin, customer):
    response = client_for(account_admin).post(url(customer), data(), **HX)

    user = User.objects.get(email="nia@globex.example")
    assert response.status_code == HTTPStatus.OK
    assert response["HX-Redirect"] == reverse(
        "accounts:user_detail", args=[customer.account_number, user.user_id]
    )


def test_htmx_invalid_input_returns_only_the_form_fragment(client_for, account_admin, customer):
    response = client_for(account_admin).post(url(customer), data(email="ADA@globex.example"), **HX)

    html = response.content.decode()
    assert html.lstrip().startswith('<form id="user-create-form"') and "<html" not in html
    assert DUPLICATE in html


def test_plain_user_gets_403(client_for, member, customer):
    client = client_for(member)

    assert client.get(url(customer)).status_code == HTTPStatus.FORBIDDEN
    assert client.post(url(customer), data()).status_code == HTTPStatus.FORBIDDEN
    assert not User.objects.filter(email="nia@globex.example").exists()


@pytest.mark.parametrize("persona", ["outsider", "other_partner_admin"])
def test_outsiders_get_404(client_for, customer, persona, request):
    client = client_for(request.getfixturevalue(persona))

    assert client.get(url(customer)).status_code == HTTPStatus.NOT_FOUND
    assert client.post(url(customer), data()).status_code == HTTPStatus.NOT_FOUND
    assert not User.objects.filter(email="nia@globex.example").exists()


def test_anonymous_is_sent_to_sign_in(customer):
    response = Client().post(url(customer), data())

    assert response.status_code == HTTPStatus.FOUND and response.url.startswith("/auth/login/")
    assert not User.objects.filter(email="nia@globex.example").exists()
