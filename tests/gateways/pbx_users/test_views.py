"""The Synchronize PBX users page: upload or paste the list, preview the plan, Apply."""

import json
from http import HTTPStatus

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts import services
from accounts.models import User
from gateways.pbx_users import parse as pbx
from gateways.pbx_users import services as pbx_users_services

pytestmark = pytest.mark.django_db

CSV = (
    "extension,first_name,last_name,email\n"
    "1001,Alice,Andersson,alice@globex.example\n"
    "1002,Bob,Berg,bob@globex.example\n"
)


def url(name: str, account) -> str:
    namespace = "pbx_users" if name.startswith("pbx_sync") else "accounts"
    return reverse(f"{namespace}:{name}", args=[account.account_number])


def pbx_users(account):
    return User.objects.filter(account=account, source=User.Source.PBX)


def preview(client, account, **data):
    return client.post(url("pbx_sync", account), data)


def apply_from(client, account, response):
    """Press Apply on a preview page: post its hidden fields back."""
    context = response.context
    data = {
        "users": context["apply_form"]["users"].value(),
        "digest": context["apply_form"]["digest"].value(),
    }
    return client.post(url("pbx_sync_apply", account), data)


def test_users_page_links_to_the_sync(client_for, account_admin, customer):
    html = client_for(account_admin).get(url("user_list", customer)).content.decode()

    assert f'href="{url("pbx_sync", customer)}"' in html and "Synchronize PBX users" in html


def test_sync_page_explains_the_list_and_offers_upload_and_paste(client_for, account_admin, customer):
    response = client_for(account_admin).get(url("pbx_sync", customer))

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert 'enctype="multipart/form-data"' in html and 'type="file"' in html and "<textarea" in html
    assert "at most 2,500 users per MX-ONE" in html and "deactivated, not deleted" in html


def test_htmx_gets_only_the_form_fragment(client_for, account_admin, customer):
    response = client_for(account_admin).get(url("pbx_sync", customer), headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<form id="pbx-sync-form"') and "<html" not in html


def test_pasted_csv_shows_the_plan_and_changes_nothing(client_for, account_admin, customer, member):
    pbx_users_services.pbx_sync_apply(
        actor=account_admin,
        account=customer,
        users=[
            {"extension": "1001", "first_name": "Alice", "last_name": "A", "email": "alice@globex.example"}
        ]
        + [{"extension": "1003", "first_name": "Gone", "email": "gone@globex.example"}],
    )
    text = CSV + f"1004,Uma,Hijack,{member.email}\n1005,,,nameless@globex.example\n"

    response = preview(client_for(account_admin), customer, text=text)

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert response.context["counts"] == {
        "listed": 4,
        "create": 1,
        "update": 1,
        "remove": 1,
        "unchanged": 0,
        "errors": 1,
        "conflicts": 1,
    }
    assert "Apply: create 1, update 1, deactivate 1" in html
    assert (
        "Last name: A → Andersson" in html and "gone@globex.example" in html and "bob@globex.example" in html
    )
    assert pbx.NO_NAME in html and "not added by the PBX" in html
    assert pbx_users(customer).get(email="alice@globex.example").last_name == "A"
    assert pbx_users(customer).filter(is_active=True).count() == 2


def test_an_uploaded_json_file_previews_too(client_for, account_admin, customer):
    upload = SimpleUploadedFile(
        "users.json",
        json.dumps(
            {"users": [{"extension": "2001", "firstName": "Kim", "email": "kim@globex.example"}]}
        ).encode(),
    )

    response = preview(client_for(account_admin), customer, file=upload)

    assert response.context["counts"]["create"] == 1 and "kim@globex.example" in response.content.decode()


def test_apply_synchronizes_and_lands_on_the_pbx_users(
    client_for, account_admin, customer, django_capture_on_commit_callbacks
):
    client = client_for(account_admin)
    previewed = preview(client, customer, text=CSV)

    with django_capture_on_commit_callbacks(execute=True):
        response = apply_from(client, customer, previewed)

    assert (
        response.status_code == HTTPStatus.FOUND
        and response.url == url("user_list", customer) + "?filter=pbx"
    )
    assert sorted(pbx_users(customer).values_list("email", flat=True)) == [
        "alice@globex.example",
        "bob@globex.example",
    ]
    assert sorted(message.to[0] for message in mail.outbox) == ["alice@globex.example", "bob@globex.example"]
    page = client.get(response.url).content.decode()
    assert "PBX users synchronized: 2 created, 0 updated, 0 deactivated." in page
    assert "alice@globex.example" in page


def test_applying_the_same_preview_again_changes_nothing(client_for, account_admin, customer):
    client = client_for(account_admin)
    previewed = preview(client, customer, text=CSV)
    apply_from(client, customer, previewed)
    state = list(pbx_users(customer).order_by("pk").values())

    again = preview(client, customer, text=CSV)

    assert "Nothing to change" in again.content.decode() and "Apply:" not in again.content.decode()
    response = client.post(
        url("pbx_sync_apply", customer),
        {"users": json.dumps(pbx.rows_from_text(CSV)), "digest": again.context["plan"].digest},
        follow=True,
    )
    assert "Nothing to change: the PBX users already match" in response.content.decode()
    assert list(pbx_users(customer).order_by("pk").values()) == state


def test_a_plan_that_changed_since_the_preview_is_shown_again_not_applied(
    client_for, account_admin, customer
):
    client = client_for(account_admin)
    previewed = preview(client, customer, text=CSV)
    services.user_create(actor=account_admin, account=customer, email="bob@globex.example")  # meanwhile

    response = apply_from(client, customer, previewed)

    assert response.status_code == HTTPStatus.OK
    assert "changed since the preview" in response.content.decode()
    assert response.context["counts"]["conflicts"] == 1
    assert not pbx_users(customer).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Upload a file or paste the list"),
        ({"text": "[{]"}, "The list is not valid JSON"),
        ({"text": "name,email\nA,a@x.example"}, "The first line must name the columns"),
        ({"text": "[" * 1000 + "]" * 1000}, "deeper than 32 levels"),
    ],
)
def test_an_unreadable_list_shows_what_to_fix(client_for, account_admin, customer, data, message):
    response = preview(client_for(account_admin), customer, **data)

    assert response.status_code == HTTPStatus.OK
    assert message in response.content.decode()
    assert not pbx_users(customer).exists()


def test_more_than_2500_users_are_refused_with_a_clear_error(client_for, account_admin, customer):
    text = "extension,first_name,last_name,email\n" + "".join(
        f"{n},F,L,u{n}@globex.example\n" for n in range(2_501)
    )

    response = preview(client_for(account_admin), customer, text=text)

    assert pbx.too_many_message(2_501) in response.content.decode()
    assert "Apply:" not in response.content.decode()


@pytest.mark.parametrize("users", ["{not json", "[" * 1000 + "]" * 1000])
def test_a_mangled_apply_is_sent_back_to_the_upload(client_for, account_admin, customer, users):
    response = client_for(account_admin).post(
        url("pbx_sync_apply", customer), {"users": users, "digest": "x"}
    )

    assert response.status_code == HTTPStatus.FOUND and response.url == url("pbx_sync", customer)
    assert not pbx_users(customer).exists()


def test_user_role_gets_403(client_for, member, customer):
    client = client_for(member)

    assert client.get(url("pbx_sync", customer)).status_code == HTTPStatus.FORBIDDEN
    assert preview(client, customer, text=CSV).status_code == HTTPStatus.FORBIDDEN
    response = client.post(
        url("pbx_sync_apply", customer), {"users": json.dumps(pbx.rows_from_text(CSV)), "digest": ""}
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not pbx_users(customer).exists()


def test_outsider_gets_404(client_for, outsider, customer):
    client = client_for(outsider)

    assert client.get(url("pbx_sync", customer)).status_code == HTTPStatus.NOT_FOUND
    response = client.post(
        url("pbx_sync_apply", customer), {"users": json.dumps(pbx.rows_from_text(CSV)), "digest": ""}
    )
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not pbx_users(customer).exists()


def test_anonymous_is_sent_to_sign_in(client, customer):
    response = client.get(url("pbx_sync", customer))

    assert response.status_code == HTTPStatus.FOUND and "/auth/login/" in response.url
