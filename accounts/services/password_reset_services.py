"""Self-service "forgot password": the console's form and the API's ``PUT /users/{email}/password``.

The request only queues a task (``accounts.tasks.password_reset_emails_send_task``), the same
work whether or not the email belongs to anyone: no user lookup, no token, no email rendered.
The answer, and the time it takes, say nothing about who exists. The task looks the users up and
emails each a reset link (allauth's reset-from-key page, which sets the password through
``user_password_change``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import Account, User
from accounts.services.user_services import user_password_change
from core import throttle
from core.jobs import enqueue
from core.mail import email_queue, email_render

__all__ = [
    "password_reset_code",
    "password_reset_emails_send",
    "user_password_forgot",
    "user_password_reset_by_code",
]

# A reset code is valid in the window it was made in and the next one: 15 to 30 minutes.
RESET_CODE_WINDOW_SECONDS = 15 * 60
RESET_CODE_FAILURES = throttle.FailureLock("password_reset_code", "5/15m")
WRONG_CODE = "That code is wrong or has expired: ask for a new email."


def user_password_forgot(*, email: str, account_ref: str = "") -> None:
    """Queue the reset emails for ``email`` (only that account's user when ``account_ref``, a GUID
    or number, is given); sent once the surrounding transaction commits."""

    email, account_ref = (email or "").strip().lower(), (account_ref or "").strip()
    enqueue("accounts.tasks.password_reset_emails_send_task", email, account_ref)


def password_reset_url(user: User) -> str:
    """An absolute link to allauth's reset-from-key page for the user (single use: it stops
    working once the password changes)."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )
    return settings.PORTAL_BASE_URL + path


def password_reset_code(user: User, *, window: int | None = None) -> str:
    """The 6-digit code of the reset email, besides its link. Nothing is stored: the code is a MAC
    of the user, their current password hash and the time window, so it stops working once the
    password changes (single use) or the next window ends (expiry)."""
    if window is None:
        window = int(throttle.now() // RESET_CODE_WINDOW_SECONDS)
    digest = salted_hmac(
        "accounts.password_reset_code", f"{user.pk}:{user.password}:{window}", algorithm="sha256"
    ).hexdigest()
    return f"{int(digest[:15], 16) % 1_000_000:06d}"


def _reset_users(email: str, account_ref: str = "") -> list[User]:
    users = User.objects.filter(
        email__iexact=(email or "").strip(),
        is_active=True,
        is_registered=True,
        account__status=Account.Status.ACTIVE,
    ).select_related("account")
    if account_ref:
        users = users.filter(account__in=Account.objects.by_ref(account_ref))
    return list(users)


def user_password_reset_by_code(*, email: str, code: str, new_password: str) -> User:
    """Set a new password with the code of a reset email. Five wrong codes for one email within 15
    minutes lock that email's codes for 15 minutes (``core.throttle``): 6 digits stay unguessable.
    Raises ``ValidationError`` (``code`` "throttled" when locked)."""
    key = (email or "").strip().lower()
    attempt = RESET_CODE_FAILURES.attempt(key)
    if attempt.retry_after:
        minutes = max(1, round(attempt.retry_after / 60))
        raise ValidationError(
            f"Too many wrong codes: try again in {minutes} minute{'s' if minutes != 1 else ''}.",
            code="throttled",
        )
    window = int(throttle.now() // RESET_CODE_WINDOW_SECONDS)
    code = (code or "").strip()
    for user in _reset_users(key):
        if any(
            constant_time_compare(code, password_reset_code(user, window=w)) for w in (window, window - 1)
        ):
            attempt.succeeded()
            user_password_change(actor=user, user=user, new_password=new_password)
            return user
    attempt.failed()
    raise ValidationError(WRONG_CODE, code="wrong_code")


def password_reset_emails_send(*, email: str, account_ref: str = "") -> int:
    """Email a reset link to every active, registered user with this email in an active account
    (only that account's user with ``account_ref``). Unregistered users need their welcome email
    instead; nothing is ever sent to an address no user has. Returns how many were sent."""
    users = _reset_users(email, account_ref)
    for user in users:
        message = email_render(
            "password_reset",
            to=[user.email],
            context={
                "user": user,
                "account": user.account,
                "link": password_reset_url(user),
                "code": password_reset_code(user),
                "code_url": settings.PORTAL_BASE_URL + reverse("password_reset_code"),
            },
            reader=user,
        )
        email_queue(message=message, recipient=user)
    return len(users)
