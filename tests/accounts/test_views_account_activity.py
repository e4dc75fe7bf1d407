"""An account's Activity page: its audit events, newest first, paginated."""

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from accounts import services
from tests.accounts.factories import AuditEventFactory

pytestmark = pytest.mark.django_db


def url(account) -> str:
    return reverse("accounts:account_activity", args=[account.account_number])


def test_partner_sees_the_events_newest_first_with_actor_changes_and_correlation_id(
    client_for, partner_admin, customer
):
    client = client_for(partner_admin)
    client.post(
        reverse("accounts:account_update", args=[customer.account_number]),
        {"name": "Globex Renamed", "country": "SE", "default_language": "en-US"},
        HTTP_X_MITEL_CORRELATION_ID="journey-correlation-0001",
    )
    services.account_deactivate(actor=partner_admin, account=customer, confirmation="deactivate")

    response = client.get(url(customer))

    assert response.status_code == HTTPStatus.OK
    events = list(response.context["page"].object_list)
    assert [e.action for e in events][:2] == ["account.deactivated", "account.updated"]
    html = response.content.decode()
    assert "Pat Partner &lt;pat@acme.example&gt;" in html
    assert "<del>Globex Corp</del>" in html and "<ins>Globex Renamed</ins>" in html
    assert "journey-correlation-0001" in html
    assert 'aria-current="page">Activity' in html


def test_events_of_other_accounts_are_not_listed(client_for, partner_admin, customer, outsider_customer):
    services.account_update(actor=partner_admin, account=customer, city="Malmö")
    AuditEventFactory(account=outsider_customer, action="secret.action")

    html = client_for(partner_admin).get(url(customer)).content.decode()

    assert "account.updated" in html and "secret.action" not in html


def test_activity_is_paginated_and_htmx_gets_the_table_fragment(client_for, partner_admin, customer):
    for i in range(30):
        AuditEventFactory(account=customer, actor_label="bot", action=f"test.{i}")
    client = client_for(partner_admin)

    second = client.get(url(customer), {"page": 2}, HTTP_HX_REQUEST="true")

    html = second.content.decode()
    assert html.lstrip().startswith('<div id="activity-table"') and "<html" not in html
    assert "Page 2 of 2" in html and len(second.context["page"].object_list) == 5


def test_account_admin_sees_their_own_accounts_activity(client_for, account_admin, customer):
    assert client_for(account_admin).get(url(customer)).status_code == HTTPStatus.OK


def test_plain_user_gets_403(client_for, member, customer):
    assert client_for(member).get(url(customer)).status_code == HTTPStatus.FORBIDDEN


def test_outsider_gets_404(client_for, outsider, customer):
    assert client_for(outsider).get(url(customer)).status_code == HTTPStatus.NOT_FOUND


def test_anonymous_is_sent_to_sign_in(customer):
    response = Client().get(url(customer))

    assert response.status_code == HTTPStatus.FOUND and response.url.startswith("/auth/login/")


def test_activity_refuses_post(client_for, partner_admin, customer):
    assert client_for(partner_admin).post(url(customer)).status_code == HTTPStatus.METHOD_NOT_ALLOWED
