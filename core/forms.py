"""Form helpers every console page shares."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: keyed errors on their fields (a form may rename
    them with ``service_fields``, e.g. ``role`` -> ``account_admin``), the rest on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    renames = getattr(form, "service_fields", {})
    for field, errors in error.message_dict.items():
        field = renames.get(field, field)
        form.add_error(field if field in form.fields else None, errors)
