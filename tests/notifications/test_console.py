"""The account's Notifications page: subscriptions and delivery attempts, for admins only."""

import pytest

from notifications import services
from notifications.publish import publication_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(member, customer, webhook_server, django_capture_on_commit_callbacks):
    webhook_server.statuses = [500]
    subscription = services.subscription_create(
        account=customer,
        principal_id=str(member.user_id),
        user=member,
        device_id=webhook_server.url,
        topic="platform-api-media",
        subject_filter="/2017-09-01/endpoints/",
        publication_filter="$.publications[?(@.content.state == 'ringing')]",
    )
    with django_capture_on_commit_callbacks(execute=True):
        publication_publish(
            account=customer,
            topic="platform-api-media",
            method="PUT",
            subject="/2017-09-01/endpoints/2001/calls/7",
            content={"state": "ringing"},
        )
    return subscription


def url(account):
    return f"/accounts/{account.account_number}/notifications/"


def test_admins_see_subscriptions_and_every_attempt(client_for, account_admin, customer, delivered):
    response = client_for(account_admin).get(url(customer))

    assert response.status_code == 200
    html = response.content.decode()
    assert delivered.subscription_id in html and delivered.device_id in html
    assert "@.content.state == &#x27;ringing&#x27;" in html
    assert "Delivered" in html and "Failed" in html and "HTTP 500" in html
    assert "#1" in html and "#2" in html and "/2017-09-01/endpoints/2001/calls/7" in html


def test_partner_admins_see_their_customers_page_and_the_nav_item(
    client_for, partner_admin, customer, delivered
):
    html = client_for(partner_admin).get(url(customer)).content.decode()
    assert delivered.subscription_id in html
    assert f'href="{url(customer)}"' in html


def test_attempts_filter_by_status(client_for, account_admin, customer, delivered):
    html = client_for(account_admin).get(url(customer), {"status": "failed"}).content.decode()
    assert "HTTP 500" in html and "1</strong> attempt" in html


def test_users_get_403_and_outsiders_404(client_for, member, outsider, customer, delivered):
    assert client_for(member).get(url(customer)).status_code == 403
    assert client_for(outsider).get(url(customer)).status_code == 404
    assert f'href="{url(customer)}"' not in client_for(member).get("/").content.decode()
