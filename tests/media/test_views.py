"""The user page's Live calls fragment: the extension's calls that are not over, for user managers only."""

import pytest
from django.urls import reverse

from notifications.models import Publication
from tests.media.factories import CallFactory

pytestmark = pytest.mark.django_db


def fragment_url(account, person) -> str:
    return reverse("media:user_calls_hx", args=[account.account_number, person.user_id])


def test_the_fragment_lists_the_extensions_live_calls_only(client_for, account_admin, member, customer):
    CallFactory(account=customer, endpoint="2002", direction="inbound", from_number="2001", to_number="2002")
    CallFactory(account=customer, endpoint="2002", state="completed", from_number="2009")
    CallFactory(account=customer, endpoint="2001", from_number="2001")

    response = client_for(account_admin).get(fragment_url(customer, member))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="live-call"') == 1
    assert 'data-state="ringing"' in html and "2009" not in html


def test_a_user_without_an_extension_has_no_calls(client_for, account_admin, customer):
    response = client_for(account_admin).get(fragment_url(customer, account_admin))

    assert 'data-testid="no-live-calls"' in response.content.decode()


def test_plain_users_and_other_accounts_do_not_see_the_fragment(client_for, member, customer, outsider):
    assert client_for(member).get(fragment_url(customer, member)).status_code == 403
    assert client_for(outsider).get(fragment_url(customer, member)).status_code == 404


def device_url(account, person) -> str:
    return reverse("media:user_device_hx", args=[account.account_number, person.user_id])


def test_the_device_fragment_shows_the_pbx_features(
    client_for, account_admin, member, customer, customer_pbx, call_pbx
):
    call_pbx.set_dnd("2002", True)
    call_pbx.set_forwarding("2002", "forwardNoAns", "2003")

    html = client_for(account_admin).get(device_url(customer, member)).content.decode()

    assert 'data-testid="device-dnd">On<' in html
    assert "forwardNoAns → 2003" in html
    assert 'data-testid="device-presence">dnd (idle)<' in html


def test_the_device_fragment_says_when_the_pbx_cannot_be_asked(client_for, account_admin, member, customer):
    html = client_for(account_admin).get(device_url(customer, member)).content.decode()

    assert 'data-testid="device-unavailable"' in html and "no PBX connected" in html


def update_url(account, person) -> str:
    return reverse("media:user_device_update_hx", args=[account.account_number, person.user_id])


def test_an_admin_switches_dnd_and_sets_call_forward_from_the_phone_card(
    client_for, account_admin, member, customer, customer_pbx, call_pbx
):
    admin = client_for(account_admin)

    dnd = admin.post(update_url(customer, member), {"feature": "dnd", "enabled": "true"})
    forwarded = admin.post(
        update_url(customer, member), {"feature": "forwarding", "type": "forwardBusy", "destination": "2003"}
    )
    nowhere = admin.post(
        update_url(customer, member), {"feature": "forwarding", "type": "forwardBusy", "destination": "7777"}
    )

    assert call_pbx.dnd == {"2002"}
    assert 'data-testid="device-dnd">On<' in dnd.content.decode()
    assert "Turn do not disturb off" in dnd.content.decode()
    assert call_pbx.forwarding == {"2002": {"forwardBusy": "2003"}}
    assert "forwardBusy → 2003" in forwarded.content.decode()
    assert 'data-testid="device-error"' in nowhere.content.decode()
    assert Publication.objects.filter(subject="/2017-09-01/endpoints/2002").count() == 2


def test_plain_users_cannot_change_a_phone_from_the_console(
    client_for, member, customer, customer_pbx, call_pbx
):
    response = client_for(member).post(update_url(customer, member), {"feature": "dnd", "enabled": "true"})

    assert response.status_code == 403
    assert call_pbx.dnd == set()
