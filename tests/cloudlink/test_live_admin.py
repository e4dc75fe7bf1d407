"""Admin accounts and users through the client against the live portal: CRUD, paging across
``next`` links, and error mapping."""

from __future__ import annotations

import logging

import pytest
import requests

from cloudlink import Account, BadRequest, Conflict, Forbidden, NotFound, User
from tests.accounts.factories import CustomerAccountFactory

pytestmark = pytest.mark.django_db(transaction=True)


def recording_session() -> tuple[requests.Session, list[str]]:
    session, urls = requests.Session(), []
    session.hooks["response"].append(lambda response, *args, **kwargs: urls.append(response.url))
    return session, urls


def test_accounts_crud(cloudlink, partner_admin, partner, password):
    client = cloudlink()
    client.login(partner_admin.email, password)
    created = client.admin.create_account(
        name="Hooli", country="SE", city="Malmo", supportContacts=["help@hooli.example"]
    )
    assert isinstance(created, Account) and created.account_id and created.account_number
    assert created.partner_id == partner.account_number and created.location["address"]["city"] == "Malmo"
    assert client.admin.get_account(created.account_number).account_id == created.account_id
    updated = client.admin.update_account(created.account_id, name="Hooli XYZ")
    assert updated.name == "Hooli XYZ" and updated.modified_on
    assert [a.name for a in client.admin.iter_accounts(filter="name eq 'Hooli XYZ'")] == ["Hooli XYZ"]
    deleted = client.admin.delete_account(created.account_id)
    assert deleted.account_id == created.account_id
    with pytest.raises(NotFound):
        client.admin.get_account(created.account_id)


def test_iterating_a_collection_follows_next_links(cloudlink, partner_admin, partner, password):
    for n in range(5):
        CustomerAccountFactory(parent=partner, name=f"Paged {n}")
    session, urls = recording_session()
    client = cloudlink(session=session)
    client.login(partner_admin.email, password)
    urls.clear()

    names = [account.name for account in client.admin.iter_accounts(top=2, orderby="name")]

    assert names == [f"Paged {n}" for n in range(5)]
    assert len(urls) == 3  # pages of 2, 2 and 1
    assert "$skip=2" in requests.utils.unquote(urls[1]) and "$skip=4" in requests.utils.unquote(urls[2])
    assert all("/api/admin/2017-09-01/accounts?" in url for url in urls)
    page = client.admin.list_accounts(top=2)
    assert page.count == 2 and len(page.items) == 2 and page.next_link.startswith("/2017-09-01/accounts?")


def test_users_crud(cloudlink, account_admin, customer, password):
    client = cloudlink()
    client.login(account_admin.email, password)
    account = client.whoami().account_id
    created = client.admin.create_user(account, "sam@globex.example", firstName="Sam", lastName="Jones")
    assert isinstance(created, User) and created.user_id and created.role == "USER"
    assert created.display_name == "Sam Jones" and created.registered is False
    assert client.admin.get_user(customer.account_number, "sam@globex.example").user_id == created.user_id
    updated = client.admin.update_user(account, created.user_id, extension="2001", role="ACCOUNT_ADMIN")
    assert (updated.extension, updated.role) == ("2001", "ACCOUNT_ADMIN")
    emails = [user.email for user in client.admin.iter_users(account, top=2)]
    assert sorted(emails) == sorted([account_admin.email, "sam@globex.example"])
    assert client.admin.delete_user(account, created.user_id).email == "sam@globex.example"
    with pytest.raises(NotFound):
        client.admin.get_user(account, created.user_id)


def test_errors_are_typed_and_carry_the_correlation_id(
    cloudlink, account_admin, member, outsider_customer, password, caplog
):
    admin = cloudlink()
    admin.login(account_admin.email, password)
    account = admin.whoami().account_id

    with caplog.at_level(logging.WARNING, logger="cloudlink"):
        with pytest.raises(Conflict) as conflict:
            admin.admin.create_user(account, member.email)
        with pytest.raises(NotFound) as not_found:
            admin.admin.get_account(outsider_customer.account_id)
        with pytest.raises(BadRequest) as bad_filter:
            admin.admin.list_users(account, filter="nonsense eq eq")

    assert (conflict.value.status, conflict.value.name) == (409, "Conflict")
    assert (not_found.value.status, bad_filter.value.name) == (404, "InvalidFilter")
    ids = [error.correlation_id for error in (conflict.value, not_found.value, bad_filter.value)]
    assert all(ids) and len(set(ids)) == 3
    logged = [
        (r.cloudlink_status, r.cloudlink_correlation_id) for r in caplog.records if r.name == "cloudlink"
    ]
    assert logged == [(409, ids[0]), (404, ids[1]), (400, ids[2])]

    user = cloudlink()
    user.login(member.email, password)
    with pytest.raises(Forbidden) as forbidden:
        user.admin.list_users(account)
    assert forbidden.value.status == 403 and forbidden.value.message
