"""Console pages for accounts: the partner's Accounts list, Add account and account switcher, and
inside an account its Account Information (edit, support contacts, lifecycle), Users (list, Add
user, the User page with its actions) and Activity.

Every page is one URL that renders the full page or, for htmx, the named fragment whose name is
also its DOM id. Every POST works without JavaScript (redirect after success) and with htmx
(the re-rendered fragment, with the flash and heading swapped out of band).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access, activity, selectors, services
from accounts.access import Capability
from accounts.decorators import account_view
from accounts.forms import (
    AccountCreateForm,
    AccountFilterForm,
    AccountForm,
    ActivityFilterForm,
    ConfirmForm,
    SignInPolicyForm,
    SupportContactForm,
    SupportContactsForm,
    UserDeleteForm,
    UserFilterForm,
    UserForm,
)
from core.htmx import action_done, paginate, render_page, submit

DETAIL = "accounts/account_detail.html"
ACTIVITY_COLUMNS = [
    ("time", gettext_lazy("Time")),
    ("actor", gettext_lazy("Actor")),
    ("action", gettext_lazy("Action")),
    ("target", gettext_lazy("Target")),
    ("changes", gettext_lazy("Changes")),
    ("correlation", gettext_lazy("Correlation ID")),
]


def _require_partner(request: HttpRequest, need: Capability) -> None:
    access.require(request.user, need, request.user.account)


# --- Partner pages -------------------------------------------------------------------------


@require_GET
def account_list(request: HttpRequest) -> HttpResponse:
    _require_partner(request, Capability.LIST_CUSTOMER_ACCOUNTS)
    filters = AccountFilterForm(request.GET)
    sort = filters.value("sort") or "name"
    accounts = selectors.customer_account_list(
        actor=request.user, search=filters.value("q"), status=filters.value("status"), ordering=sort
    )
    context = {"filters": filters, "sort": sort, "page": paginate(request, accounts)}
    return render_page(request, "accounts/account_list.html", "account-table", context)


@require_http_methods(["GET", "POST"])
def account_create(request: HttpRequest) -> HttpResponse:
    _require_partner(request, Capability.CREATE_CUSTOMER_ACCOUNTS)
    form = AccountCreateForm(request.POST if request.method == "POST" else None)
    ok, account = submit(
        form,
        lambda data: services.account_create(
            actor=request.user,
            partner=request.user.account,
            support_contacts=data["support_contacts"],
            **form.changes,
        ),
    )
    if ok:
        messages.success(
            request,
            gettext("Account %(name)s created with number %(number)s.")
            % {"name": account.name, "number": account.account_number},
        )
        for email in form.repeated_contacts:
            messages.info(
                request,
                gettext("%(email)s was given more than once: it is a support contact once.")
                % {"email": email},
            )
        namesakes = selectors.same_name_account_list(actor=request.user, account=account)
        if namesakes:
            numbers = ", ".join(other.account_number for other in namesakes)
            messages.warning(
                request,
                gettext(
                    "Another account is also named %(name)s (%(numbers)s): "
                    "rename one of them if they are not the same customer."
                )
                % {"name": account.name, "numbers": numbers},
            )
        return action_done(
            request, redirect_to=reverse("accounts:account_detail", args=[account.account_number])
        )
    return render_page(request, "accounts/account_form.html", "account-create-form", {"form": form})


@require_GET
def account_switch(request: HttpRequest) -> HttpResponse:
    """The account switcher without JavaScript: go to the one account the entry names, else search."""
    _require_partner(request, Capability.LIST_CUSTOMER_ACCOUNTS)
    ref = request.GET.get("account", "").strip()
    account = selectors.account_switch_resolve(actor=request.user, ref=ref)
    if account is not None:
        return redirect("accounts:account_detail", number=account.account_number)
    if ref:
        messages.info(
            request,
            gettext("More than one account or none matches “%(ref)s”: pick one from the list.")
            % {"ref": ref},
        )
    return redirect(f"{reverse('accounts:account_list')}?{urlencode({'q': ref})}")


@require_GET
def account_switch_options_hx(request: HttpRequest) -> HttpResponse:
    """Suggestions for the account switcher's type-ahead (a <datalist>)."""
    _require_partner(request, Capability.LIST_CUSTOMER_ACCOUNTS)
    accounts = selectors.account_switch_search(actor=request.user, search=request.GET.get("account", ""))
    return render(request, "accounts/_account_switcher_options.html", {"accounts": accounts})


@require_GET
def support_contact_options_hx(request: HttpRequest) -> HttpResponse:
    """Suggestions for the support contacts control: the actor's own users matching ``q``."""
    users = selectors.support_contact_candidate_list(actor=request.user, search=request.GET.get("q", ""))
    return render(
        request, "components/_contact_options.html", {"users": users, "picker": request.GET.get("picker", "")}
    )


# --- Account Information -------------------------------------------------------------------


def _detail_context(request: HttpRequest, **forms_: forms.Form) -> dict:
    account, user = request.account, request.user
    return {
        "account": account,
        "info_form": AccountForm(account=account),
        "contact_form": SupportContactForm(),
        "contacts_form": SupportContactsForm(account=account),
        "sign_in_policy_form": SignInPolicyForm(
            initial={"admins_require_second_factor": account.admins_require_second_factor}
        ),
        "can_set_sign_in_policy": access.can(user, Capability.MANAGE_SIGN_IN_POLICY, account),
        "contact_remove_form": forms.Form(),
        "deactivate_form": ConfirmForm(word="deactivate"),
        "delete_form": ConfirmForm(word="delete"),
        "can_edit": access.can(user, Capability.EDIT_ACCOUNT, account),
        "can_manage_lifecycle": access.can(user, Capability.MANAGE_ACCOUNT_LIFECYCLE, account),
        "oob": bool(request.htmx),
    } | forms_


def _after_post(
    request: HttpRequest, ok: bool, partial: str, message: str = "", *, whole_page: bool = False, **forms_
) -> HttpResponse:
    """Success: the message, then the page again (PRG), or for htmx the fresh fragment (the whole
    page when ``whole_page``: a change shown outside the fragment, as the account's name).
    Failure: the page or fragment with the forms' errors."""
    if not ok:
        return render_page(request, DETAIL, partial, _detail_context(request, **forms_))
    return action_done(
        request,
        message=message,
        fragment=None
        if whole_page
        else lambda: render_page(request, DETAIL, partial, _detail_context(request)),
        redirect_to=reverse("accounts:account_detail", args=[request.account.account_number]),
    )


@account_view(need=Capability.VIEW_ACCOUNT)
@require_GET
def account_detail(request: HttpRequest, number: str) -> HttpResponse:
    return render(request, DETAIL, _detail_context(request))


@account_view(need=Capability.EDIT_ACCOUNT)
@require_POST
def account_update(request: HttpRequest, number: str) -> HttpResponse:
    form = AccountForm(request.POST, account=request.account)
    old_name = request.account.name
    ok, account = submit(
        form,
        lambda data: services.account_update(actor=request.user, account=request.account, **form.changes),
    )
    request.account = account or request.account
    # A new name shows in the breadcrumb, the side navigation and the header: the whole page again.
    renamed = ok and request.account.name != old_name
    return _after_post(
        request, ok, "account-info", gettext("Account information saved."), whole_page=renamed, info_form=form
    )


@account_view(need=Capability.MANAGE_SIGN_IN_POLICY)
@require_POST
def account_sign_in_policy(request: HttpRequest, number: str) -> HttpResponse:
    form = SignInPolicyForm(request.POST)
    ok, account = submit(
        form,
        lambda data: services.account_sign_in_policy_set(
            actor=request.user,
            account=request.account,
            admins_require_second_factor=data["admins_require_second_factor"],
        ),
    )
    request.account = account or request.account
    return _after_post(request, ok, "sign-in-policy", "Sign-in policy saved.", sign_in_policy_form=form)


@account_view(need=Capability.EDIT_ACCOUNT)
@require_POST
def support_contact_add(request: HttpRequest, number: str) -> HttpResponse:
    form = SupportContactForm(request.POST)
    ok, contact = submit(
        form,
        lambda data: services.support_contact_add(
            actor=request.user, account=request.account, email=data["email"]
        ),
    )
    message = gettext("%(email)s is now a support contact.") % {"email": contact.email} if ok else ""
    return _after_post(request, ok, "support-contacts", message, contact_form=form)


@account_view(need=Capability.EDIT_ACCOUNT)
@require_POST
def support_contacts_update(request: HttpRequest, number: str) -> HttpResponse:
    form = SupportContactsForm(request.POST)
    ok, _ = submit(
        form,
        lambda data: services.support_contacts_set(
            actor=request.user, account=request.account, emails=data["support_contacts"]
        ),
    )
    return _after_post(
        request, ok, "support-contacts", gettext("Support contacts saved."), contacts_form=form
    )


@account_view(need=Capability.EDIT_ACCOUNT)
@require_POST
def support_contact_remove(request: HttpRequest, number: str, contact_id: int) -> HttpResponse:
    form = forms.Form(request.POST)
    ok, _ = submit(
        form,
        lambda data: services.support_contact_remove(
            actor=request.user, account=request.account, contact_id=contact_id
        ),
    )
    return _after_post(
        request, ok, "support-contacts", gettext("Support contact removed."), contact_remove_form=form
    )


@account_view(need=Capability.MANAGE_ACCOUNT_LIFECYCLE)
@require_POST
def account_deactivate(request: HttpRequest, number: str) -> HttpResponse:
    form = ConfirmForm(request.POST, word="deactivate")
    ok, account = submit(
        form,
        lambda data: services.account_deactivate(
            actor=request.user, account=request.account, confirmation=data["confirmation"]
        ),
    )
    request.account = account or request.account
    message = gettext("%(name)s is deactivated: its users can no longer sign in.") % {
        "name": request.account.name
    }
    return _after_post(request, ok, "account-lifecycle", message, deactivate_form=form)


@account_view(need=Capability.MANAGE_ACCOUNT_LIFECYCLE)
@require_POST
def account_activate(request: HttpRequest, number: str) -> HttpResponse:
    request.account = services.account_activate(actor=request.user, account=request.account)
    message = gettext("%(name)s is active again: its users can sign in.") % {"name": request.account.name}
    return _after_post(request, True, "account-lifecycle", message)


@account_view(need=Capability.MANAGE_ACCOUNT_LIFECYCLE)
@require_POST
def account_delete(request: HttpRequest, number: str) -> HttpResponse:
    form = ConfirmForm(request.POST, word="delete")
    name = request.account.name
    ok, _ = submit(
        form,
        lambda data: services.account_delete(
            actor=request.user, account=request.account, confirmation=data["confirmation"]
        ),
    )
    if not ok:
        return _after_post(request, False, "account-lifecycle", delete_form=form)
    return action_done(
        request,
        message=gettext("Account %(name)s was deleted.") % {"name": name},
        redirect_to=reverse("accounts:account_list"),
    )


# --- Other account pages -------------------------------------------------------------------


@account_view(need=Capability.VIEW_ACTIVITY)
@require_GET
def account_activity(request: HttpRequest, number: str) -> HttpResponse:
    actors = selectors.audit_event_actors(actor=request.user, account=request.account)
    filters = ActivityFilterForm(request.GET, actors=actors)
    events = selectors.audit_event_list(
        actor=request.user, account=request.account, **filters.selector_kwargs()
    )
    if request.GET.get("format") == "csv":
        response = StreamingHttpResponse(activity.csv_lines(events), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="activity-{request.account.account_number}.csv"'
        )
        return response
    context = {
        "account": request.account,
        "filters": filters,
        "page": paginate(request, events),
        "activity_columns": ACTIVITY_COLUMNS,
    }
    return render_page(request, "accounts/account_activity.html", "activity-table", context)


# --- Users ---------------------------------------------------------------------------------

USER_DETAIL = "accounts/user_detail.html"


@account_view(need=Capability.MANAGE_USERS)
@require_GET
def user_list(request: HttpRequest, number: str) -> HttpResponse:
    filters = UserFilterForm(request.GET)
    users = selectors.user_list(
        actor=request.user,
        account=request.account,
        search=filters.value("q"),
        filters=filters.value("filter"),
        ordering=filters.ordering,
    )
    context = {
        "account": request.account,
        "filters": filters,
        "sort": filters.sort_key,
        "page": paginate(request, users),
    }
    return render_page(request, "accounts/user_list.html", "user-table", context)


@account_view(need=Capability.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest, number: str) -> HttpResponse:
    form = UserForm(request.POST if request.method == "POST" else None)
    ok, person = submit(
        form,
        lambda data: services.user_create(
            actor=request.user, account=request.account, role=form.role, **form.changes
        ),
    )
    if ok:
        return action_done(
            request,
            message=gettext("%(name)s was added; a welcome email is on its way to %(email)s.")
            % {"name": person.display_name, "email": person.email},
            redirect_to=reverse("accounts:user_detail", args=[number, person.user_id]),
        )
    context = {"account": request.account, "form": form}
    return render_page(request, "accounts/user_form.html", "user-create-form", context)


def _person(request: HttpRequest, user_id) -> Any:
    """The user the URL names, inside the page's account (404 otherwise)."""
    return selectors.user_get_or_404(actor=request.user, account=request.account, user_ref=user_id)


def _user_context(request: HttpRequest, person, **forms_: forms.Form) -> dict:
    return {
        "account": request.account,
        "person": person,
        "is_self": person.pk == request.user.pk,
        "can_manage": access.can_manage_user(request.user, person),
        "form": UserForm(person=person, actor=request.user),
        "access_form": forms.Form(),
        "delete_form": UserDeleteForm(),
        "now": timezone.now(),
        "oob": bool(request.htmx),
    } | forms_


def _after_user_post(
    request: HttpRequest, person, ok: bool, partial: str, message: str = "", **forms_
) -> HttpResponse:
    """Like ``_after_post`` for the User page."""
    if not ok:
        return render_page(request, USER_DETAIL, partial, _user_context(request, person, **forms_))
    return action_done(
        request,
        message=message,
        fragment=lambda: render_page(request, USER_DETAIL, partial, _user_context(request, person)),
        redirect_to=reverse("accounts:user_detail", args=[request.account.account_number, person.user_id]),
    )


@account_view(need=Capability.MANAGE_USERS)
@require_GET
def user_detail(request: HttpRequest, number: str, user_id) -> HttpResponse:
    return render(request, USER_DETAIL, _user_context(request, _person(request, user_id)))


@account_view(need=Capability.MANAGE_USERS)
@require_POST
def user_update(request: HttpRequest, number: str, user_id) -> HttpResponse:
    person = _person(request, user_id)
    form = UserForm(request.POST, person=person, actor=request.user)
    ok, changed = submit(
        form,
        lambda data: services.user_change(actor=request.user, user=person, role=form.role, **form.changes),
    )
    person = changed or person
    return _after_user_post(
        request,
        person,
        ok,
        "user-info",
        gettext("Changes to %(name)s saved.") % {"name": person.display_name},
        form=form,
    )


@account_view(need=Capability.MANAGE_USERS)
@require_POST
def user_welcome_resend(request: HttpRequest, number: str, user_id) -> HttpResponse:
    person = _person(request, user_id)
    form = forms.Form(request.POST)
    ok, _ = submit(form, lambda data: services.user_welcome_resend(actor=request.user, user=person))
    message = gettext(
        "A new welcome email is on its way to %(email)s; the previous link no longer works."
    ) % {"email": person.email}
    return _after_user_post(request, person, ok, "user-access", message, access_form=form)


@account_view(need=Capability.MANAGE_USERS)
@require_POST
def user_password_reset_send(request: HttpRequest, number: str, user_id) -> HttpResponse:
    person = _person(request, user_id)
    form = forms.Form(request.POST)
    ok, _ = submit(form, lambda data: services.user_password_reset_send(actor=request.user, user=person))
    message = gettext("A password reset email is on its way to %(email)s.") % {"email": person.email}
    return _after_user_post(request, person, ok, "user-access", message, access_form=form)


@account_view(need=Capability.MANAGE_USERS)
@require_POST
def user_delete(request: HttpRequest, number: str, user_id) -> HttpResponse:
    person = _person(request, user_id)
    form = UserDeleteForm(request.POST)
    ok, _ = submit(form, lambda data: services.user_delete(actor=request.user, user=person))
    if not ok:
        return _after_user_post(request, person, False, "user-delete", delete_form=form)
    return action_done(
        request,
        message=gettext("%(name)s (%(email)s) was deleted.")
        % {"name": person.display_name, "email": person.email},
        redirect_to=reverse("accounts:user_list", args=[number]),
    )
