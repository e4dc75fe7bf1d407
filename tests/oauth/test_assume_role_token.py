"""``POST /assume-role/token``: a partner admin takes ACCOUNT_ADMIN in one of its customer
accounts for a short time, audited there; never above the caller's own scope."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import AuditEvent
from oauth.tokens import access_token_decode
from tests.accounts.factories import CustomerAccountFactory
from tests.oauth.helpers import BASE, bearer, client_token, make_app, post_json
from tests.oauth.token_helpers import assert_error, sign_in

pytestmark = pytest.mark.django_db

ASSUME_URL = f"{BASE}/assume-role/token"
ADMIN = "/api/admin/2017-09-01"


def assume(token: str, account, role: str = "ACCOUNT_ADMIN"):
    return post_json(ASSUME_URL, {"accountId": str(account.account_id), "role": role}, **bearer(token))


def assumed_token(partner_admin, password, customer) -> dict:
    response = assume(sign_in(partner_admin, password)["access_token"], customer)
    assert response.status_code == 201, response.content
    return response.json()


def admin_get(token: str, path: str):
    return Client().get(f"{ADMIN}{path}", **bearer(token))


def test_partner_admin_takes_account_admin_in_a_customer_for_a_short_time(partner_admin, password, customer):
    body = assumed_token(partner_admin, password, customer)

    assert body["expires_in"] == 900
    claims = access_token_decode(body["access_token"])
    assert claims["role"] == "ACCOUNT_ADMIN"
    assert claims["accountId"] == str(customer.account_id)
    assert claims["act"]["sub"] == str(partner_admin.user_id)
    event = AuditEvent.objects.get(account=customer, action="role.assumed")
    assert event.actor == partner_admin
    assert event.after["role"] == "ACCOUNT_ADMIN"


def test_assumed_token_acts_only_in_its_account(partner_admin, password, partner, customer):
    token = assumed_token(partner_admin, password, customer)["access_token"]
    sibling = CustomerAccountFactory(parent=partner)

    assert admin_get(token, f"/accounts/{customer.account_id}/users").status_code == 200
    assert admin_get(token, f"/accounts/{sibling.account_id}/users").status_code == 404
    assert admin_get(token, f"/accounts/{partner.account_id}").status_code == 404


def test_assumed_token_writes_are_audited_with_the_assumed_role(partner_admin, password, customer):
    token = assumed_token(partner_admin, password, customer)["access_token"]

    created = Client().post(
        f"{ADMIN}/accounts/{customer.account_id}/users",
        json.dumps({"email": "temp@customer.example"}),
        content_type="application/json",
        **bearer(token),
    )

    assert created.status_code == 201, created.content
    event = AuditEvent.objects.get(account=customer, action="user.created")
    assert event.actor == partner_admin
    assert event.actor_label.endswith("as ACCOUNT_ADMIN (assumed role)")


def test_assumed_token_has_no_partner_capability_in_the_customer(partner_admin, password, customer):
    token = assumed_token(partner_admin, password, customer)["access_token"]

    response = Client().delete(f"{ADMIN}/accounts/{customer.account_id}", **bearer(token))

    assert response.status_code == 403, response.content


def test_partner_admin_of_another_partner_is_refused(other_partner_admin, password, customer):
    response = assume(sign_in(other_partner_admin, password)["access_token"], customer)

    assert_error(response, 404, "AccountNotFound")


def test_account_admin_is_refused(account_admin, password, customer):
    response = assume(sign_in(account_admin, password)["access_token"], customer)

    assert_error(response, 403, "InsufficientPermissions")


def test_user_is_refused(member, password, customer):
    response = assume(sign_in(member, password)["access_token"], customer)

    assert_error(response, 403, "InsufficientPermissions")


def test_partner_admin_role_is_above_what_can_be_assumed(partner_admin, password, customer):
    response = assume(sign_in(partner_admin, password)["access_token"], customer, role="PARTNER_ADMIN")

    assert_error(response, 400, "AssumeRoleHigh")


def test_missing_role_is_400(partner_admin, password, customer):
    token = sign_in(partner_admin, password)["access_token"]

    response = post_json(ASSUME_URL, {"accountId": str(customer.account_id)}, **bearer(token))

    assert_error(response, 400, "MissingRoleInRequest")


def test_an_assumed_token_cannot_assume_again(partner_admin, password, customer):
    token = assumed_token(partner_admin, password, customer)["access_token"]

    assert_error(assume(token, customer), 403, "InsufficientPermissions")


def test_a_service_token_cannot_assume_a_role(partner_admin, customer):
    app = make_app(partner_admin, customer)
    token = client_token(app).json()["access_token"]

    assert_error(assume(token, customer), 403, "InsufficientPermissions")


def test_expired_caller_token_is_refused(partner_admin, password, customer, settings):
    token = sign_in(partner_admin, password)["access_token"]

    with time_machine.travel(timezone.now() + timedelta(seconds=settings.PORTAL_ACCESS_TOKEN_SECONDS + 5)):
        response = assume(token, customer)

    assert response.status_code == 401


def test_assumed_token_expires_after_its_short_lifetime(partner_admin, password, customer):
    token = assumed_token(partner_admin, password, customer)["access_token"]

    with time_machine.travel(timezone.now() + timedelta(seconds=901)):
        response = admin_get(token, f"/accounts/{customer.account_id}/users")

    assert response.status_code == 401
