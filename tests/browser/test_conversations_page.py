"""Real-browser check of the Conversations page: an admin sees a guest's conversation listed
with its participants (the guest marked) and its message count."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from chat import services as chat
from chat.models import PrincipalType
from chat.principals import ChatPrincipal, principal_for
from integrations import services as integrations
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_sees_guest_chat_on_the_conversations_page(page, account_admin, member, customer, password):
    integrations.privilege_set(
        actor=account_admin, account=customer, privilege="allowGuestAccess", enabled=True
    )
    customer.refresh_from_db()
    conversation = chat.conversation_create(
        principal=principal_for(member),
        participants=[chat.ParticipantSpec(PrincipalType.GUEST, "visitor-7", "Vera Visitor")],
        name="Web chat",
    )
    guest = ChatPrincipal(PrincipalType.GUEST, "visitor-7", customer, name="Vera Visitor")
    chat.message_post(principal=guest, conversation=conversation, body="Hi, is anyone there?")
    chat.message_post(principal=principal_for(member), conversation=conversation, body="Yes!")

    sign_in(page, account_admin.email, password)
    page.goto(f"/accounts/{customer.account_number}/")
    page.get_by_role("link", name="Conversations").click()

    expect(page.get_by_role("heading", name="Conversations")).to_be_visible()
    row = page.locator(f"#conversation-{conversation.conversation_id}")
    expect(row).to_contain_text("Web chat")
    expect(row.get_by_test_id("participant").filter(has_text="Vera Visitor")).to_contain_text("Guest")
    expect(row.get_by_test_id("participant").filter(has_text="Uma User")).to_be_visible()
    expect(row.get_by_test_id("message-count")).to_have_text("2")
