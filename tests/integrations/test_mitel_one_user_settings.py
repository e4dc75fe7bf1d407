"""Mitel One adds per-user Mitel One settings (on/off, licence tier) to the user page."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from accounts.models import AuditEvent
from integrations import services as integration_services
from integrations.models import MitelOneUserSettings
from integrations.providers.mitel_one.settings import mitel_one_settings_get, mitel_one_settings_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_mitel_one(partner_admin, customer):
    integration_services.integration_add(actor=partner_admin, account=customer, type="mitel-one")
    return customer


def user_page(client, account, person) -> str:
    return client.get(f"/accounts/{account.account_number}/users/{person.user_id}/").content.decode()


def save_url(account, person) -> str:
    return f"/accounts/{account.account_number}/integrations/mitel-one/users/{person.user_id}/"


def test_user_page_shows_mitel_one_section_only_with_the_integration(
    client_for, account_admin, member, customer
):
    client = client_for(account_admin)
    assert 'id="user-mitel-one"' not in user_page(client, customer, member)

    integration_services.integration_add(actor=account_admin, account=customer, type="mitel-one")

    html = user_page(client, customer, member)
    assert 'id="user-mitel-one"' in html and "Licence tier" in html


def test_admin_sets_a_users_tier_and_it_is_audited(client_for, account_admin, member, with_mitel_one):
    response = client_for(account_admin).post(
        save_url(with_mitel_one, member), {"enabled": "on", "tier": "elite"}
    )

    assert response.status_code == 302
    assert mitel_one_settings_get(member).tier == "elite"
    event = AuditEvent.objects.get(action="user.mitel_one_changed")
    assert event.after == {"enabled": True, "tier": "elite"} and event.target_id == str(member.user_id)


def test_switching_mitel_one_off_for_a_user(account_admin, member, with_mitel_one):
    mitel_one_settings_set(actor=account_admin, user=member, enabled=False, tier="premier")
    row = MitelOneUserSettings.objects.get(user=member)
    assert not row.enabled and row.tier == "premier"


def test_settings_need_the_integration_and_a_known_tier(account_admin, member, customer):
    with pytest.raises(ValidationError, match="Mitel One integration"):
        mitel_one_settings_set(actor=account_admin, user=member, enabled=True, tier="elite")
    integration_services.integration_add(actor=account_admin, account=customer, type="mitel-one")
    with pytest.raises(ValidationError):
        mitel_one_settings_set(actor=account_admin, user=member, enabled=True, tier="platinum")


def test_plain_user_403_and_outsider_404(client_for, member, outsider, account_admin, with_mitel_one):
    with pytest.raises(PermissionDenied):
        mitel_one_settings_set(actor=member, user=account_admin, enabled=True, tier="elite")
    with pytest.raises(Http404):
        mitel_one_settings_set(actor=outsider, user=member, enabled=True, tier="elite")
    assert client_for(outsider).post(save_url(with_mitel_one, member), {"tier": "elite"}).status_code == 404
    assert client_for(member).post(save_url(with_mitel_one, member), {"tier": "elite"}).status_code == 403
