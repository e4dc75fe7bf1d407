"""Admin API for PBX users: the push of one user (POST .../users with "source": "PBX") and
POST /api/admin/2017-09-01/accounts/{accountId}/pbx/users/sync (preview with dryRun, apply)."""

import json

import pytest
from django.core import mail
from rest_framework.test import APIClient

from accounts.models import Account, AuditEvent, User
from gateways.pbx_users import parse as pbx
from tests.oauth.token_helpers import post_json

pytestmark = pytest.mark.django_db

BASE = "/api/admin/2017-09-01"


def users_url(account: Account) -> str:
    return f"{BASE}/accounts/{account.account_id}/users"


def sync_url(account: Account, by: str = "guid") -> str:
    ref = account.account_id if by == "guid" else account.account_number
    return f"{BASE}/accounts/{ref}/pbx/users/sync"


def person(i: int, **changes) -> dict:
    return {
        "extension": str(4000 + i),
        "firstName": f"First{i}",
        "lastName": f"Last{i}",
        "email": f"pbx{i}@globex.example",
    } | changes


def people(n: int) -> list[dict]:
    return [person(i) for i in range(n)]


def pbx_users(account: Account):
    return User.objects.filter(account=account, source=User.Source.PBX)


# --- push: POST .../users with source PBX ------------------------------------------------------


def test_the_pbx_pushes_a_user_who_gets_source_pbx_and_the_welcome_email(
    api_client_for, account_admin, customer, django_capture_on_commit_callbacks
):
    client = api_client_for(account_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            users_url(customer),
            {"email": "kim@globex.example", "extension": "2001", "lastName": "Kim", "source": "PBX"},
            format="json",
        )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["source"], body["extension"], body["lastName"], body["registered"]) == (
        "pbx",
        "2001",
        "Kim",
        False,
    )
    assert [message.to for message in mail.outbox] == [["kim@globex.example"]]
    listed = client.get(users_url(customer), {"$filter": "source eq 'pbx'"}).json()
    assert [item["email"] for item in listed["_embedded"]["items"]] == ["kim@globex.example"]


def test_the_provisioning_manager_flow_token_then_push(account_admin, customer, password):
    """MX-ONE Provisioning Manager: a password-grant token of an account admin, then POST users."""
    token = post_json(
        {
            "grant_type": "password",
            "username": account_admin.email,
            "password": password,
            "account_id": customer.account_number,
        },
    ).json()["access_token"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    response = api.post(
        users_url(customer),
        {
            "email": "pm@globex.example",
            "extension": "2002",
            "firstName": "Pm",
            "source": "pbx",
            "role": "USER",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert pbx_users(customer).get().email == "pm@globex.example"


def test_a_pbx_user_needs_an_extension_and_a_first_or_last_name(api_client_for, account_admin, customer):
    response = api_client_for(account_admin).post(
        users_url(customer), {"email": "kim@globex.example", "source": "PBX"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["name"] == "ValidationError"
    assert response.json()["errors"] == {"extension": ["No extension"], "firstName": [pbx.NO_NAME]}
    assert not pbx_users(customer).exists()


def test_a_pushed_email_already_in_the_account_is_409(api_client_for, account_admin, customer, member):
    response = api_client_for(account_admin).post(
        users_url(customer),
        {"email": member.email, "extension": "1", "firstName": "X", "source": "PBX"},
        format="json",
    )

    assert response.status_code == 409
    member.refresh_from_db()
    assert member.source == User.Source.MANUAL


def test_an_unknown_source_is_refused(api_client_for, account_admin, customer):
    response = api_client_for(account_admin).post(
        users_url(customer), {"email": "x@globex.example", "source": "import"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"source": ["Use API or PBX."]}


# --- sync ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["guid", "number"])
def test_dry_run_answers_the_plan_and_changes_nothing(api_client_for, partner_admin, customer, by):
    audit_before = AuditEvent.objects.count()

    response = api_client_for(partner_admin).post(sync_url(customer, by), {"users": people(2)}, format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["dryRun"] is True and body["applied"] is False
    assert body["counts"] == {
        "listed": 2,
        "create": 2,
        "update": 0,
        "remove": 0,
        "unchanged": 0,
        "errors": 0,
        "conflicts": 0,
    }
    assert body["creates"][0] == {
        "row": 1,
        "email": "pbx0@globex.example",
        "extension": "4000",
        "firstName": "First0",
        "lastName": "Last0",
        "role": "USER",
    }
    assert not pbx_users(customer).exists() and AuditEvent.objects.count() == audit_before


def test_apply_creates_updates_and_deactivates_then_a_rerun_changes_nothing(
    api_client_for, account_admin, customer
):
    client = api_client_for(account_admin)
    client.post(sync_url(customer), {"users": people(3), "dryRun": False}, format="json")
    gone = pbx_users(customer).get(email="pbx2@globex.example")
    renamed = pbx_users(customer).get(email="pbx0@globex.example")
    listed = [person(0, lastName="Renamed"), person(1), person(7)]

    response = client.post(sync_url(customer), {"users": listed, "dryRun": False}, format="json")

    body = response.json()
    assert response.status_code == 200 and body["applied"] is True and body["dryRun"] is False
    assert (body["counts"]["create"], body["counts"]["update"], body["counts"]["remove"]) == (1, 1, 1)
    assert body["updates"] == [
        {
            "row": 1,
            "userId": str(renamed.user_id),
            "email": "pbx0@globex.example",
            "extension": "4000",
            "changes": {"lastName": {"from": "Last0", "to": "Renamed"}},
        }
    ]
    assert body["removals"] == [
        {"userId": str(gone.user_id), "email": gone.email, "extension": "4002", "action": "deactivate"}
    ]
    gone.refresh_from_db()
    assert not gone.is_active

    again = client.post(sync_url(customer), {"users": listed, "dryRun": False}, format="json").json()
    assert again["applied"] is True and again["counts"]["unchanged"] == 3
    assert (again["creates"], again["updates"], again["removals"]) == ([], [], [])


def test_invalid_rows_and_conflicts_are_reported(api_client_for, account_admin, customer, member):
    users = [person(0, extension="abc"), person(1, email=member.email), person(2)]

    body = api_client_for(account_admin).post(sync_url(customer), {"users": users}, format="json").json()

    assert body["errors"] == [
        {
            "row": 1,
            "email": "pbx0@globex.example",
            "extension": "abc",
            "message": "Invalid extension “abc”: digits only",
        }
    ]
    assert [(c["row"], c["email"]) for c in body["conflicts"]] == [(2, member.email)]
    assert body["counts"]["create"] == 1


def test_the_2501st_user_is_refused_with_a_clear_error_and_nothing_is_written(
    api_client_for, account_admin, customer
):
    response = api_client_for(account_admin).post(
        sync_url(customer), {"users": [person(i) for i in range(2_501)], "dryRun": False}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["name"] == "ValidationError"
    assert response.json()["errors"] == {"users": [pbx.too_many_message(2_501)]}
    assert "at most 2,500 users" in response.json()["message"]
    assert not pbx_users(customer).exists()


def test_a_plan_that_changed_since_the_preview_is_409_with_the_new_plan(
    api_client_for, account_admin, customer
):
    client = api_client_for(account_admin)
    preview = client.post(sync_url(customer), {"users": people(2)}, format="json").json()
    client.post(users_url(customer), {"email": "pbx1@globex.example"}, format="json")  # meanwhile, by hand

    response = client.post(
        sync_url(customer),
        {"users": people(2), "dryRun": False, "planDigest": preview["planDigest"]},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["name"] == "Conflict"
    assert response.json()["plan"]["counts"]["conflicts"] == 1
    assert not pbx_users(customer).exists()


@pytest.mark.parametrize("body", [{}, {"users": "alice"}, {"users": people(1), "dryRun": "maybe"}])
def test_a_malformed_request_is_400(api_client_for, account_admin, customer, body):
    response = api_client_for(account_admin).post(sync_url(customer), body, format="json")

    assert response.status_code == 400 and response.json()["name"] == "ValidationError"


def test_user_role_gets_403(api_client_for, member, customer):
    response = api_client_for(member).post(
        sync_url(customer), {"users": people(1), "dryRun": False}, format="json"
    )

    assert response.status_code == 403 and response.json()["name"] == "Forbidden"
    assert not pbx_users(customer).exists()


def test_outsider_gets_404(api_client_for, outsider, customer):
    response = api_client_for(outsider).post(
        sync_url(customer), {"users": people(1), "dryRun": False}, format="json"
    )

    assert response.status_code == 404
    assert not pbx_users(customer).exists()


def test_unauthenticated_is_401(client, customer):
    response = client.post(sync_url(customer), json.dumps({"users": []}), content_type="application/json")

    assert response.status_code == 401


def test_the_admin_spec_documents_the_sync_route(client):
    spec = client.get(f"{BASE}/_spec").json()

    operation = spec["paths"]["/accounts/{accountId}/pbx/users/sync"]["post"]
    assert operation["operationId"] == "pbx_users_sync"
    assert {"200", "400", "403", "404", "409"} <= set(operation["responses"])
    create = spec["paths"]["/accounts/{accountId}/users"]["post"]
    assert "PBX" in create["description"]


def test_a_deactivated_pbx_users_token_stops_working(api_client_for, account_admin, customer):
    from tests.accounts.factories import UserFactory

    leaver = UserFactory(account=customer, source=User.Source.PBX, extension="4999")
    leavers_client = api_client_for(leaver)
    assert leavers_client.get(f"{BASE}/users/{leaver.user_id}").status_code == 200

    api_client_for(account_admin).post(
        sync_url(customer), {"users": people(1), "dryRun": False}, format="json"
    )

    assert leavers_client.get(f"{BASE}/users/{leaver.user_id}").status_code == 401
