"""Self-service "forgot password": the console's form and the API's ``PUT /users/{email}/password``.

The request only queues a task (``accounts.tasks.password_reset_emails_send_task``), the same
work whether or not the email belongs to anyone: no user lookup, no token, no email rendered.
The answer, and the time it takes, say nothing about who exists. The task looks the users up and
emails each a reset link (allauth's reset-from-key page, which sets the password through
``user_password_change``).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from accounts.models import Account, User
from core.jobs import enqueue
from core.mail import email_queue, email_render

__all__ = ["password_reset_emails_send", "user_password_forgot"]


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


def password_reset_emails_send(*, email: str, account_ref: str = "") -> int:
    """Email a reset link to every active, registered user with this email in an active account
    (only that account's user with ``account_ref``). Unregistered users need their welcome email
    instead; nothing is ever sent to an address no user has. Returns how many were sent."""
    users = User.objects.filter(
        email__iexact=(email or "").strip(),
        is_active=True,
        is_registered=True,
        account__status=Account.Status.ACTIVE,
    ).select_related("account")
    if account_ref:
        users = users.filter(account__in=Account.objects.by_ref(account_ref))
    users = list(users)
    for user in users:
        message = email_render(
            "password_reset",
            to=[user.email],
            context={"user": user, "account": user.account, "link": password_reset_url(user)},
            reader=user,
        )
        email_queue(message=message, recipient=user)
    return len(users)
