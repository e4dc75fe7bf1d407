"""The console's single sign-on page (``/accounts/<number>/sso/``) and the sign-in page's SSO step."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import Capability
from accounts.authn import SignInError
from accounts.decorators import account_view
from accounts.forms import SignInEmailForm
from accounts.models import Account
from accounts.sign_in_views import SignInView
from core.htmx import submit
from sso import saml, selectors, services
from sso.forms import IdentityProviderForm
from sso.sign_in import oidc_redirect_uri, sign_in_start


def _initial(provider) -> dict:
    if provider is None:
        return {"protocol": "SAML", "active": True}
    fields = (
        "protocol",
        "label",
        "saml_metadata_url",
        "saml_entity_id",
        "saml_login_url",
        "saml_certificates",
        "oidc_issuer",
        "oidc_client_id",
        "active",
        "sso_required",
        "jit_user_creation",
        "role_claim",
    )
    return {name: getattr(provider, name) for name in fields}


@account_view(need=Capability.MANAGE_SSO)
@require_http_methods(["GET", "POST"])
def identity_provider(request: HttpRequest, number: str) -> HttpResponse:
    account = request.account
    provider = selectors.identity_provider_of(account)
    if request.method == "POST":
        form = IdentityProviderForm(request.POST, request.FILES)

        def save(data):
            if provider is None:
                return services.identity_provider_create(
                    actor=request.user, account=account, protocol=data["protocol"], **form.changes
                )
            return services.identity_provider_update(actor=request.user, provider=provider, **form.changes)

        ok, saved = submit(form, save)
        if ok:
            messages.success(request, _("Single sign-on saved."))
            return redirect("sso:identity_provider", number=account.account_number)
        status = 400
    else:
        form = IdentityProviderForm(initial=_initial(provider))
        status = 200
    context = {
        "account": account,
        "provider": provider,
        "form": form,
        "sp_entity_id": saml.sp_entity_id(account),
        "acs_url": saml.acs_url(account),
        "oidc_redirect_uri": oidc_redirect_uri(account),
        "certificates": saml.certificates_from_text(provider.saml_certificates) if provider else [],
    }
    return render(request, "sso/identity_provider.html", context, status=status)


@account_view(need=Capability.MANAGE_SSO)
@require_POST
def identity_provider_delete(request: HttpRequest, number: str) -> HttpResponse:
    provider = selectors.identity_provider_of(request.account)
    if provider is not None:
        services.identity_provider_delete(actor=request.user, provider=provider)
        messages.success(request, _("Single sign-on removed: everyone signs in with a password again."))
    return redirect("sso:identity_provider", number=request.account.account_number)


def _started_or_refused(
    request: HttpRequest, provider, next_url: str, *, via_page: bool = False
) -> HttpResponse:
    """Redirect to the IdP. ``via_page``: from a form post, a page that moves on by itself
    instead, since the console's Content-Security-Policy (``form-action 'self'``) also holds for
    the redirects that follow a form's submission."""
    try:
        started = sign_in_start(provider, next_url=next_url)
    except SignInError as exc:
        return render(request, "sso/sign_in_refused.html", {"error": exc}, status=exc.status)
    if via_page:
        context = {"url": started.redirect_url, "provider": provider}
        return render(request, "sso/to_identity_provider.html", context)
    return redirect(started.redirect_url)


def provider_sign_in_redirect(
    request: HttpRequest, email: str, account_ref: str, next_url: str
) -> HttpResponse | None:
    """The sign-in page's email step: the redirect to the account's identity provider, or None
    when this email signs in with a password."""
    provider = selectors.identity_provider_for_email(email, account_ref or None)
    if provider is None:
        return None
    return _started_or_refused(request, provider, next_url, via_page=True)


@login_not_required
@require_GET
def account_sign_in(request: HttpRequest, number: str) -> HttpResponse:
    """``/auth/sso/<account number>/``: the account's own sign-in link (also for users created on
    their first sign-in, whose email the portal does not know yet)."""
    account = Account.objects.by_ref(number).first()
    provider = selectors.active_identity_provider_of(account) if account else None
    if provider is None:
        raise Http404("This account has no active identity provider.")
    return _started_or_refused(request, provider, request.GET.get("next", ""))


class SignInWithProviderView(SignInView):
    """The console's sign-in in two steps, as CloudLink's: the email and Next, then the account's
    identity provider or, for every other email (known or not), the password. A post carrying the
    email and the password together (scripts, the break-glass form) signs in at once."""

    def get(self, request, *args, **kwargs) -> HttpResponse:
        if request.GET.get("step") == PASSWORD_STEP:
            # Break-glass: the email and the password on one form (an SSO account's admin while
            # the identity provider is down), which also skips the redirect of the email step.
            return self.render_to_response(self.get_context_data(email_kept=False))
        return self._email_step(SignInEmailForm())

    def post(self, request, *args, **kwargs) -> HttpResponse:
        if request.POST.get("step") == PASSWORD_STEP or request.POST.get("password"):
            return super().post(request, *args, **kwargs)
        form = SignInEmailForm(request.POST)
        if not form.is_valid():
            return self._email_step(form)
        email, account = form.cleaned_data["login"], form.cleaned_data["account"]
        next_url = request.POST.get("next", "") or request.GET.get("next", "")
        redirect = provider_sign_in_redirect(request, email, account, next_url)
        if redirect is not None:
            return redirect
        password_form = self.get_form_class()(initial={"login": email, "account": account}, request=request)
        return self.render_to_response(self.get_context_data(form=_as_password_step(password_form)))

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        return _as_password_step(form) if self.request.method == "POST" else form

    def get_context_data(self, **kwargs) -> dict:
        kwargs.setdefault("step", PASSWORD_STEP)
        kwargs.setdefault("email_kept", True)
        return super().get_context_data(**kwargs)

    def _email_step(self, form: SignInEmailForm) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form, step=EMAIL_STEP, email_kept=False))


EMAIL_STEP, PASSWORD_STEP = "email", "password"


def _as_password_step(form):
    """The password step's form: the email shown as entered (read-only), the focus on the password."""
    form.fields["login"].widget.attrs.update({"readonly": True})
    form.fields["login"].widget.attrs.pop("autofocus", None)
    if not getattr(form, "needs_account", False):
        form.fields["password"].widget.attrs["autofocus"] = True
    return form
