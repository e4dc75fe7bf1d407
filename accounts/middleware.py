from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_htmx.http import HttpResponseClientRedirect

from accounts.authn import user_may_stay_signed_in
from accounts.models import User
from accounts.second_factor import must_set_up_second_factor

SET_UP_SECOND_FACTOR = _(
    "Your account requires its administrators to use a second factor. Add an authenticator app "
    "or a passkey to continue."
)
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


class SecondFactorSetupMiddleware:
    """An admin whose account requires a second factor (``Account.admins_require_second_factor``)
    and who has none is sent to the Two-factor authentication page before any other console page
    (docs/mfa.md). Sign-in, sign-out and the factor pages themselves (under /auth/), static files
    and the token-authenticated API stay reachable; the browser ``/authorize`` flow does not."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not _reachable_without_second_factor(request.path)
            and must_set_up_second_factor(user)
        ):
            messages.warning(request, SET_UP_SECOND_FACTOR)
            setup = reverse("mfa_index")
            return (
                HttpResponseClientRedirect(setup)
                if request.headers.get("HX-Request")
                else HttpResponseRedirect(setup)
            )
        return self.get_response(request)


def _reachable_without_second_factor(path: str) -> bool:
    if path.startswith(("/auth/", settings.STATIC_URL, "/healthz")):
        return True
    return path.startswith("/api/") and not path.startswith(reverse("authentication-api:authorize"))
