from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from accounts.authn import user_may_stay_signed_in
from accounts.models import User

NO_LONGER_ACTIVE = _("Your account is no longer active. Contact your administrator.")
SIGNED_OUT = _("You were signed out because your password or your role changed. Please sign in again.")


class ActiveAccountMiddleware:
    """Signs out a console session whose user or account was deactivated meanwhile, and says why
    a session ended when Django ended it (its user's sign-ins were revoked: password changed or
    reset, role lowered, user or account deactivated; see ``accounts.sign_ins.sign_ins_end``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        session_user = session.get(SESSION_KEY) if session is not None else None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user_may_stay_signed_in(user):
            logout(request)
            messages.warning(request, NO_LONGER_ACTIVE)
        elif session_user is not None and user is not None and not user.is_authenticated:
            messages.warning(request, _why_signed_out(session_user))
        return self.get_response(request)


def _why_signed_out(session_user) -> str:
    user = User.objects.select_related("account").filter(pk=session_user).first()
    return NO_LONGER_ACTIVE if user is not None and not user_may_stay_signed_in(user) else SIGNED_OUT
