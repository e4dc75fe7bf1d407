"""The OData parser (core/api/odata.py): $filter to Q over a whitelist, and the other options.

Filters are checked by running them against real rows, so the tests hold on SQLite and PostgreSQL.
"""

import datetime as dt

import pytest
from django.http import QueryDict
from django.utils import timezone

from accounts.api.serializers import ACCOUNT_DEFAULT_ORDERING, ACCOUNT_FILTER_FIELDS
from accounts.models import Account
from core.api.odata import MAX_TOP, FilterField, InvalidFilter, InvalidQueryOption, QueryOptions, filter_q
from tests.accounts.factories import CustomerAccountFactory, PartnerAccountFactory

FIELDS = ACCOUNT_FILTER_FIELDS


@pytest.fixture
def accounts(db):
    partner = PartnerAccountFactory(name="Partner", account_number="500000100")
    old = timezone.now() - dt.timedelta(days=30)
    rows = {
        "Alpha": CustomerAccountFactory(
            parent=partner, name="Alpha", account_number="700000101", city="Boston", country="US"
        ),
        "Beta Co": CustomerAccountFactory(
            parent=partner,
            name="Beta Co",
            account_number="700000102",
            city="Berlin",
            country="DE",
            status=Account.Status.DEACTIVATED,
        ),
        "O'Brien Ltd": CustomerAccountFactory(
            parent=partner,
            name="O'Brien Ltd",
            account_number="700000103",
            city="Dublin",
            country="IE",
            business_type="retail",
            created_at=old,
        ),
        "alphabet": CustomerAccountFactory(
            parent=partner, name="alphabet", account_number="700000104", city="Boston", country="US"
        ),
    }
    other = PartnerAccountFactory(name="Other", account_number="500000200")
    rows["Gamma"] = CustomerAccountFactory(parent=other, name="Gamma", account_number="700000201")
    return rows


def names(text, fields=FIELDS):
    q = filter_q(text, fields)
    return sorted(Account.objects.customers().filter(q).values_list("name", flat=True))


def test_name_eq_matches_exactly(accounts):
    assert names("name eq 'Alpha'") == ["Alpha"]
    assert names("name eq 'alpha'") == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("name ne 'Alpha'", ["Beta Co", "Gamma", "O'Brien Ltd", "alphabet"]),
        ("accountNumber gt '700000103'", ["Gamma", "alphabet"]),
        ("accountNumber ge '700000103'", ["Gamma", "O'Brien Ltd", "alphabet"]),
        ("accountNumber lt '700000102'", ["Alpha"]),
        ("accountNumber le '700000102'", ["Alpha", "Beta Co"]),
        ("accountNumber eq 700000102", ["Beta Co"]),
        ("active eq false", ["Beta Co"]),
        ("active ne true", ["Beta Co"]),
        ("status eq 'deactivated'", ["Beta Co"]),
        ("businessType eq 'retail'", ["O'Brien Ltd"]),
        ("partnerId eq '500000200'", ["Gamma"]),
        ("location/address/city eq 'Dublin'", ["O'Brien Ltd"]),
        ("city eq 'Berlin' or country eq 'IE'", ["Beta Co", "O'Brien Ltd"]),
    ],
)
def test_comparison_operators(accounts, text, expected):
    assert names(text) == expected


def test_string_literal_with_doubled_quote(accounts):
    assert names("name eq 'O''Brien Ltd'") == ["O'Brien Ltd"]
    assert names("contains(name,'''')") == ["O'Brien Ltd"]


def test_and_binds_tighter_than_or_and_parentheses_override(accounts):
    assert names("name eq 'Beta Co' or city eq 'Boston' and name eq 'alphabet'") == ["Beta Co", "alphabet"]
    assert names("(name eq 'Beta Co' or city eq 'Boston') and country eq 'US'") == ["Alpha", "alphabet"]


def test_not(accounts):
    assert names("not city eq 'Boston' and not (name eq 'Gamma')") == ["Beta Co", "O'Brien Ltd"]
    assert names("not not name eq 'Alpha'") == ["Alpha"]


def test_string_functions_are_case_insensitive(accounts):
    assert names("contains(name,'ALPHA')") == ["Alpha", "alphabet"]
    assert names("startswith(name,'al')") == ["Alpha", "alphabet"]
    assert names("endswith(name,' co')") == ["Beta Co"]


def test_substringof_takes_its_arguments_in_either_order(accounts):
    assert names("substringof('bet', name)") == ["Beta Co", "alphabet"]
    assert names("substringof(name,'bet')") == ["Beta Co", "alphabet"]


def test_function_compared_with_a_boolean(accounts):
    assert names("contains(name,'alpha') eq false") == ["Beta Co", "Gamma", "O'Brien Ltd"]
    assert names("contains(name,'alpha') eq true") == ["Alpha", "alphabet"]


def test_value_on_the_left_mirrors_the_operator(accounts):
    assert names("'700000103' lt accountNumber") == ["Gamma", "alphabet"]


def test_guid_literals_quoted_bare_or_typed(accounts):
    guid = accounts["Alpha"].account_id
    assert names(f"accountId eq '{guid}'") == ["Alpha"]
    assert names(f"accountId eq {guid}") == ["Alpha"]
    assert names(f"accountId eq guid'{guid}'") == ["Alpha"]


def test_datetime_literals(accounts):
    cutoff = (timezone.now() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert names(f"createdOn lt {cutoff}") == ["O'Brien Ltd"]
    assert names(f"createdOn lt '{cutoff}'") == ["O'Brien Ltd"]
    assert names(f"createdOn lt datetime'{cutoff}'") == ["O'Brien Ltd"]
    assert names("createdOn gt 2000-01-01") == sorted(a.name for a in accounts.values())


def test_null(accounts):
    fields = {"parentNumber": FilterField("parent__account_number")}
    partners = Account.objects.filter(filter_q("parentNumber eq null", fields))
    assert {a.name for a in partners} == {"Partner", "Other"}
    assert Account.objects.filter(filter_q("parentNumber ne null", fields)).count() == 5


@pytest.mark.parametrize(
    "text",
    [
        "\"name eq 'Alpha'\"",
        "name%20eq%20'Alpha'",
        "name%20eq%20%27Alpha%27",
        "   name    eq   'Alpha'   ",
        "name EQ 'Alpha' AND Active Eq TRUE",
        "Name eq 'Alpha'",
        "(name eq 'Alpha')",
    ],
)
def test_tolerates_quoting_encoding_spacing_and_case(accounts, text):
    assert names(text) == ["Alpha"]


@pytest.mark.parametrize(
    "text, says",
    [
        ("", "empty"),
        ("name eq", "Expected a field or a value"),
        ("name 'Alpha'", "Expected an operator"),
        ("name eq 'Alpha' and", "Expected a field or a value"),
        ("(name eq 'Alpha'", "Expected ')'"),
        ("name eq 'Alpha", "Unterminated string"),
        ("name eq 'A' xor city eq 'B'", "Unexpected 'xor'"),
        ("name eq 'A';", "Unexpected character ';'"),
        ("tolower(name) eq 'a'", "Unsupported function 'tolower'"),
        ("contains(name)", "','"),
        ("contains(name, city)", "one field and one quoted string"),
        ("contains(active,'t')", "text fields only"),
        ("active gt true", "compare it with eq or ne"),
        ("active eq 'maybe'", "expected true or false"),
        ("active eq 1", "expected true or false"),
        ("createdOn gt 'yesterday'", "expected an ISO 8601"),
        ("accountId eq 'not-a-guid'", "expected a GUID"),
        ("name eq true", "expected a quoted string"),
        ("name gt null", "null using eq or ne"),
        ("name eq city", "a field on one side and a value on the other"),
        ("1 eq 1", "a field on one side and a value on the other"),
        ("(" * 40 + "name eq 'A'" + ")" * 40, "nested too deeply"),
        ("name eq '" + "x" * 3000 + "'", "longer than"),
    ],
)
def test_malformed_filters_say_what_is_wrong(text, says):
    with pytest.raises(InvalidFilter) as exc:
        filter_q(text, FIELDS)
    assert exc.value.name == "InvalidFilter"
    assert exc.value.status_code == 400
    assert says in str(exc.value.detail)


@pytest.mark.parametrize("text", ["foo eq 1", "name__startswith eq 'A'", "users__password eq 'x'", "pk gt 0"])
def test_only_whitelisted_fields_reach_the_orm(text):
    with pytest.raises(InvalidFilter, match="Unknown field"):
        filter_q(text, FIELDS)


# --- $top, $skip, $orderby, $expand and the rest -------------------------------------------


def parse(query: str, **kwargs) -> QueryOptions:
    kwargs.setdefault("expandable", frozenset({"tags"}))
    return QueryOptions.parse(QueryDict(query), fields=FIELDS, **kwargs)


def test_defaults():
    options = parse("")
    assert (options.top, options.skip, options.ordering, options.expand) == (100, 0, [], frozenset())


def test_top_and_skip():
    options = parse("$top=5&$skip=10")
    assert (options.top, options.skip) == (5, 10)


def test_top_is_clamped_to_the_maximum():
    assert parse("$top=10000").top == MAX_TOP == 1000


@pytest.mark.parametrize("query", ["$top=0", "$top=-1", "$top=ten", "$top=", "$skip=-1", "$skip=1.5"])
def test_bad_top_or_skip_is_a_bad_request(query):
    with pytest.raises(InvalidQueryOption) as exc:
        parse(query)
    assert exc.value.name == "BadRequest"
    assert query.split("=")[0] in str(exc.value.detail)


def test_orderby_orders_by_whitelisted_fields(accounts):
    options = parse("$orderby=country desc, accountNumber")
    rows = Account.objects.customers().order_by(*options.ordering)
    assert [a.name for a in rows] == [
        "Alpha",
        "alphabet",
        "Gamma",
        "O'Brien Ltd",
        "Beta Co",
    ]  # US, SE, IE, DE


def test_default_ordering_applies_when_none_is_given(accounts):
    options = parse("", default_ordering=ACCOUNT_DEFAULT_ORDERING)
    rows = Account.objects.customers().order_by(*options.ordering, "pk")
    assert [a.name for a in rows] == ["Alpha", "alphabet", "Beta Co", "Gamma", "O'Brien Ltd"]


@pytest.mark.parametrize(
    "query, says",
    [
        ("$orderby=password", "Unknown field 'password' in $orderby"),
        ("$orderby=name sideways", "use '<field> [asc|desc]'"),
        ("$orderby=name,", "empty item"),
        ("$expand=users", "Cannot expand users"),
        ("$frobnicate=1", "Unsupported query option $frobnicate"),
    ],
)
def test_bad_options_are_a_bad_request(query, says):
    with pytest.raises(InvalidQueryOption) as exc:
        parse(query)
    assert says in str(exc.value.detail)


def test_expand_select_and_count_are_accepted():
    options = parse("$expand=tags&$select=name,accountId&$count=true&hard=true")
    assert options.expand == frozenset({"tags"})
    assert parse("$expand=null").expand == frozenset()


def test_filter_option_is_parsed(accounts):
    options = parse("$filter=name eq 'Alpha'")
    assert [a.name for a in Account.objects.filter(options.filter)] == ["Alpha"]
    with pytest.raises(InvalidFilter):
        parse("$filter=name eq")
