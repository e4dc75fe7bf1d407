"""A JSON body's values must have the type its OpenAPI document gives them (found by the fuzz run,
``bench/fuzz_api.py``): DRF would quietly turn ``0`` into ``"0"``, ``"yes"`` into ``true`` and
``"5"`` into ``5``. Form bodies, which are all text, are read as before."""

from __future__ import annotations

import pytest

from accounts.models import User
from tests.accounts.api.test_accounts import detail

pytestmark = pytest.mark.django_db

USERS = "/api/admin/2017-09-01/accounts/{}/users"


def test_a_number_for_a_text_field_is_400_and_creates_nothing(api_client_for, account_admin, customer):
    body = {"email": "new@globex.example", "phone": 0}

    response = api_client_for(account_admin).post(USERS.format(customer.account_id), body, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {"phone": ["Expected a string."]}
    assert not User.objects.filter(email="new@globex.example").exists()


def test_the_same_value_as_a_form_field_is_read_as_text(api_client_for, account_admin, customer):
    response = api_client_for(account_admin).post(
        USERS.format(customer.account_id),
        "email=form%40globex.example&phone=0",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 201
    assert response.json()["phone"] == "0"


@pytest.mark.parametrize("value", ["true", 1, "yes"])
def test_a_boolean_must_be_true_or_false(api_client_for, partner_admin, customer, value):
    response = api_client_for(partner_admin).put(
        detail(customer), {"policy": {"allowGuestAccess": value}}, format="json"
    )

    assert response.status_code == 400
    customer.refresh_from_db()
    assert not customer.allow_guest_access


def test_a_text_field_refuses_a_list_or_an_object(api_client_for, partner_admin, customer):
    response = api_client_for(partner_admin).put(detail(customer), {"name": ["Globex"]}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {"name": ["Expected a string."]}


def test_the_pbx_plan_digest_must_be_text(api_client_for, account_admin, customer):
    response = api_client_for(account_admin).post(
        f"/api/admin/2017-09-01/accounts/{customer.account_id}/pbx/users/sync",
        {"users": [], "dryRun": True, "planDigest": 0},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"planDigest": ["Expected a string."]}


def test_null_is_left_to_each_field(api_client_for, account_admin, customer):
    body = {"email": "null@globex.example", "phone": None}

    response = api_client_for(account_admin).post(USERS.format(customer.account_id), body, format="json")

    assert response.status_code == 201
    assert response.json()["phone"] == ""


def test_an_account_number_may_still_be_a_json_number_on_the_token_endpoint(member, password):
    from tests.oauth.token_helpers import post_json

    body = {"grant_type": "password", "username": member.email, "password": password}

    assert post_json(body | {"account_id": int(member.account.account_number)}).status_code == 201
    assert post_json(body | {"account_id": True}).status_code == 400


@pytest.mark.parametrize(
    "path", ["/api/authentication/2017-09-01/guest/token", "/api/authentication/2017-09-01/authorize"]
)
def test_the_browserless_sign_in_routes_refuse_a_number_for_a_text_parameter(path, customer):
    from django.test import Client

    body = {"accountId": int(customer.account_number), "account_id": int(customer.account_number)}
    body |= {"name": 5, "client_id": 5, "username": 5, "password": 5, "response_type": "code"}

    response = Client().post(path, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["message"].startswith("These parameters must be strings: ")
    assert "account" not in response.json()["message"]
