"""Shape-only forms of the integrations pages (the rules live in ``integrations.services``).
Each integration's own configuration Form lives with its provider (``integrations/providers``)."""

from __future__ import annotations

from django import forms
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from integrations.models import hex_colour


class ReturnToForm(forms.Form):
    """Every panel action carries the page it was used on, to return there without JavaScript."""

    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=500)

    def return_url(self, request, default: str) -> str:
        url = self.data.get("next") or ""
        if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
            return url
        return default


class SwitchForm(ReturnToForm):
    """An on/off switch: a submit button that posts the state it switches to."""

    state = forms.ChoiceField(choices=[("on", "On"), ("off", "Off")])

    @property
    def on(self) -> bool:
        return self.cleaned_data["state"] == "on"


class ColourInput(forms.TextInput):
    input_type = "color"


class ChatOverlayForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    greeting = forms.CharField(
        label=_("Greeting"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The first message visitors see when the chat opens."),
    )
    background_colour = forms.CharField(
        label=_("Header colour"), initial="#0b5cad", validators=[hex_colour], widget=ColourInput
    )
    text_colour = forms.CharField(
        label=_("Text colour"), initial="#ffffff", validators=[hex_colour], widget=ColourInput
    )
    target_queue = forms.CharField(
        label=_("Target queue"),
        max_length=100,
        help_text=_("The MiCC queue (ACD path) that receives the chats started from this overlay."),
    )
