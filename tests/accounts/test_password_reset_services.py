"""The 6-digit reset code: single use, expires, throttled (docs/security.md)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts import services
from accounts.services.password_reset_services import RESET_CODE_WINDOW_SECONDS, WRONG_CODE
from tests.accounts.factories import UserFactory

NEW = "a-new-secret-2026"


@pytest.fixture
def registered(member):
    assert member.is_registered
    return member


def test_the_code_sets_the_password_once(registered, throttle_clock):
    code = services.password_reset_code(registered)
    user = services.user_password_reset_by_code(email="UMA@globex.example", code=code, new_password=NEW)
    assert user == registered
    registered.refresh_from_db()
    assert registered.check_password(NEW)
    with pytest.raises(ValidationError) as refused:
        services.user_password_reset_by_code(
            email=registered.email, code=code, new_password="other-secret-77"
        )
    assert refused.value.messages == [WRONG_CODE]


def test_the_code_works_in_the_next_window_and_expires_after_it(registered, throttle_clock):
    code = services.password_reset_code(registered)
    throttle_clock.advance(2 * RESET_CODE_WINDOW_SECONDS)
    with pytest.raises(ValidationError) as refused:
        services.user_password_reset_by_code(email=registered.email, code=code, new_password=NEW)
    assert refused.value.messages == [WRONG_CODE]
    throttle_clock.advance(-RESET_CODE_WINDOW_SECONDS)
    services.user_password_reset_by_code(email=registered.email, code=code, new_password=NEW)
    registered.refresh_from_db()
    assert registered.check_password(NEW)


def test_five_wrong_codes_lock_the_email_even_for_the_right_code(registered, throttle_clock):
    code = services.password_reset_code(registered)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        with pytest.raises(ValidationError):
            services.user_password_reset_by_code(email=registered.email, code=wrong, new_password=NEW)
    with pytest.raises(ValidationError) as locked:
        services.user_password_reset_by_code(email=registered.email, code=code, new_password=NEW)
    assert locked.value.code == "throttled"
    registered.refresh_from_db()
    assert not registered.check_password(NEW)


def test_an_unregistered_user_has_no_usable_code(customer, throttle_clock):
    member = UserFactory(account=customer, is_registered=False)
    with pytest.raises(ValidationError) as refused:
        services.user_password_reset_by_code(
            email=member.email, code=services.password_reset_code(member), new_password=NEW
        )
    assert refused.value.messages == [WRONG_CODE]
