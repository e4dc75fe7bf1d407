"""The Mitel One section of the user page: save the user's Mitel One settings."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts import selectors
from accounts.access import Capability
from accounts.decorators import account_view
from integrations.models import MitelOneUserSettings
from integrations.providers.mitel_one.settings import mitel_one_settings_set


class MitelOneSettingsForm(forms.Form):
    enabled = forms.BooleanField(label="Mitel One enabled", required=False)
    tier = forms.ChoiceField(label="Licence tier", choices=MitelOneUserSettings.Tier.choices)


@account_view(need=Capability.MANAGE_USERS)
@require_POST
def mitel_one_settings_update(request: HttpRequest, number: str, user_id) -> HttpResponse:
    person = selectors.user_get_or_404(actor=request.user, account=request.account, user_ref=user_id)
    form = MitelOneSettingsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a valid Mitel One licence tier.")
    else:
        try:
            mitel_one_settings_set(actor=request.user, user=person, **form.cleaned_data)
            messages.success(request, f"Mitel One settings of {person.display_name} saved.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("accounts:user_detail", request.account.account_number, person.user_id)
