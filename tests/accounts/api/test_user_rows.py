"""The users collection's lean rows equal ``UserOutputSerializer``'s output, and its default
order pages by cursor (``$skiptoken``) while ``$skip`` keeps working."""

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db.models import F
from django.utils import timezone

from accounts.api.user_serializers import UserOutputSerializer, user_rows
from accounts.models import User
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

BASE = "/api/admin/2017-09-01"


def users_url(account) -> str:
    return f"{BASE}/accounts/{account.account_id}/users"


def test_lean_rows_equal_the_serializer_output(customer, account_admin, member):
    UserFactory(
        account=customer, email="Zed@Globex.example", name="", first_name="", created_by=account_admin
    )
    UserFactory(account=customer, email="yan@globex.example", modified_by=member, extension="2001")
    rows = list(
        User.objects.for_account(customer)
        .select_related("created_by", "modified_by")
        .annotate(created_by_ref=F("created_by__user_id"), modified_by_ref=F("modified_by__user_id"))
        .order_by("pk")
    )

    lean = user_rows(rows, customer)

    assert lean == [UserOutputSerializer(row, context={"account": customer}).data for row in rows]
    assert [list(item) for item in lean] == [list(UserOutputSerializer(rows[0]).data)] * len(rows)


@pytest.mark.parametrize("zone", ["UTC", "Europe/Stockholm", "America/St_Johns"])
def test_lean_dates_equal_the_serializer_output_in_any_current_time_zone(customer, zone):
    user = UserFactory(account=customer)
    User.objects.filter(pk=user.pk).update(
        date_joined=datetime(2026, 7, 1, 12, 30, 5, 123456, tzinfo=UTC),
        modified_at=datetime(2026, 1, 2, tzinfo=UTC),
    )
    row = User.objects.annotate(
        created_by_ref=F("created_by__user_id"), modified_by_ref=F("modified_by__user_id")
    ).get(pk=user.pk)

    with timezone.override(zone):
        lean, full = (
            user_rows([row], customer)[0],
            UserOutputSerializer(row, context={"account": customer}).data,
        )

    assert (lean["createdOn"], lean["modifiedOn"]) == (full["createdOn"], full["modifiedOn"])
    assert lean["createdOn"].endswith("Z") == (zone == "UTC")


@pytest.fixture
def many(customer, account_admin, member):
    UserFactory(account=customer, email="Ann@globex.example")
    UserFactory.create_batch(6, account=customer)
    return sorted(customer.users.values_list("email", flat=True), key=str.lower)


def walk(client, url, params):
    body = client.get(url, params).json()
    seen, links = [i["email"] for i in body["_embedded"]["items"]], []
    while "next" in body["_links"]:
        links.append(body["_links"]["next"])
        body = client.get("/api/admin" + body["_links"]["next"]).json()
        seen += [i["email"] for i in body["_embedded"]["items"]]
    return seen, links


def test_default_order_pages_by_cursor_through_every_user(api_client_for, account_admin, customer, many):
    seen, links = walk(api_client_for(account_admin), users_url(customer), {"$top": "3"})

    assert seen == many
    assert links
    assert all("$skiptoken" in parse_qs(urlsplit(link).query) for link in links)
    assert not any("$skip" in parse_qs(urlsplit(link).query) for link in links)


def test_skip_still_works_and_continues_by_cursor(api_client_for, account_admin, customer, many):
    seen, _ = walk(api_client_for(account_admin), users_url(customer), {"$top": "2", "$skip": "3"})

    assert seen == many[3:]


def test_a_filter_is_kept_on_the_cursor_links(api_client_for, account_admin, customer, many):
    seen, links = walk(
        api_client_for(account_admin), users_url(customer), {"$top": "2", "$filter": "role eq 'USER'"}
    )

    assert seen == [email for email in many if email != "ada@globex.example"]
    assert all(parse_qs(urlsplit(link).query)["$filter"] == ["role eq 'USER'"] for link in links)


def test_another_order_pages_by_skip(api_client_for, account_admin, customer, many):
    seen, links = walk(
        api_client_for(account_admin), users_url(customer), {"$top": "3", "$orderby": "email desc"}
    )

    assert seen == sorted(many, key=str.lower, reverse=True)
    assert all("$skip" in parse_qs(urlsplit(link).query) for link in links)


def test_a_forged_cursor_is_400(api_client_for, account_admin, customer):
    response = api_client_for(account_admin).get(users_url(customer), {"$skiptoken": "not-a-cursor"})

    assert response.status_code == 400
    assert response.json()["name"] == "BadRequest"
