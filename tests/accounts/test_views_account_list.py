"""The partner's Accounts list: search, status filter, sorting, pagination, count, htmx fragment."""

from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Account
from tests.accounts.factories import CustomerAccountFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("accounts:account_list")


def names(response) -> list[str]:
    return [account.name for account in response.context["page"].object_list]


@pytest.fixture
def accounts(partner, customer):
    """Globex Corp (from the personas) plus three more customer accounts of the same partner."""
    return {
        "globex": customer,
        "umbrella": CustomerAccountFactory(
            parent=partner, name="Umbrella Health", account_number="811111111"
        ),
        "acme_retail": CustomerAccountFactory(parent=partner, name="Acme Retail", account_number="822222222"),
        "zeta": CustomerAccountFactory(
            parent=partner, name="Zeta Labs", account_number="833333333", status=Account.Status.DEACTIVATED
        ),
    }


def test_partner_sees_only_its_customer_accounts_with_a_total_count(
    client_for, partner_admin, accounts, outsider_customer
):
    response = client_for(partner_admin).get(URL)

    assert response.status_code == HTTPStatus.OK
    assert names(response) == ["Acme Retail", "Globex Corp", "Umbrella Health", "Zeta Labs"]
    html = response.content.decode()
    assert "<strong>4</strong> accounts" in html
    assert outsider_customer.name not in html and partner_admin.account.name + "</a>" not in html


def test_search_matches_name_or_account_number_prefix(client_for, partner_admin, accounts):
    client = client_for(partner_admin)

    assert names(client.get(URL, {"q": "acme"})) == ["Acme Retail"]
    assert names(client.get(URL, {"q": "8111"})) == ["Umbrella Health"]
    empty = client.get(URL, {"q": "no such thing"})
    assert names(empty) == [] and "No accounts match your search." in empty.content.decode()


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("", ["Acme Retail", "Globex Corp", "Umbrella Health", "Zeta Labs"]),
        ("active", ["Acme Retail", "Globex Corp", "Umbrella Health"]),
        ("deactivated", ["Zeta Labs"]),
    ],
    ids=["all", "active", "deactivated"],
)
def test_status_filter(client_for, partner_admin, accounts, status, expected):
    assert names(client_for(partner_admin).get(URL, {"status": status})) == expected


def test_sorting_by_number_descending_with_sort_links_that_keep_the_search(
    client_for, partner_admin, accounts
):
    client = client_for(partner_admin)

    response = client.get(URL, {"sort": "-number", "q": "a"})

    assert [a.account_number for a in response.context["page"].object_list] == sorted(
        [a.account_number for a in response.context["page"].object_list], reverse=True
    )
    html = response.content.decode()
    assert 'aria-sort="descending"' in html
    assert 'href="/accounts/?sort=number&amp;q=a"' in html  # clicking again flips the order


def test_invalid_filters_are_ignored_rather_than_failing(client_for, partner_admin, accounts):
    response = client_for(partner_admin).get(URL, {"status": "bogus", "sort": "password", "page": "x"})

    assert response.status_code == HTTPStatus.OK
    assert names(response) == ["Acme Retail", "Globex Corp", "Umbrella Health", "Zeta Labs"]


def test_pages_hold_25_accounts(client_for, partner_admin, partner):
    CustomerAccountFactory.create_batch(30, parent=partner)
    client = client_for(partner_admin)

    first, second = client.get(URL), client.get(URL, {"page": 2})

    assert len(first.context["page"].object_list) == 25 and len(second.context["page"].object_list) == 5
    assert (
        "Page 1 of 2" in first.content.decode() and "<strong>30</strong> accounts" in first.content.decode()
    )


def test_htmx_search_returns_only_the_account_table_fragment(client_for, partner_admin, accounts):
    response = client_for(partner_admin).get(URL, {"q": "umbrella"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="account-table"')
    assert "<html" not in html and "Umbrella Health" in html and "Globex Corp" not in html
    assert "HX-Request" in response["Vary"]


def test_the_search_field_is_wired_for_type_ahead_and_works_without_javascript(client_for, partner_admin):
    html = client_for(partner_admin).get(URL).content.decode()

    assert 'hx-trigger="input changed delay:300ms, search"' in html
    assert 'hx-target="#account-table"' in html
    assert '<form id="account-filter" class="toolbar" method="get" action="/accounts/"' in html


@pytest.mark.parametrize("persona", ["account_admin", "member"])
def test_non_partners_get_403(client_for, persona, request):
    assert client_for(request.getfixturevalue(persona)).get(URL).status_code == HTTPStatus.FORBIDDEN


def test_another_partner_sees_none_of_these_accounts(client_for, other_partner_admin, accounts):
    response = client_for(other_partner_admin).get(URL)

    assert response.status_code == HTTPStatus.OK and names(response) == []


def test_anonymous_is_sent_to_sign_in():
    response = Client().get(URL)

    assert response.status_code == HTTPStatus.FOUND and response.url.startswith("/auth/login/")


def _count_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL).status_code == HTTPStatus.OK
    return len(ctx.captured_queries)


def test_the_page_uses_the_same_number_of_queries_for_5_and_500_accounts(client_for, partner_admin, partner):
    client = client_for(partner_admin)
    for account in CustomerAccountFactory.create_batch(5, parent=partner):
        UserFactory(account=account)
    client.get(URL)  # warm caches (content types, sessions)
    with_five = _count_queries(client)

    CustomerAccountFactory.create_batch(495, parent=partner)
    with_five_hundred = _count_queries(client)

    assert with_five == with_five_hundred
