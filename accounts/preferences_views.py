"""The signed-in user's preferences (their console language) and the footer's language picker."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from accounts import services
from core.forms import add_service_errors
from core.i18n import supported_language, user_language


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Console language"),
        required=False,
        help_text=_("The language of the console and of the emails it sends you."),
    )

    def __init__(self, *args, account_language: str, **kwargs):
        super().__init__(*args, **kwargs)
        default = dict(settings.LANGUAGES).get(account_language or "", "English")
        self.fields["language"].choices = [
            ("", gettext("Account default (%(language)s)") % {"language": default}),
            *settings.LANGUAGES,
        ]


def preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    account_language = supported_language(user.account.default_language) or settings.LANGUAGE_CODE
    form = PreferencesForm(
        request.POST or None, initial={"language": user.language}, account_language=account_language
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.user_language_set(
                actor=user, user=user, language=form.cleaned_data["language"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            translation.activate(user_language(changed) or settings.LANGUAGE_CODE)
            messages.success(request, gettext("Your preferences were saved."))
            return redirect("preferences")
    return render(request, "accounts/preferences.html", {"form": form})


@login_not_required
@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """The footer's picker: Django's ``set_language`` (the language cookie, back to ``next``);
    a signed-in user's choice is also kept as their preference, for pages and emails."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.user_language_set(actor=request.user, user=request.user, language=language)
    return set_language(request)
