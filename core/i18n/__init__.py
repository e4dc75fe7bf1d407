"""The console's languages: which one a user reads (their own choice, else their account's default
language) and rendering in it (docs/languages.md)."""

from __future__ import annotations

from contextlib import contextmanager

from django.conf import settings
from django.utils import translation


def supported_language(code: str | None) -> str | None:
    """The console language for a code such as ``fr-CA``, ``pt-BR`` or ``de``: ``fr``, ``pt-br``,
    ``de``; None when the console is not translated into it (Japanese, Polish...)."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code.lower())
    except LookupError:
        return None


def user_language(user) -> str | None:
    """The user's own language, else their account's default language, when the console has it."""
    own = supported_language(getattr(user, "language", ""))
    if own:
        return own
    account = getattr(user, "account", None)
    return supported_language(getattr(account, "default_language", ""))


@contextmanager
def language_of(user):
    """Render (an email, a message) in ``user``'s language; the site's default when they have none."""
    with translation.override(user_language(user) or settings.LANGUAGE_CODE):
        yield
