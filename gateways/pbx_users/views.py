"""Console page to Synchronize an account's PBX users with the PBX's full list (docs/pbx-users.md),
under ``/accounts/<number>/users/pbx-sync/``: upload or paste the list, see the plan (creates,
updates, deactivations, problems), Apply. Thin: reading the list is ``gateways.pbx_users.parse``, the
rules are ``gateways.pbx_users.services``.

The preview page carries the list (as JSON, in a hidden field) and the plan's digest to Apply,
which plans again against the current state: if the plan changed meanwhile, nothing is applied
and the new plan is shown instead.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import Capability
from accounts.decorators import account_view
from core.forms import add_service_errors
from core.htmx import action_done, render_page, submit
from core.middleware import body_limit
from core.safe_json import json_loads
from gateways.pbx_users import parse as pbx
from gateways.pbx_users import services as pbx_users_services
from gateways.pbx_users.services import PbxSyncPlan, PbxSyncPlanChanged

PAGE = "accounts/pbx_sync.html"
PREVIEW = "accounts/pbx_sync_preview.html"
ROWS_SHOWN = 200  # per table of the preview; the counts are always complete
FIELD_LABELS = {
    "email": _("Email"),
    "extension": _("Extension"),
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "is_active": _("Active"),
}


class PbxSyncForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("CSV or JSON, UTF-8."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.json,text/csv,application/json"}),
    )
    text = forms.CharField(
        label=_("Or paste the list"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "mono"}),
        help_text=_("The same CSV or JSON as in a file."),
    )

    def clean(self) -> dict:
        data = super().clean()
        upload, text = data.get("file"), (data.get("text") or "").strip()
        if bool(upload) == bool(text):
            raise ValidationError(_("Upload a file or paste the list (one of the two)."))
        try:
            data["users"] = (
                pbx.rows_from_bytes(upload.read(pbx.MAX_BYTES + 1)) if upload else pbx.rows_from_text(text)
            )
        except pbx.PbxListError as exc:
            self.add_error("file" if upload else "text", str(exc))
        return data


class PbxSyncApplyForm(forms.Form):
    users = forms.CharField(widget=forms.HiddenInput)
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def clean_users(self) -> list:
        try:
            return json_loads(self.cleaned_data["users"])
        except ValueError:  # not JSON, or nested too deep
            raise ValidationError(_("The list was lost on the way; upload it again.")) from None


def _preview(request: HttpRequest, plan: PbxSyncPlan, users: list, *, changed: bool = False) -> HttpResponse:
    context = {
        "account": request.account,
        "plan": plan,
        "counts": plan.counts,
        "problems": (plan.errors + plan.conflicts)[:ROWS_SHOWN],
        "creates": plan.creates[:ROWS_SHOWN],
        "updates": [
            (
                update,
                [(FIELD_LABELS[name], before, after) for name, (before, after) in update.changes.items()],
            )
            for update in plan.updates[:ROWS_SHOWN]
        ],
        "removals": plan.removals[:ROWS_SHOWN],
        "rows_shown": ROWS_SHOWN,
        "apply_form": PbxSyncApplyForm(initial={"users": json.dumps(users), "digest": plan.digest}),
        "changed": changed,
    }
    return render_page(request, PREVIEW, "pbx-sync-preview", context)


def _page(request: HttpRequest, form: PbxSyncForm) -> HttpResponse:
    context = {"account": request.account, "form": form, "max_users": f"{pbx.MAX_USERS:,}"}
    return render_page(request, PAGE, "pbx-sync-form", context)


@body_limit(pbx.MAX_REQUEST_BYTES)
@account_view(need=Capability.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def pbx_sync(request: HttpRequest, number: str) -> HttpResponse:
    """Synchronize PBX users: the upload / paste form; a readable list opens the preview."""
    form = PbxSyncForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    ok, plan = submit(
        form,
        lambda values: pbx_users_services.pbx_sync_preview(
            actor=request.user, account=request.account, users=values["users"]
        ),
    )
    if ok:
        return _preview(request, plan, form.cleaned_data["users"])
    return _page(request, form)


@body_limit(pbx.MAX_REQUEST_BYTES)
@account_view(need=Capability.MANAGE_USERS)
@require_POST
def pbx_sync_apply(request: HttpRequest, number: str) -> HttpResponse:
    form = PbxSyncApplyForm(request.POST)
    if not form.is_valid():
        error = gettext("The list was lost on the way; upload it again.")
        return action_done(request, error=error, redirect_to=reverse("pbx_users:pbx_sync", args=[number]))
    users = form.cleaned_data["users"]
    try:
        plan = pbx_users_services.pbx_sync_apply(
            actor=request.user,
            account=request.account,
            users=users,
            expected_digest=form.cleaned_data["digest"],
        )
    except PbxSyncPlanChanged as exc:
        return _preview(request, exc.plan, users, changed=True)
    except ValidationError as exc:
        page = PbxSyncForm()
        add_service_errors(page, exc)
        return _page(request, page)
    counts = plan.counts
    if plan.has_changes:
        level, message = (
            messages.SUCCESS,
            gettext(
                "PBX users synchronized: %(create)s created, %(update)s updated, %(remove)s deactivated. "
                "New users get a welcome email."
            )
            % counts,
        )
    else:
        level, message = (
            messages.INFO,
            gettext("Nothing to change: the PBX users already match the PBX's list."),
        )
    user_list = reverse("accounts:user_list", args=[number]) + "?filter=pbx"
    return action_done(request, message=message, level=level, redirect_to=user_list)
