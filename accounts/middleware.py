from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from .authn import user_may_stay_signed_in


class ActiveAccountMiddleware:
    """Signs out a console session whose user or account was deactivated meanwhile."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user_may_stay_signed_in(user):
            logout(request)
            messages.warning(request, "Your account is no longer active. Contact your administrator.")
        return self.get_response(request)
