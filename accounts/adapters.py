"""allauth adapter: the console is invitation-only, and emails go out through our task queue."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse


class PortalAccountAdapter(DefaultAccountAdapter):
    error_messages = DefaultAccountAdapter.error_messages | {
        "email_password_mismatch": "The email address or password you entered is not correct.",
        "too_many_login_attempts": "Too many failed sign-in attempts. Please wait a few minutes and try again.",
        "enter_current_password": "Your current password is not correct.",
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def authenticate(self, request: HttpRequest, **credentials):
        """Every password check (console, password grant, /authorize) is throttled here; see
        ``accounts.sign_in_throttle``. allauth's own ``login_failed`` rate is off (settings)."""
        from accounts.sign_in_throttle import sign_in_attempt

        attempt = sign_in_attempt(request, credentials.get("email"))
        user = super().authenticate(request, **credentials)
        attempt.finished(succeeded=user is not None)
        return user

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Platform operators land where their work is: the applications waiting for approval."""
        if request.user.is_staff:
            return reverse("operator:application_list")
        return super().get_login_redirect_url(request)

    def get_client_ip(self, request: HttpRequest) -> str:
        """allauth's per-address limits count by the same, proxy-aware address as ours."""
        from core.throttle import client_address

        return client_address(request)

    def set_password(self, user, password: str) -> None:
        """Password change and forgotten-password reset both land here: go through the service
        so the change is audited like every other."""
        from accounts.services import user_password_change

        user_password_change(actor=user, user=user, new_password=password)

    def render_mail(self, template_prefix: str, email, context: dict, headers=None):
        """allauth's "unknown account" email says ``{{ email }}`` but is given no such context."""
        return super().render_mail(template_prefix, email, {"email": email} | context, headers)

    def send_notification_mail(self, template_prefix: str, user, context=None, email=None) -> None:
        """ "Your password was changed" and the like: to the user's own address, readable in the
        Outbox by the admins who manage them (the ``user`` of the context)."""
        super().send_notification_mail(
            template_prefix, user, {"user": user} | (context or {}), email or user.email
        )

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        from core.i18n import language_of
        from core.mail import email_queue

        with language_of(context.get("user")):  # the recipient's language; none known: English
            msg = self.render_mail(template_prefix, email, context)
        email_queue(message=msg, recipient=context.get("user"))  # no user: an unknown address
