"""The console's sign-in page: allauth's, answering 429 with ``Retry-After`` while locked."""

from __future__ import annotations

from allauth.account.views import LoginView
from django.http import HttpResponse

from accounts.sign_in_throttle import lock_retry_after
from core.throttle import retry_after_seconds


def sign_in_page_refused(response: HttpResponse, form) -> HttpResponse:
    """A sign-in form shown again: 429 with ``Retry-After`` (seconds to the end of the lock) when
    a lock refused it (``accounts.sign_in_throttle``); otherwise ``response`` as it is."""
    retry_after = lock_retry_after(form.errors.as_data().get("__all__", []))
    if retry_after is not None:
        response.status_code = 429
        response["Retry-After"] = retry_after_seconds(retry_after)
    return response


class SignInView(LoginView):
    def form_invalid(self, form) -> HttpResponse:
        return sign_in_page_refused(super().form_invalid(form), form)
