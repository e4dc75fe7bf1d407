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
    def post(self, request, *args, **kwargs) -> HttpResponse:
        """The email step (username, Next): an email whose account signs in through its identity
        provider goes there; otherwise the password step."""
        email = request.POST.get("login", "").strip()
        if email and not request.POST.get("password"):
            from sso.views import provider_sign_in_redirect  # sso builds on accounts

            next_url = request.POST.get("next", "") or request.GET.get("next", "")
            redirect = provider_sign_in_redirect(request, email, request.POST.get("account", ""), next_url)
            if redirect is not None:
                return redirect
            form = self.get_form_class()(initial={"login": email}, request=request)
            return self.render_to_response(self.get_context_data(form=form, password_step=True))
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form) -> HttpResponse:
        return sign_in_page_refused(super().form_invalid(form), form)
