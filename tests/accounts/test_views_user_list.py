"""An account's Users page: columns, type-ahead search, property filters, sorting, pagination, total
count, the htmx fragment, access, and a query count that does not grow with the users."""

import re
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def url(account) -> str:
    return reverse("accounts:user_list", args=[account.account_number])


def emails(response) -> list[str]:
    return [person.email for person in response.context["page"].object_list]


@pytest.fixture
def people(customer, account_admin, member):
    """Ada (admin, registered), Uma (user, registered), plus Nia (unregistered) and Pete (PBX)."""
    nia = UserFactory(
        account=customer,
        email="nia@globex.example",
        first_name="Nia",
        last_name="Novak",
        extension="2104",
        is_registered=False,
        password=False,
    )
    pete = UserFactory(
        account=customer,
        email="pete@globex.example",
        name="Pete from the PBX",
        extension="3100",
        source=User.Source.PBX,
    )
    return {"ada": account_admin, "uma": member, "nia": nia, "pete": pete}


def test_partner_sees_the_accounts_users_with_every_column(
    client_for, partner_admin, customer, people, outsider
):
    response = client_for(partner_admin).get(url(customer))

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    table = html.split('id="user-table"')[1]
    for text in ["Ada Admin", "Uma User", "Nia Novak", "Pete from the PBX", "nia@globex.example", "2104"]:
        assert text in table
    assert "Account Admin" in table and "Unregistered" in table and "Registered" in table
    assert "PBX" in table and "Manual" in table
    for column in ["Name", "Email", "Extension", "Role", "Registered", "Source", "Last modified"]:
        assert f'{column}<span class="sort-icon"' in table, column
    assert outsider.email not in html and partner_admin.email not in table
    assert "<strong>4</strong> users" in html
    assert f'href="/accounts/{customer.account_number}/users/{people["nia"].user_id}/"' in table


def test_names_come_from_name_or_first_and_last_name_and_sort_by_the_name_shown(
    client_for, account_admin, customer, people
):
    response = client_for(account_admin).get(url(customer))

    assert [p.display_name for p in response.context["page"]] == [
        "Ada Admin",
        "Nia Novak",
        "Pete from the PBX",
        "Uma User",
    ]
    descending = client_for(account_admin).get(url(customer), {"sort": "-name"})
    assert emails(descending)[0] == "uma@globex.example"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("nia", ["nia@globex.example"]),  # first name
        ("NOVAK", ["nia@globex.example"]),  # last name, any case
        ("pbx", ["pete@globex.example"]),  # Name
        ("uma@", ["uma@globex.example"]),  # email
        ("31", ["pete@globex.example"]),  # extension prefix
        ("nobody", []),
    ],
)
def test_type_ahead_search_matches_name_email_and_extension(
    client_for, account_admin, customer, people, query, expected
):
    assert emails(client_for(account_admin).get(url(customer), {"q": query})) == expected


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (["admins"], ["ada@globex.example"]),
        (["users"], ["nia@globex.example", "pete@globex.example", "uma@globex.example"]),
        (["registered"], ["ada@globex.example", "pete@globex.example", "uma@globex.example"]),
        (["unregistered"], ["nia@globex.example"]),
        (["pbx"], ["pete@globex.example"]),
        (["users", "registered"], ["pete@globex.example", "uma@globex.example"]),
        (["admins", "unregistered"], []),
    ],
    ids=["admins", "users", "registered", "unregistered", "pbx", "users+registered", "admins+unregistered"],
)
def test_property_filters_combine(client_for, account_admin, customer, people, filters, expected):
    response = client_for(account_admin).get(url(customer), {"filter": filters, "sort": "email"})

    assert emails(response) == expected
    html = response.content.decode()
    for key in filters:
        assert re.search(rf'name="filter" value="{key}"[^>]*checked', html), f"{key} stays ticked"


def test_no_match_offers_to_clear_the_search(client_for, account_admin, customer, people):
    html = client_for(account_admin).get(url(customer), {"q": "zzz"}).content.decode()

    assert "No users match your search." in html and "Clear the search and filters" in html


@pytest.mark.parametrize(
    ("sort", "first"),
    [
        ("email", "ada@globex.example"),
        ("-email", "uma@globex.example"),
        ("-extension", "pete@globex.example"),
        ("registered", "nia@globex.example"),
        ("-source", "pete@globex.example"),
        ("role", "ada@globex.example"),
    ],
)
def test_sorting(client_for, account_admin, customer, people, sort, first):
    response = client_for(account_admin).get(url(customer), {"sort": sort})

    assert emails(response)[0] == first
    assert 'aria-sort="' in response.content.decode()


def test_sort_links_keep_the_search_and_filters(client_for, account_admin, customer, people):
    html = client_for(account_admin).get(
        url(customer), {"q": "globex", "filter": "registered", "sort": "email"}
    )
    html = html.content.decode()

    assert f'href="{url(customer)}?q=globex&amp;filter=registered&amp;sort=-email"' in html
    assert 'aria-sort="ascending"' in html


def test_invalid_filters_sorts_and_pages_are_ignored(client_for, account_admin, customer, people):
    response = client_for(account_admin).get(
        url(customer), {"filter": "vip", "sort": "password", "page": "x"}
    )

    assert response.status_code == HTTPStatus.OK and len(emails(response)) == 4
    assert response.context["page"].number == 1


def test_pages_hold_25_users_with_the_total_count(client_for, account_admin, customer):
    UserFactory.create_batch(29, account=customer)
    client = client_for(account_admin)

    first, second = client.get(url(customer)), client.get(url(customer), {"page": 2})

    assert len(first.context["page"].object_list) == 25 and len(second.context["page"].object_list) == 5
    assert "Page 1 of 2" in first.content.decode() and "<strong>30</strong> users" in first.content.decode()


def test_htmx_search_returns_only_the_table_fragment(client_for, account_admin, customer, people):
    response = client_for(account_admin).get(url(customer), {"q": "nia"}, **HX)

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="user-table"')
    assert "<html" not in html and "Nia Novak" in html and "Uma User" not in html
    assert "HX-Request" in response["Vary"]


def test_the_toolbar_is_wired_for_type_ahead_and_filter_chips_and_works_without_javascript(
    client_for, account_admin, customer
):
    html = client_for(account_admin).get(url(customer)).content.decode()

    assert 'hx-trigger="input changed delay:300ms, search"' in html and 'hx-target="#user-table"' in html
    assert f'<form id="user-filter" class="toolbar" method="get" action="{url(customer)}"' in html
    for label in ["Admins", "Users", "Registered", "Unregistered", "PBX Users"]:
        assert f"<span>{label}</span>" in html
    assert 'class="button button--secondary nojs-only">Apply</button>' in html
    assert f'href="{reverse("accounts:user_create", args=[customer.account_number])}"' in html


def test_account_admin_manages_users_of_their_own_account_only(client_for, account_admin, customer, partner):
    client = client_for(account_admin)

    assert client.get(url(customer)).status_code == HTTPStatus.OK
    assert client.get(url(partner)).status_code == HTTPStatus.NOT_FOUND


def test_plain_user_gets_403(client_for, member, customer):
    assert client_for(member).get(url(customer)).status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("persona", ["outsider", "other_partner_admin"])
def test_outsiders_get_404(client_for, customer, persona, request):
    assert client_for(request.getfixturevalue(persona)).get(url(customer)).status_code == HTTPStatus.NOT_FOUND


def test_anonymous_is_sent_to_sign_in(customer):
    assert Client().get(url(customer)).url.startswith("/auth/login/")


def _count_queries(client, path, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path, params or {}).status_code == HTTPStatus.OK
    return len(ctx.captured_queries)


def _bulk_users(account, count: int, modified_by) -> None:
    users = [
        User(
            account=account,
            email=f"bulk{i}@globex.example",
            first_name=f"Bulk{i}",
            extension=str(5000 + i),
            is_registered=bool(i % 2),
            modified_by=modified_by,
            password="!",
        )
        for i in range(count)
    ]
    User.objects.bulk_create(users, batch_size=500)


@pytest.mark.parametrize(
    "params", [{}, {"q": "bulk", "filter": ["users", "registered"], "sort": "-modified"}]
)
def test_the_page_uses_the_same_number_of_queries_for_5_and_2500_users(
    client_for, account_admin, customer, params
):
    client = client_for(account_admin)
    path = url(customer)
    _bulk_users(customer, 4, account_admin)
    client.get(path)  # warm caches (content types, sessions)
    with_five = _count_queries(client, path, params)

    User.objects.filter(account=customer, email__startswith="bulk").delete()
    _bulk_users(customer, 2499, account_admin)
    with_2500 = _count_queries(client, path, params)

    assert User.objects.filter(account=customer).count() == 2500
    assert with_five == with_2500


def test_deactivated_users_are_marked_on_the_users_page(client_for, account_admin, customer):
    from tests.accounts.factories import UserFactory

    gone = UserFactory(account=customer, email="gone@globex.example", is_active=False)

    html = (
        client_for(account_admin).get(f"/accounts/{customer.account_number}/users/?q=gone").content.decode()
    )

    assert gone.email in html and "Deactivated" in html
