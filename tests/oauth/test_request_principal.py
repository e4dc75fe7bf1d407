"""One principal type (``accounts.access.Principal``): what each kind of caller becomes over HTTP,
and the two API rules written on it, ``may_use_extension`` (Media) and ``receives_event``
(Notifications)."""

import pytest
from rest_framework.test import APIClient

from accounts import access
from accounts.access import Capability, Principal, PrincipalKind
from integrations import services as integrations
from oauth.tokens import client_token_issue, delegated_token_issue, guest_token_issue
from tests.accounts.factories import UserFactory
from tests.oauth.helpers import make_app
from tests.oauth.principal_urls import PROBE

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.oauth.principal_urls")]


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def probe(client) -> dict:
    response = client.get(PROBE)
    assert response.status_code == 200, response.content
    return response.json()


# --- each kind of caller over HTTP ---------------------------------------------------------------


def test_a_users_own_token_is_a_user_principal(api_client_for, member, customer):
    assert probe(api_client_for(member)) == {
        "kind": "user",
        "user": member.email,
        "account": customer.account_number,
        "application": "",
        "guest": "",
        "principalId": str(member.user_id),
        "role": "USER",
    }


def test_the_console_session_is_a_user_principal(client_for, account_admin, customer):
    body = probe(client_for(account_admin))

    assert (body["kind"], body["user"], body["role"]) == ("user", account_admin.email, "ACCOUNT_ADMIN")
    assert body["account"] == customer.account_number


def test_a_delegated_token_is_the_user_through_the_application(partner_admin, customer, member):
    app = make_app(partner_admin, customer)
    integrations.privilege_set(
        actor=partner_admin, account=customer, privilege="allowProxyAuthentication", enabled=True
    )
    token, _ = delegated_token_issue(member, client_id=app.client_id)

    assert probe(bearer(token)) == {
        "kind": "delegated",
        "user": member.email,
        "account": customer.account_number,
        "application": app.client_id,
        "guest": "",
        "principalId": str(member.user_id),
        "role": "USER",
    }


def test_an_applications_own_token_is_an_application_principal(partner_admin, customer):
    app = make_app(partner_admin, customer)
    token, _ = client_token_issue(client_id=app.client_id, name="Acme Connector", account=customer)

    assert probe(bearer(token)) == {
        "kind": "application",
        "user": None,
        "account": customer.account_number,
        "application": app.client_id,
        "guest": "",
        "principalId": app.client_id,
        "role": "USER",
    }


def test_a_guest_token_is_a_guest_principal(customer):
    customer.allow_guest_access = True
    customer.save(update_fields=["allow_guest_access"])
    token, _ = guest_token_issue(account=customer, principal_id="guest-1", name="Gus")

    assert probe(bearer(token)) == {
        "kind": "guest",
        "user": None,
        "account": customer.account_number,
        "application": "",
        "guest": "guest-1",
        "principalId": "guest-1",
        "role": "GUEST",
    }


def test_an_anonymous_caller_gets_no_principal():
    assert APIClient().get(PROBE).status_code == 401


# --- can / require understand a Principal --------------------------------------------------------


def test_can_reads_the_user_behind_a_principal(account_admin, member, customer, outsider_customer):
    assert access.can(Principal.for_user(account_admin), Capability.MANAGE_USERS, customer)
    assert access.can(
        Principal.for_user(account_admin, application="app-1"), Capability.MANAGE_USERS, customer
    )
    assert not access.can(Principal.for_user(member), Capability.MANAGE_USERS, customer)
    assert not access.in_scope(Principal.for_user(account_admin), outsider_customer)


def test_applications_and_guests_have_no_capability_and_only_their_account(customer, outsider_customer):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    for principal in (Principal.for_application(customer, "app-1"), Principal.for_guest(customer, "g-1")):
        assert access.in_scope(principal, customer) and not access.in_scope(principal, outsider_customer)
        assert not access.can(principal, Capability.VIEW_ACCOUNT, customer)
        with pytest.raises(PermissionDenied):
            access.require(principal, Capability.VIEW_ACCOUNT, customer)
        with pytest.raises(Http404):
            access.require(principal, Capability.VIEW_ACCOUNT, outsider_customer)
        assert list(access.accounts_for(principal)) == [customer]


# --- may_use_extension ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "kind", "extension", "allowed"),
    [
        ("USER", PrincipalKind.USER, "2002", True),  # their own extension
        ("USER", PrincipalKind.USER, "2003", False),  # someone else's
        ("USER", PrincipalKind.DELEGATED, "2003", True),  # an application acting for them
        ("ACCOUNT_ADMIN", PrincipalKind.USER, "2003", True),
        ("PARTNER_ADMIN", PrincipalKind.USER, "2003", True),
    ],
)
def test_may_use_extension(customer, partner, role, kind, extension, allowed):
    account = partner if role == "PARTNER_ADMIN" else customer
    user = UserFactory(account=account, role=role, extension="2002")
    application = "app-1" if kind is PrincipalKind.DELEGATED else ""

    assert access.may_use_extension(Principal.for_user(user, application=application), extension) is allowed


def test_a_user_without_an_extension_uses_none(customer):
    user = UserFactory(account=customer, role="USER", extension="")

    assert not access.may_use_extension(Principal.for_user(user), "")
    assert not access.may_use_extension(Principal.for_user(user), "2002")


def test_applications_deployed_as_user_and_guests_use_no_extension(customer):
    assert not access.may_use_extension(Principal.for_application(customer, "app-1"), "2002")
    assert not access.may_use_extension(Principal.for_application(customer, "app-1", role="USER"), "2002")
    assert not access.may_use_extension(Principal.for_guest(customer, "g-1"), "2002")
    assert not access.may_use_extension(None, "2002")


def test_a_deactivated_user_uses_no_extension(customer):
    user = UserFactory(account=customer, role="ACCOUNT_ADMIN", extension="2002", is_active=False)

    assert not access.may_use_extension(Principal.for_user(user), "2002")


# --- receives_event ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subscriber", "audience", "receives"),
    [
        ("member", None, True),  # a publication for the whole account
        ("member", ["MEMBER"], True),  # named in the audience
        ("member", ["someone-else"], False),
        ("member", [], False),
        ("admin", ["someone-else"], True),  # admins see every publication of their account
        ("partner_admin", ["someone-else"], True),
        ("application", ["someone-else"], False),  # deployed as USER: like a user
        ("application", ["app-1"], True),
        ("application", None, True),
        ("admin_application", ["someone-else"], True),  # deployed as ACCOUNT_ADMIN: like an admin
    ],
)
def test_receives_event(partner_admin, account_admin, member, customer, subscriber, audience, receives):
    principals = {
        "member": Principal.for_user(member),
        "admin": Principal.for_user(account_admin),
        "partner_admin": Principal.for_user(partner_admin),
        "application": Principal.for_application(customer, "app-1"),
        "admin_application": Principal.for_application(customer, "app-2", role="ACCOUNT_ADMIN"),
    }
    audience = None if audience is None else [str(member.user_id) if a == "MEMBER" else a for a in audience]

    assert access.receives_event(principals[subscriber], audience) is receives
