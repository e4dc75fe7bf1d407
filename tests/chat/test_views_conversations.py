"""The console's Conversations page: an account's conversations with participants (guests marked)
and message counts, read only, in a constant number of queries."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from tests.accounts.factories import UserFactory
from tests.chat.conftest import create_conversation, post_message

pytestmark = pytest.mark.django_db


def url(account) -> str:
    return reverse("chat:conversation_list", args=[account.account_number])


def test_admins_see_every_conversation_with_participants_guests_and_message_counts(
    client_for, api_client_for, partner_admin, member, customer, guests_allowed, guest_client
):
    conversation = create_conversation(api_client_for(member), ("GUEST", "guest-gail"), name="Web chat")
    post_message(guest_client(customer, "guest-gail", "Gail Guest"), conversation["conversationId"], "Hi")
    post_message(api_client_for(member), conversation["conversationId"], "Hello")
    create_conversation(api_client_for(member), name="Internal")

    response = client_for(partner_admin).get(url(customer))

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "Web chat" in html and "Internal" in html
    assert "Gail Guest" in html and '<span class="badge">Guest</span>' in html and "Uma User" in html
    rows = {c.name: c for c in response.context["page"].object_list}
    assert rows["Web chat"].message_count == 2 and rows["Internal"].message_count == 0
    assert 'aria-current="page">Conversations' in html


def test_conversations_of_other_accounts_are_not_listed(
    client_for, api_client_for, account_admin, outsider, customer
):
    create_conversation(api_client_for(outsider), name="Initech secret")
    create_conversation(api_client_for(account_admin), name="Globex chat")

    html = client_for(account_admin).get(url(customer)).content.decode()

    assert "Globex chat" in html and "Initech secret" not in html


def test_the_page_runs_a_constant_number_of_queries(client_for, api_client_for, account_admin, customer):
    client = client_for(account_admin)
    api = api_client_for(account_admin)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(customer)).status_code == HTTPStatus.OK
        return len(captured.captured_queries)

    create_conversation(api, UserFactory(account=customer))
    one = queries()
    for n in range(4):
        conversation = create_conversation(api, UserFactory(account=customer), name=f"c{n}")
        post_message(api, conversation["conversationId"])

    assert queries() == one


def test_htmx_gets_the_table_fragment(client_for, account_admin, customer):
    response = client_for(account_admin).get(url(customer), HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="conversation-table"') and "<html" not in html
    assert "No conversations yet." in html


def test_plain_user_gets_403(client_for, member, customer):
    assert client_for(member).get(url(customer)).status_code == HTTPStatus.FORBIDDEN


def test_outsider_gets_404(client_for, outsider, customer):
    assert client_for(outsider).get(url(customer)).status_code == HTTPStatus.NOT_FOUND


def test_anonymous_is_sent_to_sign_in(customer):
    response = Client().get(url(customer))

    assert response.status_code == HTTPStatus.FOUND and response.url.startswith("/auth/login/")


def test_the_page_is_read_only(client_for, account_admin, customer):
    assert client_for(account_admin).post(url(customer)).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_plain_users_have_no_conversations_item_in_the_navigation(client_for, member, customer):
    html = (
        client_for(member)
        .get(reverse("accounts:account_detail", args=[customer.account_number]))
        .content.decode()
    )

    assert url(customer) not in html


def test_a_user_of_the_account_is_listed_by_name(client_for, api_client_for, account_admin, customer):
    carl = UserFactory(account=customer, role=User.Role.USER, name="Carl Colleague")
    create_conversation(api_client_for(account_admin), carl)

    assert "Carl Colleague" in client_for(account_admin).get(url(customer)).content.decode()
