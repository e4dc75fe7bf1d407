"""The Mitel One section of the user page: save the user's Mitel One settings."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts import selectors
from accounts.access import Capability
from accounts.decorators import account_view
from core.htmx import action_done, call_service
from integrations.models import MitelOneUserSettings
from integrations.providers.mitel_one.settings import mitel_one_settings_set


class MitelOneSettingsForm(forms.Form):
    enabled = forms.BooleanField(label=_("Mitel One enabled"), required=False)
    tier = forms.ChoiceField(label=_("Licence tier"), choices=MitelOneUserSettings.Tier.choices)


@account_view(need=Capability.MANAGE_USERS)
@require_POST
def mitel_one_settings_update(request: HttpRequest, number: str, user_id) -> HttpResponse:
    person = selectors.user_get_or_404(actor=request.user, account=request.account, user_ref=user_id)
    form = MitelOneSettingsForm(request.POST)
    if form.is_valid():
        _, error = call_service(
            lambda: mitel_one_settings_set(actor=request.user, user=person, **form.cleaned_data)
        )
    else:
        error = gettext("Choose a valid Mitel One licence tier.")
    return action_done(
        request,
        message=gettext("Mitel One settings of %(name)s saved.") % {"name": person.display_name},
        error=error,
        redirect_to=reverse("accounts:user_detail", args=[request.account.account_number, person.user_id]),
    )
