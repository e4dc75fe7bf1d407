"""Admin API user resources: /api/admin/2017-09-01/accounts/{accountId}/users[/{userId}] and
/users/{userId} (the caller's own account)."""

import re
import uuid
from urllib.parse import unquote

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Account, AuditEvent, User, WelcomeLink
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

BASE = "/api/admin/2017-09-01"
DUPLICATE = "One or more of the attribute values are already in use"


def users_url(account: Account, by: str = "guid") -> str:
    return f"{BASE}/accounts/{account.account_id if by == 'guid' else account.account_number}/users"


def user_url(user: User, by: str = "guid") -> str:
    return f"{users_url(user.account)}/{user.user_id if by == 'guid' else user.email}"


def emails(response) -> list[str]:
    return [item["email"] for item in response.json()["_embedded"]["items"]]


def follow(client, link: str):
    assert link.startswith("/2017-09-01/")
    return client.get("/api/admin" + link)


# --- GET /accounts/{accountId}/users ---------------------------------------------------------------


@pytest.mark.parametrize("by", ["guid", "number"])
def test_partner_admin_lists_a_customer_accounts_users(
    api_client_for, partner_admin, customer, account_admin, member, outsider, by
):
    response = api_client_for(partner_admin).get(users_url(customer, by))
    assert response.status_code == 200, response.json()
    assert emails(response) == ["ada@globex.example", "uma@globex.example"]  # ordered by email
    assert response.json()["count"] == 2


def test_partner_admin_lists_its_own_partner_accounts_users(api_client_for, partner_admin, partner, member):
    response = api_client_for(partner_admin).get(users_url(partner))
    assert emails(response) == [partner_admin.email]


def test_account_admin_lists_its_own_account(api_client_for, account_admin, customer, member):
    assert emails(api_client_for(account_admin).get(users_url(customer))) == [
        account_admin.email,
        member.email,
    ]


def test_account_admin_cannot_reach_the_partner_account(api_client_for, account_admin, partner):
    response = api_client_for(account_admin).get(users_url(partner))
    assert response.status_code == 404
    assert response.json() == {"name": "NotFound", "message": "No such account."}


def test_user_role_gets_403_on_user_management(api_client_for, member, customer):
    client = api_client_for(member)
    for response in (
        client.get(users_url(customer)),
        client.post(users_url(customer), {"email": "x@globex.example"}, format="json"),
        client.get(user_url(member)),
        client.put(user_url(member), {"name": "Me"}, format="json"),
        client.delete(user_url(member)),
    ):
        assert response.status_code == 403, response.content
        assert response.json()["name"] == "Forbidden"
    assert User.objects.filter(account=customer).count() == 1


def test_another_partner_gets_404(api_client_for, other_partner_admin, customer, member):
    client = api_client_for(other_partner_admin)
    assert client.get(users_url(customer)).status_code == 404
    assert client.get(user_url(member)).status_code == 404


def test_unauthenticated_is_401(client, customer):
    response = client.get(users_url(customer))
    assert response.status_code == 401
    assert response.json()["name"] == "UnauthorizedError"


def test_user_object_has_cloudlink_shape(api_client_for, partner_admin, customer, account_admin):
    user = UserFactory(
        account=customer,
        email="shape@globex.example",
        name="",
        first_name="Sha",
        last_name="Pe",
        extension="2001",
        mobile="+46701234567",
        phone="+4681234567",
        is_registered=False,
        email_verified=False,
        source=User.Source.PBX,
        created_by=account_admin,
        modified_by=partner_admin,
    )
    body = api_client_for(partner_admin).get(user_url(user)).json()
    assert body["accountId"] == str(customer.account_id)
    assert body["userId"] == body["uniqueUserId"] == str(user.user_id)
    assert (body["name"], body["displayName"], body["firstName"], body["lastName"]) == (
        "",
        "Sha Pe",
        "Sha",
        "Pe",
    )
    assert (body["email"], body["role"], body["extension"]) == ("shape@globex.example", "USER", "2001")
    assert (body["mobile"], body["phone"]) == ("+46701234567", "+4681234567")
    assert body["emailVerified"] is False and body["registered"] is False and body["userVerified"] is False
    assert body["source"] == "pbx"
    assert body["createdBy"] == str(account_admin.user_id)
    assert body["modifiedBy"] == str(partner_admin.user_id)
    assert body["createdOn"].endswith("Z") and body["modifiedOn"].endswith("Z")
    assert body["_links"] == {"self": f"/2017-09-01/accounts/{customer.account_id}/users/{user.user_id}"}
    assert "password" not in body and "sipPassword" not in body


def test_collection_items_match_the_single_resource(api_client_for, account_admin, customer, member):
    client = api_client_for(account_admin)
    items = client.get(users_url(customer)).json()["_embedded"]["items"]
    assert items[1] == client.get(user_url(member)).json()
    assert follow(client, items[1]["_links"]["self"]).json()["userId"] == str(member.user_id)


@pytest.fixture
def crowd(customer, account_admin, member):
    """Five more users to filter and page through."""
    return [
        UserFactory(account=customer, email="bob@globex.example", name="Bob Builder", extension="2001"),
        UserFactory(account=customer, email="carl@globex.example", first_name="Carl", last_name="Sagan"),
        UserFactory(
            account=customer,
            email="dora@globex.example",
            name="Dora",
            extension="2002",
            role=User.Role.ACCOUNT_ADMIN,
        ),
        UserFactory(account=customer, email="eve@globex.example", name="Eve", is_registered=False),
        UserFactory(account=customer, email="fay@globex.example", name="Fay", source=User.Source.PBX),
    ]


@pytest.mark.parametrize(
    "odata_filter, expected",
    [
        ("email eq 'bob@globex.example'", ["bob@globex.example"]),
        ("name eq 'Dora'", ["dora@globex.example"]),
        ("contains(name,'build')", ["bob@globex.example"]),
        ("firstName eq 'Carl' and lastName eq 'Sagan'", ["carl@globex.example"]),
        ("startswith(extension,'200')", ["bob@globex.example", "dora@globex.example"]),
        ("role eq 'ACCOUNT_ADMIN'", ["ada@globex.example", "dora@globex.example"]),
        ("registered eq false", ["eve@globex.example"]),
        ("source eq 'pbx'", ["fay@globex.example"]),
        (
            "role eq 'USER' and not (registered eq false) and extension eq ''",
            ["carl@globex.example", "fay@globex.example", "uma@globex.example"],
        ),
    ],
)
def test_filter_users(api_client_for, partner_admin, customer, crowd, odata_filter, expected):
    response = api_client_for(partner_admin).get(users_url(customer), {"$filter": odata_filter})
    assert response.status_code == 200, response.json()
    assert emails(response) == expected


def test_filter_by_user_id(api_client_for, partner_admin, customer, crowd):
    wanted = crowd[2]
    response = api_client_for(partner_admin).get(
        users_url(customer), {"$filter": f"userId eq {wanted.user_id}"}
    )
    assert emails(response) == [wanted.email]


def test_orderby_and_paging_with_next_links(api_client_for, partner_admin, customer, crowd):
    client = api_client_for(partner_admin)
    query = {"$filter": "role eq 'USER'", "$orderby": "email desc", "$top": "2"}
    body = client.get(users_url(customer), query).json()
    assert [i["email"] for i in body["_embedded"]["items"]] == ["uma@globex.example", "fay@globex.example"]
    assert unquote(body["_links"]["next"]) == (
        f"/2017-09-01/accounts/{customer.account_id}/users"
        "?$filter=role eq 'USER'&$orderby=email desc&$skip=2&$top=2"
    )
    seen = [i["email"] for i in body["_embedded"]["items"]]
    while "next" in body["_links"]:
        body = follow(client, body["_links"]["next"]).json()
        seen += [i["email"] for i in body["_embedded"]["items"]]
    assert seen == [f"{name}@globex.example" for name in ("uma", "fay", "eve", "carl", "bob")]


def test_expand_tags(api_client_for, account_admin, customer):
    items = (
        api_client_for(account_admin)
        .get(users_url(customer), {"$expand": "tags"})
        .json()["_embedded"]["items"]
    )
    assert items[0]["tags"] == {}


@pytest.mark.parametrize(
    "query, name, says",
    [
        ({"$filter": "password eq 'x'"}, "InvalidFilter", "Unknown field 'password'"),
        ({"$filter": "registered eq 'maybe'"}, "InvalidFilter", "registered"),
        ({"$orderby": "password"}, "BadRequest", "Unknown field 'password'"),
        ({"$top": "0"}, "BadRequest", "$top"),
    ],
)
def test_malformed_odata_is_400(api_client_for, account_admin, customer, query, name, says):
    response = api_client_for(account_admin).get(users_url(customer), query)
    assert response.status_code == 400
    assert response.json()["name"] == name and says in response.json()["message"]


def test_list_uses_a_constant_number_of_queries(api_client_for, partner_admin, customer, account_admin):
    client = api_client_for(partner_admin)

    def bulk_users(count: int, start: int) -> None:
        User.objects.bulk_create(
            User(
                account=customer,
                email=f"bulk{start + n:05d}@globex.example",
                name=f"Bulk {n}",
                created_by=account_admin,
                modified_by=partner_admin,
            )
            for n in range(count)
        )

    def queries_for_a_full_page() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(users_url(customer), {"$top": "1000"})
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()["count"]

    bulk_users(4, 0)
    few, count = queries_for_a_full_page()
    assert count == 5
    bulk_users(2495, 10000)
    many, count = queries_for_a_full_page()
    assert count == 1000
    assert many == few
    assert few <= 5, few


# --- POST /accounts/{accountId}/users --------------------------------------------------------------


def test_create_with_only_an_email_queues_the_welcome_email(
    api_client_for, account_admin, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(account_admin).post(
            users_url(customer), {"email": "New@Globex.example"}, format="json"
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    user = User.objects.get(user_id=body["userId"])
    assert (user.account, user.email, user.role, user.source) == (
        customer,
        "new@globex.example",
        "USER",
        "api",
    )
    assert not user.is_registered and not user.has_usable_password()
    assert (body["role"], body["registered"], body["source"]) == ("USER", False, "api")
    assert body["createdBy"] == str(account_admin.user_id)
    assert response["Location"].endswith(f"{users_url(customer)}/{user.user_id}")
    [message] = mail.outbox
    assert message.to == ["new@globex.example"]
    token = re.search(r"/welcome/([^/\s]+)/", message.body).group(1)
    assert WelcomeLink.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).count() == 1
    assert token and customer.account_number in message.body
    event = AuditEvent.objects.get(action="user.created", account=customer)
    assert event.actor == account_admin and event.after["source"] == "api"


def test_create_with_every_field_as_account_admin(api_client_for, partner_admin, customer):
    data = {
        "email": "full@globex.example",
        "name": "Full Name",
        "firstName": "Full",
        "lastName": "Name",
        "extension": "3001",
        "mobile": "+4670000001",
        "phone": "+468000001",
        "role": "ACCOUNT_ADMIN",
        "userId": "ignored",
        "createdOn": "ignored",
    }
    response = api_client_for(partner_admin).post(users_url(customer, "number"), data, format="json")
    assert response.status_code == 201, response.json()
    user = User.objects.get(email="full@globex.example")
    assert (
        user.name,
        user.first_name,
        user.last_name,
        user.extension,
        user.mobile,
        user.phone,
        user.role,
    ) == ("Full Name", "Full", "Name", "3001", "+4670000001", "+468000001", "ACCOUNT_ADMIN")
    assert str(user.user_id) == response.json()["userId"] != "ignored"


def test_duplicate_email_is_409_and_creates_nothing(api_client_for, account_admin, customer, member):
    response = api_client_for(account_admin).post(
        users_url(customer), {"email": "UMA@globex.example"}, format="json"
    )
    assert response.status_code == 409
    assert response.json() == {"name": "Conflict", "message": DUPLICATE}
    assert User.objects.filter(account=customer).count() == 2


def test_the_same_email_in_another_account_is_fine(api_client_for, partner_admin, partner, member):
    response = api_client_for(partner_admin).post(users_url(partner), {"email": member.email}, format="json")
    assert response.status_code == 201


@pytest.mark.parametrize(
    "data, field",
    [
        ({}, "email"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "r@globex.example", "role": "PARTNER_ADMIN"}, "role"),
        ({"email": "r@globex.example", "role": "GOD"}, "role"),
        ({"email": "r@globex.example", "firstName": "x" * 151}, "firstName"),
        ({"email": "r@globex.example", "extension": ["2001"]}, "extension"),
    ],
)
def test_create_with_bad_input_is_400_and_creates_nothing(
    api_client_for, account_admin, customer, data, field
):
    response = api_client_for(account_admin).post(users_url(customer), data, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["name"] == "ValidationError" and field in body["errors"] and field in body["message"]
    assert User.objects.filter(account=customer).count() == 1


def test_service_validation_errors_use_api_field_names(api_client_for, account_admin, customer):
    response = api_client_for(account_admin).post(
        users_url(customer), {"email": "ok@globex.example", "mobile": "x" * 31}, format="json"
    )
    assert response.status_code == 400 and "mobile" in response.json()["errors"]


def test_create_accepts_a_form_body(api_client_for, account_admin, customer):
    response = api_client_for(account_admin).post(
        users_url(customer),
        "email=form%40globex.example&name=Form",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 201
    assert response.json()["name"] == "Form"


# --- GET /accounts/{accountId}/users/{userId} -------------------------------------------------------


@pytest.mark.parametrize("by", ["guid", "email"])
def test_get_a_user_by_id_or_email(api_client_for, account_admin, member, by):
    response = api_client_for(account_admin).get(user_url(member, by))
    assert response.status_code == 200
    assert response.json()["userId"] == str(member.user_id)


def test_unknown_user_is_404(api_client_for, account_admin, customer):
    client = api_client_for(account_admin)
    for ref in (uuid.uuid4(), "nobody@globex.example", "not-an-id"):
        response = client.get(f"{users_url(customer)}/{ref}")
        assert response.status_code == 404
        assert response.json() == {"name": "NotFound", "message": "No such user in this account."}


def test_a_user_of_another_account_is_404_through_this_account(
    api_client_for, partner_admin, customer, partner
):
    # The partner admin may reach both accounts, but a user only through their own account.
    response = api_client_for(partner_admin).get(f"{users_url(customer)}/{partner_admin.user_id}")
    assert response.status_code == 404


# --- PUT /accounts/{accountId}/users/{userId} -------------------------------------------------------


def test_put_changes_only_the_fields_sent(api_client_for, account_admin, member):
    response = api_client_for(account_admin).put(
        user_url(member), {"firstName": "Uma", "extension": "4001", "mobile": None}, format="json"
    )
    assert response.status_code == 200, response.json()
    member.refresh_from_db()
    assert (member.first_name, member.extension, member.name, member.email) == (
        "Uma",
        "4001",
        "Uma User",
        "uma@globex.example",
    )
    assert response.json()["firstName"] == "Uma" and response.json()["modifiedBy"] == str(
        account_admin.user_id
    )
    event = AuditEvent.objects.get(action="user.updated", account=member.account)
    assert event.actor == account_admin and set(event.after) == {"first_name", "extension"}


def test_put_back_what_get_returned_changes_nothing(api_client_for, partner_admin, member):
    client = api_client_for(partner_admin)
    body = client.get(user_url(member)).json()
    response = client.put(user_url(member), body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == body
    assert not AuditEvent.objects.exists()


def test_put_back_a_partner_admin_unchanged_is_fine(api_client_for, partner_admin, partner):
    client = api_client_for(partner_admin)
    body = client.get(user_url(partner_admin)).json()
    assert client.put(user_url(partner_admin), body, format="json").status_code == 200


def test_put_grants_and_withdraws_account_admin(api_client_for, partner_admin, account_admin, member):
    client = api_client_for(partner_admin)
    response = client.put(user_url(member), {"role": "ACCOUNT_ADMIN"}, format="json")
    assert response.status_code == 200 and response.json()["role"] == "ACCOUNT_ADMIN"
    response = client.put(user_url(member), {"role": "USER"}, format="json")
    assert response.status_code == 200 and response.json()["role"] == "USER"
    actions = list(AuditEvent.objects.filter(account=member.account).values_list("action", flat=True))
    assert actions == ["user.role_changed", "user.role_changed"]


def test_put_cannot_make_a_partner_admin(api_client_for, partner_admin, member):
    response = api_client_for(partner_admin).put(user_url(member), {"role": "PARTNER_ADMIN"}, format="json")
    assert response.status_code == 400 and "role" in response.json()["errors"]
    member.refresh_from_db()
    assert member.role == "USER"


def test_nobody_withdraws_their_own_admin_rights(api_client_for, account_admin, member):
    member.role = User.Role.ACCOUNT_ADMIN
    member.save()
    response = api_client_for(account_admin).put(user_url(account_admin), {"role": "USER"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"name": "Forbidden", "message": "You cannot withdraw your own admin rights."}


def test_the_last_admin_keeps_the_role_and_nothing_is_half_done(api_client_for, partner_admin, account_admin):
    response = api_client_for(partner_admin).put(
        user_url(account_admin), {"name": "Renamed", "role": "USER"}, format="json"
    )
    assert response.status_code == 400
    assert "last admin" in response.json()["message"] and "role" in response.json()["errors"]
    account_admin.refresh_from_db()
    assert (account_admin.role, account_admin.name) == ("ACCOUNT_ADMIN", "Ada Admin")
    assert not AuditEvent.objects.exists()


def test_put_an_email_already_used_is_409(api_client_for, account_admin, member):
    response = api_client_for(account_admin).put(
        user_url(member), {"email": account_admin.email}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["message"] == DUPLICATE
    member.refresh_from_db()
    assert member.email == "uma@globex.example"


def test_put_with_bad_input_is_400(api_client_for, account_admin, member):
    response = api_client_for(account_admin).put(
        user_url(member), {"email": "nope", "role": "X"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"email", "role"}


# --- DELETE /accounts/{accountId}/users/{userId} ----------------------------------------------------


def test_delete_answers_with_the_user_as_they_were(api_client_for, account_admin, member):
    client = api_client_for(account_admin)
    response = client.delete(user_url(member, "email"))
    assert response.status_code == 200
    assert response.json()["userId"] == str(member.user_id) and response.json()["email"] == member.email
    assert not User.objects.filter(pk=member.pk).exists()
    assert client.get(user_url(member)).status_code == 404
    event = AuditEvent.objects.get(action="user.deleted")
    assert event.actor == account_admin and event.before["email"] == member.email


def test_nobody_deletes_themselves(api_client_for, account_admin):
    response = api_client_for(account_admin).delete(user_url(account_admin))
    assert response.status_code == 403
    assert response.json()["message"] == "You cannot delete yourself."
    assert User.objects.filter(pk=account_admin.pk).exists()


def test_the_last_admin_cannot_be_deleted(api_client_for, partner_admin, account_admin):
    response = api_client_for(partner_admin).delete(user_url(account_admin))
    assert response.status_code == 400
    assert response.json()["name"] == "ValidationError" and "last admin" in response.json()["message"]
    assert User.objects.filter(pk=account_admin.pk).exists()


def test_delete_an_unknown_user_is_404(api_client_for, account_admin, customer):
    assert api_client_for(account_admin).delete(f"{users_url(customer)}/{uuid.uuid4()}").status_code == 404


# --- /users/{userId}: the caller's own account ------------------------------------------------------


def own(user_ref) -> str:
    return f"{BASE}/users/{user_ref}"


def test_account_admin_gets_a_user_of_its_own_account(api_client_for, account_admin, member):
    response = api_client_for(account_admin).get(own(member.user_id))
    assert response.status_code == 200
    assert response.json() == api_client_for(account_admin).get(user_url(member)).json()


def test_own_account_only_even_for_a_partner_admin(api_client_for, partner_admin, member):
    client = api_client_for(partner_admin)
    assert client.get(own(member.user_id)).status_code == 404  # a customer's user: use /accounts/{id}/users
    assert client.get(own(partner_admin.email)).status_code == 200


@pytest.mark.parametrize("ref", ["user_id", "email"])
def test_a_plain_user_reads_their_own_record(api_client_for, member, ref):
    response = api_client_for(member).get(own(getattr(member, ref)))
    assert response.status_code == 200
    assert response.json()["userId"] == str(member.user_id) and response.json()["role"] == "USER"


def test_a_plain_user_cannot_read_others_or_change_anything(api_client_for, member, account_admin):
    client = api_client_for(member)
    assert client.get(own(account_admin.user_id)).status_code == 403
    assert client.get(own(uuid.uuid4())).status_code == 403  # no hint whether it exists
    response = client.put(own(member.user_id), {"name": "Me"}, format="json")
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.name == "Uma User"


def test_account_admin_updates_through_the_own_account_route(api_client_for, account_admin, member):
    response = api_client_for(account_admin).put(own(member.email), {"extension": "5005"}, format="json")
    assert response.status_code == 200 and response.json()["extension"] == "5005"
    assert (
        response.json()["_links"]["self"]
        == f"/2017-09-01/accounts/{member.account.account_id}/users/{member.user_id}"
    )


# --- the published OpenAPI document -------------------------------------------------------------------


def test_admin_spec_documents_the_user_routes(client):
    spec = client.get(f"{BASE}/_spec").json()
    paths = spec["paths"]
    assert set(paths["/accounts/{accountId}/users"]) >= {"get", "post", "patch"}
    assert set(paths["/accounts/{accountId}/users/{userId}"]) >= {"get", "put", "delete"}
    assert set(paths["/users/{userId}"]) >= {"get", "put"}
    forgot = paths["/users/{email}/password"]["put"]
    assert not forgot.get("security")  # no token needed
    assert "409" in paths["/accounts/{accountId}/users"]["post"]["responses"]
    assert "BulkResponse" in spec["components"]["schemas"]
