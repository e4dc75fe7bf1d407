"""Bulk PATCH /api/admin/2017-09-01/accounts/{accountId}/users: each operation runs on its own, with
its own status, body and correlation id."""

import re
import uuid

import pytest
from django.core import mail

from accounts.models import AuditEvent, User

pytestmark = pytest.mark.django_db

BASE = "/api/admin/2017-09-01"
CID = "x-mitel-correlation-id"
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def users_url(account) -> str:
    return f"{BASE}/accounts/{account.account_number}/users"


def bulk(client, account, operations, **extra):
    return client.patch(users_url(account), {"operations": operations}, format="json", **extra)


def test_create_update_and_delete_in_one_request(
    api_client_for, account_admin, customer, member, django_capture_on_commit_callbacks
):
    operations = [
        {"op": "create", "body": {"email": "new@globex.example", "name": "New One", "role": "ACCOUNT_ADMIN"}},
        {"op": "update", "id": str(member.user_id), "body": {"extension": "7001"}},
        {"op": "delete", "id": "new@globex.example"},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = bulk(api_client_for(account_admin), customer, operations)
    assert response.status_code == 200, response.json()
    created, updated, deleted = response.json()["operations"]
    assert [r["statusCode"] for r in (created, updated, deleted)] == [201, 200, 200]
    assert created["body"]["email"] == "new@globex.example" and created["body"]["role"] == "ACCOUNT_ADMIN"
    assert updated["body"]["extension"] == "7001" and updated["body"]["userId"] == str(member.user_id)
    assert deleted["body"]["userId"] == created["body"]["userId"]
    member.refresh_from_db()
    assert member.extension == "7001"
    assert not User.objects.filter(email="new@globex.example").exists()
    assert [m.to for m in mail.outbox] == [["new@globex.example"]]  # the welcome email, as on the console


def test_each_operation_has_its_own_correlation_id_on_its_audit_events_and_email(
    api_client_for, account_admin, customer, member, django_capture_on_commit_callbacks
):
    operations = [
        {"op": "create", "body": {"email": "a@globex.example"}},
        {"op": "update", "id": member.email, "body": {"name": "Renamed"}},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = bulk(api_client_for(account_admin), customer, operations)
    results = response.json()["operations"]
    ids = [r["headers"][CID] for r in results]
    assert all(UUID4.match(i) for i in ids)
    assert len({*ids, response[CID]}) == 3  # distinct from each other and from the request's
    assert AuditEvent.objects.get(action="user.created").correlation_id == ids[0]
    assert AuditEvent.objects.get(action="user.updated").correlation_id == ids[1]
    [welcome] = mail.outbox
    assert welcome.extra_headers["X-Mitel-Correlation-Id"] == ids[0]


def test_a_failing_operation_does_not_undo_the_others(api_client_for, account_admin, customer, member):
    operations = [
        {"op": "create", "body": {"email": "first@globex.example"}},
        {"op": "create", "body": {"email": "FIRST@globex.example"}},  # now a duplicate
        {"op": "update", "id": str(uuid.uuid4()), "body": {"name": "Ghost"}},
        {"op": "delete", "id": str(account_admin.user_id)},  # yourself
        {"op": "update", "id": member.email, "body": {"email": "broken"}},
        {"op": "create", "body": {"name": "No email"}},
        {"op": "update", "id": member.email, "body": {"name": "Still works"}},
    ]
    response = bulk(api_client_for(account_admin), customer, operations)
    assert response.status_code == 200
    results = response.json()["operations"]
    assert [r["statusCode"] for r in results] == [201, 409, 404, 403, 400, 400, 200]
    assert results[1]["body"] == {
        "name": "Conflict",
        "message": "One or more of the attribute values are already in use",
    }
    assert results[2]["body"] == {"name": "NotFound", "message": "No such user in this account."}
    assert results[3]["body"] == {"name": "Forbidden", "message": "You cannot delete yourself."}
    assert results[4]["body"]["name"] == "ValidationError" and "email" in results[4]["body"]["errors"]
    assert "email" in results[5]["body"]["errors"]
    assert User.objects.filter(email="first@globex.example").count() == 1
    assert User.objects.filter(pk=account_admin.pk).exists()
    member.refresh_from_db()
    assert (member.email, member.name) == ("uma@globex.example", "Still works")


def test_an_operation_is_all_or_nothing(api_client_for, partner_admin, account_admin, customer):
    operations = [{"op": "update", "id": account_admin.email, "body": {"name": "Half", "role": "USER"}}]
    [result] = bulk(api_client_for(partner_admin), customer, operations).json()["operations"]
    assert result["statusCode"] == 400 and "last admin" in result["body"]["message"]
    account_admin.refresh_from_db()
    assert (account_admin.name, account_admin.role) == ("Ada Admin", "ACCOUNT_ADMIN")


@pytest.mark.parametrize(
    "create, update, delete", [("add", "replace", "remove"), ("CREATE", "Update", "DELETE")]
)
def test_op_aliases_and_case(api_client_for, account_admin, customer, member, create, update, delete):
    operations = [
        {"op": create, "body": {"email": "alias@globex.example"}},
        {"op": update, "id": "alias@globex.example", "body": {"name": "Alias"}},
        {"op": delete, "id": member.email},
    ]
    results = bulk(api_client_for(account_admin), customer, operations).json()["operations"]
    assert [r["statusCode"] for r in results] == [201, 200, 200]
    assert User.objects.get(email="alias@globex.example").name == "Alias"
    assert not User.objects.filter(pk=member.pk).exists()


def test_the_id_may_come_as_the_bodys_user_id(api_client_for, account_admin, customer, member):
    operations = [{"op": "update", "body": {"userId": str(member.user_id), "name": "Via body"}}]
    [result] = bulk(api_client_for(account_admin), customer, operations).json()["operations"]
    assert result["statusCode"] == 200 and result["body"]["name"] == "Via body"


@pytest.mark.parametrize(
    "operation, says",
    [
        ({"op": "upsert", "body": {"email": "x@globex.example"}}, "Unknown op"),
        ({"op": "update", "body": {"name": "Who"}}, "id"),
        ({"op": "delete"}, "id"),
        ({"body": {"email": "x@globex.example"}}, "op"),
    ],
)
def test_a_malformed_operation_fails_alone(api_client_for, account_admin, customer, operation, says):
    operations = [operation, {"op": "create", "body": {"email": "ok@globex.example"}}]
    response = bulk(api_client_for(account_admin), customer, operations)
    bad, good = response.json()["operations"]
    assert (
        bad["statusCode"] == 400
        and bad["body"]["name"] == "ValidationError"
        and says in bad["body"]["message"]
    )
    assert UUID4.match(bad["headers"][CID])
    assert good["statusCode"] == 201


def test_at_most_100_operations(api_client_for, account_admin, customer):
    operations = [{"op": "create", "body": {"email": f"u{n}@globex.example"}} for n in range(101)]
    response = bulk(api_client_for(account_admin), customer, operations)
    assert response.status_code == 400
    assert response.json()["name"] == "ValidationError" and "operations" in response.json()["errors"]
    assert User.objects.filter(account=customer).count() == 1


def test_100_operations_are_fine(api_client_for, account_admin, customer):
    operations = [{"op": "create", "body": {"email": f"n{n:03d}@globex.example"}} for n in range(100)]
    response = bulk(api_client_for(account_admin), customer, operations)
    assert [r["statusCode"] for r in response.json()["operations"]] == [201] * 100
    assert User.objects.filter(account=customer).count() == 101


@pytest.mark.parametrize("body", [{}, {"operations": "all"}, {"operations": [1, 2]}])
def test_a_malformed_request_is_400(api_client_for, account_admin, customer, body):
    response = api_client_for(account_admin).patch(users_url(customer), body, format="json")
    assert response.status_code == 400 and response.json()["name"] == "ValidationError"


def test_no_operations_is_an_empty_answer(api_client_for, account_admin, customer):
    assert bulk(api_client_for(account_admin), customer, []).json() == {"operations": []}


def test_user_role_gets_403_and_nothing_runs(api_client_for, member, customer):
    response = bulk(
        api_client_for(member), customer, [{"op": "create", "body": {"email": "x@globex.example"}}]
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="x@globex.example").exists()


def test_partner_admin_bulk_edits_a_customer_account(api_client_for, partner_admin, customer, member):
    operations = [{"op": "update", "id": member.email, "body": {"role": "ACCOUNT_ADMIN"}}]
    [result] = bulk(api_client_for(partner_admin), customer, operations).json()["operations"]
    assert result["statusCode"] == 200 and result["body"]["role"] == "ACCOUNT_ADMIN"
