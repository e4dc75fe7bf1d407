"""Admin API account resources: /api/admin/2017-09-01/accounts[/{accountId}]."""

from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Account, AuditEvent, SupportContact
from tests.accounts.factories import CustomerAccountFactory, SupportContactFactory

pytestmark = pytest.mark.django_db

BASE = "/api/admin/2017-09-01"
ACCOUNTS = f"{BASE}/accounts"


def detail(account: Account, by: str = "guid") -> str:
    return f"{ACCOUNTS}/{account.account_id if by == 'guid' else account.account_number}"


def follow(client, link: str):
    """Links are service-relative (``/2017-09-01/...``): the client prepends its base URL."""
    assert link.startswith("/2017-09-01/")
    return client.get("/api/admin" + link)


def item_ids(response) -> list[str]:
    return [item["accountId"] for item in response.json()["_embedded"]["items"]]


NEW_ACCOUNT = {
    "name": "Hooli",
    "languageCode": "en-GB",
    "businessType": "technology",
    "location": {
        "address": {
            "street": "1 Main St",
            "city": "Toronto",
            "stateOrProvince": "ON",
            "zipCode": "M5V 2T6",
            "country": "CA",
        }
    },
    "supportContacts": ["help@hooli.example", "ops@hooli.example"],
}


# --- GET /accounts ------------------------------------------------------------------------------


def test_partner_token_lists_only_its_own_customer_accounts(
    api_client_for, partner_admin, partner, customer, outsider_customer
):
    second = CustomerAccountFactory(parent=partner, name="Second Customer")
    response = api_client_for(partner_admin).get(ACCOUNTS)
    assert response.status_code == 200
    assert set(item_ids(response)) == {str(customer.account_id), str(second.account_id)}


def test_another_partners_token_never_sees_these_accounts(api_client_for, other_partner_admin, customer):
    response = api_client_for(other_partner_admin).get(ACCOUNTS)
    assert response.status_code == 200
    assert str(customer.account_id) not in item_ids(response)


def test_account_admin_lists_only_its_own_account(api_client_for, account_admin, customer, partner):
    CustomerAccountFactory(parent=partner)
    response = api_client_for(account_admin).get(ACCOUNTS)
    assert item_ids(response) == [str(customer.account_id)]


def test_user_role_cannot_list_accounts(api_client_for, member):
    response = api_client_for(member).get(ACCOUNTS)
    assert response.status_code == 403
    assert response.json()["name"] == "Forbidden"
    assert response.json()["message"]


def test_unauthenticated_is_401(client, customer):
    response = client.get(ACCOUNTS)
    assert response.status_code == 401
    assert response.json()["name"] == "UnauthorizedError"


def test_account_object_has_cloudlink_shape(api_client_for, partner_admin, partner):
    account = CustomerAccountFactory(
        parent=partner,
        name="Shape Inc",
        address="2 Side St",
        city="Lund",
        province_state="Skane",
        postal_code="22100",
        country="SE",
        default_language="sv-SE",
        business_type="retail",
        pbx_type="MiVoice Business",
        allow_guest_access=True,
    )
    SupportContactFactory(account=account, email="b@shape.example")
    response = api_client_for(partner_admin).get(detail(account))
    body = response.json()
    assert body["accountId"] == str(account.account_id)
    assert body["accountNumber"] == account.account_number
    assert body["name"] == "Shape Inc"
    assert body["partnerId"] == partner.account_number
    assert body["active"] is True
    assert body["status"] == "active"
    assert body["languageCode"] == "sv-SE"
    assert body["businessType"] == "retail"
    assert body["policy"] == {
        "allowGuestAccess": True,
        "allowProxyAuthentication": False,
        "adminsRequireSecondFactor": False,
    }
    assert body["location"] == {
        "address": {
            "street": "2 Side St",
            "city": "Lund",
            "stateOrProvince": "Skane",
            "zipCode": "22100",
            "country": "SE",
        }
    }
    assert sorted(body["supportContacts"]) == sorted(c.email for c in account.support_contacts.all())
    assert "b@shape.example" in body["supportContacts"]
    assert body["pbxType"] == "MiVoice Business"
    assert body["createdOn"].endswith("Z") and body["modifiedOn"]
    assert body["_links"] == {"self": f"/2017-09-01/accounts/{account.account_id}"}


def test_collection_envelope_without_next_when_everything_fits(api_client_for, partner_admin, customer):
    response = api_client_for(partner_admin).get(ACCOUNTS)
    body = response.json()
    assert set(body) == {"count", "_links", "_embedded"}
    assert body["count"] == 1
    assert body["_links"] == {"self": "/2017-09-01/accounts"}
    assert len(body["_embedded"]["items"]) == 1


def test_top_and_skip_page_through_with_next_links(api_client_for, partner_admin, partner):
    created = {str(CustomerAccountFactory(parent=partner).account_id) for _ in range(5)}
    client = api_client_for(partner_admin)
    response = client.get(ACCOUNTS, {"$top": "2"})
    body = response.json()
    assert body["count"] == 2
    assert body["_links"]["self"] == "/2017-09-01/accounts?$top=2"
    assert body["_links"]["next"] == "/2017-09-01/accounts?$skip=2&$top=2"
    seen = item_ids(response)
    while "next" in body["_links"]:
        response = follow(client, body["_links"]["next"])
        body = response.json()
        seen += item_ids(response)
    assert body["count"] == 1  # the last page
    assert len(seen) == 5 and set(seen) == created


def test_skip_past_the_end_is_an_empty_page(api_client_for, partner_admin, customer):
    body = api_client_for(partner_admin).get(ACCOUNTS, {"$skip": "10"}).json()
    assert body["count"] == 0 and body["_embedded"]["items"] == [] and "next" not in body["_links"]


def test_filter_by_name(api_client_for, partner_admin, partner, customer):
    CustomerAccountFactory(parent=partner, name="Other Name")
    response = api_client_for(partner_admin).get(ACCOUNTS, {"$filter": "name eq 'Globex Corp'"})
    assert response.status_code == 200
    assert item_ids(response) == [str(customer.account_id)]


def test_filter_by_name_sent_raw_in_the_query_string(api_client_for, partner_admin, customer):
    response = api_client_for(partner_admin).get(ACCOUNTS + "?$filter=name%20eq%20'Globex%20Corp'")
    assert item_ids(response) == [str(customer.account_id)]


def test_next_link_repeats_the_filter_and_ordering(api_client_for, partner_admin, partner):
    for name in ("Cust A", "Cust B", "Cust C", "Zed"):
        CustomerAccountFactory(parent=partner, name=name)
    client = api_client_for(partner_admin)
    query = {"$filter": "startswith(name,'Cust')", "$orderby": "name desc", "$top": "2"}
    body = client.get(ACCOUNTS, query).json()
    assert [i["name"] for i in body["_embedded"]["items"]] == ["Cust C", "Cust B"]
    assert unquote(body["_links"]["next"]) == (
        "/2017-09-01/accounts?$filter=startswith(name,'Cust')&$orderby=name desc&$skip=2&$top=2"
    )
    body = follow(client, body["_links"]["next"]).json()
    assert [i["name"] for i in body["_embedded"]["items"]] == ["Cust A"]
    assert "next" not in body["_links"]


def test_orderby_name_desc_then_account_number(api_client_for, partner_admin, partner):
    a = CustomerAccountFactory(parent=partner, name="Same", account_number="799999991")
    b = CustomerAccountFactory(parent=partner, name="Same", account_number="799999990")
    c = CustomerAccountFactory(parent=partner, name="Abc")
    response = api_client_for(partner_admin).get(ACCOUNTS, {"$orderby": "name desc, accountNumber"})
    assert item_ids(response) == [str(b.account_id), str(a.account_id), str(c.account_id)]


def test_expand_tags_adds_tags(api_client_for, partner_admin, customer):
    client = api_client_for(partner_admin)
    assert "tags" not in client.get(ACCOUNTS).json()["_embedded"]["items"][0]
    assert client.get(ACCOUNTS, {"$expand": "tags"}).json()["_embedded"]["items"][0]["tags"] == {}


def test_select_and_count_are_accepted(api_client_for, partner_admin, customer):
    response = api_client_for(partner_admin).get(ACCOUNTS, {"$select": "name", "$count": "true"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "query, name, says",
    [
        ({"$filter": "name eq"}, "InvalidFilter", "Expected a field or a value"),
        ({"$filter": "name eq 'unterminated"}, "InvalidFilter", "Unterminated string"),
        ({"$filter": "secret eq 'x'"}, "InvalidFilter", "Unknown field 'secret'"),
        ({"$top": "many"}, "BadRequest", "$top"),
        ({"$skip": "-3"}, "BadRequest", "$skip"),
        ({"$orderby": "password"}, "BadRequest", "Unknown field 'password'"),
    ],
)
def test_malformed_odata_is_400_with_name_and_message(
    api_client_for, partner_admin, customer, query, name, says
):
    response = api_client_for(partner_admin).get(ACCOUNTS, query)
    assert response.status_code == 400
    body = response.json()
    assert body["name"] == name
    assert says in body["message"]


def _bulk_customers(partner: Account, count: int, start: int) -> None:
    accounts = Account.objects.bulk_create(
        Account(
            kind="customer", parent=partner, name=f"Bulk {i:04d}", country="US", account_number=f"{start + i}"
        )
        for i in range(count)
    )
    SupportContact.objects.bulk_create(
        SupportContact(account=a, email=f"s{n}@bulk.example") for n, a in enumerate(accounts)
    )


def test_list_uses_a_constant_number_of_queries(api_client_for, partner_admin, partner):
    client = api_client_for(partner_admin)

    def queries_for_full_list() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(ACCOUNTS, {"$top": "1000"})
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()["count"]

    _bulk_customers(partner, 5, 600000000)
    few, count = queries_for_full_list()
    assert count == 5
    _bulk_customers(partner, 495, 600001000)
    many, count = queries_for_full_list()
    assert count == 500
    assert many == few
    assert few <= 5, few


# --- POST /accounts -----------------------------------------------------------------------------


def test_partner_admin_creates_a_customer_account(api_client_for, partner_admin, partner):
    response = api_client_for(partner_admin).post(ACCOUNTS, NEW_ACCOUNT, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    account = Account.objects.get(account_id=body["accountId"])
    assert account.parent == partner and account.kind == "customer"
    assert (account.name, account.city, account.province_state, account.postal_code) == (
        "Hooli",
        "Toronto",
        "ON",
        "M5V 2T6",
    )
    assert (account.address, account.country, account.default_language, account.business_type) == (
        "1 Main St",
        "CA",
        "en-GB",
        "technology",
    )
    assert sorted(c.email for c in account.support_contacts.all()) == [
        "help@hooli.example",
        "ops@hooli.example",
    ]
    assert body["partnerId"] == partner.account_number
    assert len(body["accountNumber"]) == 9
    assert response["Location"].endswith(f"{ACCOUNTS}/{account.account_id}")
    assert AuditEvent.objects.filter(account=account, action="account.created", actor=partner_admin).exists()


def test_create_accepts_flat_fields_and_defaults_the_language(api_client_for, partner_admin):
    data = {"name": "Flat Co", "country": "US", "city": "Austin", "supportContacts": "a@flat.example"}
    response = api_client_for(partner_admin).post(ACCOUNTS, data, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["location"]["address"]["city"] == "Austin"
    assert response.json()["languageCode"] == "en-US"


def test_create_with_bad_input_is_400_and_saves_nothing(api_client_for, partner_admin):
    before = Account.objects.count()
    data = {"name": "", "location": {"address": {"country": "XX"}}, "supportContacts": ["not-an-email"]}
    response = api_client_for(partner_admin).post(ACCOUNTS, data, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["name"] == "ValidationError"
    assert set(body["errors"]) == {"name", "country", "supportContacts"}
    assert "name" in body["message"]
    assert Account.objects.count() == before


def test_create_without_support_contacts_is_400(api_client_for, partner_admin):
    data = {"name": "No Contacts", "country": "US"}
    response = api_client_for(partner_admin).post(ACCOUNTS, data, format="json")
    assert response.status_code == 400
    assert "supportContacts" in response.json()["errors"]


def test_create_with_wrong_json_types_is_400(api_client_for, partner_admin):
    response = api_client_for(partner_admin).post(ACCOUNTS, {"name": "X", "location": "here"}, format="json")
    assert response.status_code == 400
    assert response.json()["name"] == "ValidationError"
    assert "location" in response.json()["errors"]


def test_malformed_json_is_400(api_client_for, partner_admin):
    response = api_client_for(partner_admin).post(ACCOUNTS, "{nope", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["name"] == "BadRequest"


@pytest.mark.parametrize("persona", ["account_admin", "member"])
def test_only_partner_admins_create_accounts(request, api_client_for, persona):
    user = request.getfixturevalue(persona)
    before = Account.objects.count()
    response = api_client_for(user).post(ACCOUNTS, NEW_ACCOUNT, format="json")
    assert response.status_code == 403
    assert response.json()["name"] == "Forbidden"
    assert Account.objects.count() == before


# --- GET /accounts/{accountId} --------------------------------------------------------------------


@pytest.mark.parametrize("by", ["guid", "number"])
def test_get_account_by_guid_or_number(api_client_for, partner_admin, customer, by):
    response = api_client_for(partner_admin).get(detail(customer, by))
    assert response.status_code == 200
    assert response.json()["accountId"] == str(customer.account_id)


def test_partner_admin_gets_its_own_partner_account(api_client_for, partner_admin, partner):
    body = api_client_for(partner_admin).get(detail(partner)).json()
    assert body["accountNumber"] == partner.account_number
    assert body["partnerId"] == partner.account_number


def test_another_partners_customer_is_404(api_client_for, partner_admin, outsider_customer):
    response = api_client_for(partner_admin).get(detail(outsider_customer, "number"))
    assert response.status_code == 404
    assert response.json() == {"name": "NotFound", "message": "No such account."}


def test_account_admin_cannot_reach_its_partner_account(api_client_for, account_admin, partner, customer):
    assert api_client_for(account_admin).get(detail(customer)).status_code == 200
    assert api_client_for(account_admin).get(detail(partner)).status_code == 404


def test_user_role_gets_403_on_its_own_account(api_client_for, member, customer):
    assert api_client_for(member).get(detail(customer)).status_code == 403


def test_unknown_or_malformed_account_ref_is_404(api_client_for, partner_admin):
    client = api_client_for(partner_admin)
    assert client.get(f"{ACCOUNTS}/999999999").status_code == 404
    assert client.get(f"{ACCOUNTS}/not-an-id").status_code == 404


# --- PUT /accounts/{accountId} --------------------------------------------------------------------


def test_partner_updates_only_the_fields_sent(api_client_for, partner_admin, customer):
    data = {"name": "Globex Renamed", "location": {"address": {"city": "Uppsala"}}, "languageCode": "sv-SE"}
    response = api_client_for(partner_admin).put(detail(customer, "number"), data, format="json")
    assert response.status_code == 200, response.json()
    customer.refresh_from_db()
    assert (customer.name, customer.city, customer.default_language, customer.country) == (
        "Globex Renamed",
        "Uppsala",
        "sv-SE",
        "SE",
    )
    assert response.json()["name"] == "Globex Renamed"
    event = AuditEvent.objects.get(account=customer, action="account.updated")
    assert event.after == {"name": "Globex Renamed", "city": "Uppsala", "default_language": "sv-SE"}


def test_put_back_what_get_returned_changes_nothing(api_client_for, partner_admin, customer):
    client = api_client_for(partner_admin)
    body = client.get(detail(customer)).json()
    response = client.put(detail(customer), body, format="json")
    assert response.status_code == 200, response.json()
    assert not AuditEvent.objects.filter(account=customer).exists()


def test_account_admin_edits_its_own_account(api_client_for, account_admin, customer):
    response = api_client_for(account_admin).put(
        detail(customer), {"location": {"address": {"zipCode": "11122"}}}, format="json"
    )
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.postal_code == "11122"


def test_account_admin_cannot_deactivate_and_nothing_is_half_done(api_client_for, account_admin, customer):
    response = api_client_for(account_admin).put(
        detail(customer), {"name": "Sneaky", "active": False}, format="json"
    )
    assert response.status_code == 403
    customer.refresh_from_db()
    assert (customer.name, customer.status) == ("Globex Corp", "active")


def test_partner_deactivates_and_activates_through_active(
    api_client_for, partner_admin, account_admin, customer
):
    partner_client = api_client_for(partner_admin)
    admin_client = api_client_for(account_admin)
    response = partner_client.put(detail(customer), {"active": False}, format="json")
    assert response.status_code == 200
    assert (response.json()["active"], response.json()["status"]) == (False, "deactivated")
    assert admin_client.get(detail(customer)).status_code == 401  # its users' tokens stop working
    assert AuditEvent.objects.filter(account=customer, action="account.deactivated").exists()

    response = partner_client.put(detail(customer), {"active": True}, format="json")
    assert response.json()["active"] is True
    assert admin_client.get(detail(customer)).status_code == 200


def test_partner_account_cannot_be_deactivated(api_client_for, partner_admin, partner):
    response = api_client_for(partner_admin).put(detail(partner), {"active": False}, format="json")
    assert response.status_code == 403
    partner.refresh_from_db()
    assert partner.is_active


def test_put_replaces_support_contacts(api_client_for, partner_admin, customer):
    data = {"supportContacts": ["new@globex.example", "second@globex.example"]}
    response = api_client_for(partner_admin).put(detail(customer), data, format="json")
    assert response.status_code == 200
    assert sorted(response.json()["supportContacts"]) == ["new@globex.example", "second@globex.example"]


def test_put_cannot_remove_every_support_contact(api_client_for, partner_admin, customer):
    response = api_client_for(partner_admin).put(detail(customer), {"supportContacts": []}, format="json")
    assert response.status_code == 400
    assert "supportContacts" in response.json()["errors"]
    assert customer.support_contacts.count() == 1


def test_put_with_invalid_values_is_400_and_changes_nothing(api_client_for, partner_admin, customer):
    data = {"name": "Changed", "languageCode": "xx-XX", "location": {"address": {"country": "ZZ"}}}
    response = api_client_for(partner_admin).put(detail(customer), data, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"languageCode", "country"}
    customer.refresh_from_db()
    assert customer.name == "Globex Corp"


def test_policy_is_writable_through_the_privilege_rules(api_client_for, account_admin, customer):
    from accounts.models import AuditEvent

    client = api_client_for(account_admin)
    response = client.put(detail(customer), {"policy": {"allowGuestAccess": True}}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["policy"] == {
        "allowGuestAccess": True,
        "allowProxyAuthentication": False,
        "adminsRequireSecondFactor": False,
    }
    customer.refresh_from_db()
    assert customer.allow_guest_access and not customer.delegated_authentication
    assert AuditEvent.objects.filter(account=customer, action__startswith="privilege").count() == 1

    same = client.put(detail(customer), response.json(), format="json")  # sending back what was read
    assert same.status_code == 200
    assert AuditEvent.objects.filter(account=customer, action__startswith="privilege").count() == 1


def test_policy_change_and_a_refused_change_in_one_request_apply_nothing(
    api_client_for, account_admin, customer
):
    data = {"policy": {"allowProxyAuthentication": True}, "active": False}
    response = api_client_for(account_admin).put(detail(customer), data, format="json")

    assert response.status_code == 403
    customer.refresh_from_db()
    assert not customer.delegated_authentication and customer.is_active


def test_user_role_cannot_update(api_client_for, member, customer):
    response = api_client_for(member).put(detail(customer), {"name": "Mine"}, format="json")
    assert response.status_code == 403


# --- DELETE /accounts/{accountId} -----------------------------------------------------------------


def test_partner_deletes_a_customer_account(api_client_for, partner_admin, customer, account_admin):
    client = api_client_for(partner_admin)
    response = client.delete(detail(customer, "number") + "?hard=true")
    assert response.status_code == 200
    assert response.json()["accountId"] == str(customer.account_id)
    assert not Account.objects.filter(pk=customer.pk).exists()
    assert client.get(detail(customer)).status_code == 404
    assert AuditEvent.objects.filter(action="customer_account.deleted", actor=partner_admin).exists()


def test_partners_own_account_cannot_be_deleted(api_client_for, partner_admin, partner):
    response = api_client_for(partner_admin).delete(detail(partner))
    assert response.status_code == 400
    assert response.json()["message"] == "A partner account cannot be deleted."
    assert Account.objects.filter(pk=partner.pk).exists()


def test_account_admin_cannot_delete_its_account(api_client_for, account_admin, customer):
    assert api_client_for(account_admin).delete(detail(customer)).status_code == 403
    assert Account.objects.filter(pk=customer.pk).exists()


def test_another_partner_cannot_delete(api_client_for, other_partner_admin, customer):
    assert api_client_for(other_partner_admin).delete(detail(customer)).status_code == 404
    assert Account.objects.filter(pk=customer.pk).exists()
