"""Hot-path lookups have an index that matches their expression (PostgreSQL ``EXPLAIN``).

Each query is planned with sequential scans (and, for orderings, sorts) priced out of reach: a
plan that still scans ``accounts_user`` / ``accounts_account`` has no usable index, however
many rows the table holds. The tables here are tiny; the plan shape is what is checked.
"""

import pytest
from django.db import connection
from django.db.models import Q
from django.db.models.functions import Lower
from django.http import QueryDict

from accounts import selectors
from accounts.api.user_serializers import USER_DEFAULT_ORDERING, USER_FILTER_FIELDS
from accounts.models import Account, User
from core.api.odata import QueryOptions
from tests.accounts.factories import CustomerAccountFactory, UserFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="EXPLAIN plans are PostgreSQL's (set DATABASE_URL to run them)"
)


def plan(queryset, *, sorts: bool = True) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if not sorts:
            cursor.execute("SET LOCAL enable_sort = off")
    return queryset.explain()


@pytest.fixture
def populated(customer, account_admin, member):
    for _ in range(3):
        UserFactory.create_batch(5, account=CustomerAccountFactory(parent=customer.parent))
    UserFactory.create_batch(5, account=customer)
    return customer


def test_sign_in_lookup_uses_the_lower_email_index(populated):
    queryset = User.objects.filter(email__iexact="Uma@Globex.example").select_related("account")

    text = plan(queryset)

    assert "user_email_unique_per_account" in text, text
    assert "Seq Scan on accounts_user" not in text, text


def test_user_by_email_in_an_account_uses_an_index(populated, account_admin):
    queryset = User.objects.for_account(populated).filter(email__iexact="uma@globex.example")

    assert "Seq Scan on accounts_user" not in plan(queryset)


def test_users_page_default_order_comes_from_the_index(populated, account_admin):
    queryset = selectors.user_list(actor=account_admin, account=populated)[:101]

    text = plan(queryset, sorts=False)

    assert "user_account_email_idx" in text, text
    assert "Sort" not in text, text


def test_users_collection_default_order_comes_from_the_index(populated, account_admin):
    options = QueryOptions.parse(
        QueryDict(""), fields=USER_FILTER_FIELDS, default_ordering=USER_DEFAULT_ORDERING
    )
    queryset = selectors.user_list(actor=account_admin, account=populated).order_by(*options.ordering, "pk")

    text = plan(queryset[:101], sorts=False)

    assert "user_account_email_idx" in text, text
    assert "Sort" not in text, text


@pytest.mark.parametrize("search", ["uma", "globex", "Tester", "12"])
def test_users_search_scans_no_table(populated, account_admin, search):
    queryset = selectors.user_list(actor=account_admin, account=populated, search=search)[:101]

    assert "Seq Scan" not in plan(queryset)


@pytest.mark.parametrize(
    "odata_filter",
    [
        "email eq 'uma@globex.example'",
        "contains(email,'globex')",
        "startswith(lastName,'Test')",
        "contains(name,'Uma') or contains(firstName,'Uma')",
        "role eq 'USER' and registered eq true",
        "modifiedOn gt 2020-01-01T00:00:00Z",
    ],
)
def test_users_collection_filters_scan_no_table(populated, account_admin, odata_filter):
    options = QueryOptions.parse(
        QueryDict(mutable=True) | {"$filter": odata_filter},
        fields=USER_FILTER_FIELDS,
        default_ordering=USER_DEFAULT_ORDERING,
    )
    queryset = selectors.user_list(actor=account_admin, account=populated).filter(options.filter)

    assert "Seq Scan" not in plan(queryset.order_by(*options.ordering, "pk")[:101])


def test_contains_search_over_the_platform_uses_the_trigram_index(populated):
    text = plan(User.objects.filter(email__icontains="globex"))

    assert "user_email_trgm_idx" in text, text


def test_customer_accounts_page_scans_no_account_table(populated, partner_admin):
    for search in ("", "glo"):
        queryset = selectors.customer_account_list(actor=partner_admin, search=search)[:26]

        assert "Seq Scan on accounts_account" not in plan(queryset)


def test_account_name_lookup_uses_the_lower_name_index(populated):
    text = plan(Account.objects.filter(name__iexact="Globex Corp"))

    assert "account_name_lower_idx" in text, text


def test_users_collection_cursor_page_starts_in_the_index(populated, account_admin):
    after = Q(key__gt="m") | Q(key="m", pk__gt=5)
    queryset = (
        selectors.user_list(actor=account_admin, account=populated)
        .annotate(key=Lower("email"))
        .filter(key__gte="m")
        .filter(after)
        .order_by(*USER_DEFAULT_ORDERING, "pk")
    )

    text = plan(queryset[:101], sorts=False)

    assert "user_account_email_idx" in text, text
    assert "Sort" not in text, text
