"""``EncryptedTextField``: a text column the database holds encrypted (``core.crypto``), and the
raw-column helpers its data migrations and ``manage.py reencrypt_secrets`` use."""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact

from core import crypto


class EncryptedTextField(models.TextField):
    """Text encrypted at rest with PORTAL_ENCRYPTION_KEYS; the model attribute is the plaintext.

    A blank value stays blank (so "no password set" is still visible). Each save encrypts afresh
    (random IV), so the column cannot be searched by value: only ``=""`` and ``__isnull`` lookups
    exist, any other raises FieldError instead of silently matching nothing."""

    description = "Text encrypted at rest (Fernet, PORTAL_ENCRYPTION_KEYS)"

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return crypto.decrypt(value, label=self.label_for_errors)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return crypto.encrypt(value)

    def get_lookup(self, lookup_name):
        return super().get_lookup(lookup_name) if lookup_name in {"exact", "isnull"} else None

    @property
    def label_for_errors(self) -> str:
        return f"{self.model._meta.label}.{self.name}"


@EncryptedTextField.register_lookup
class EncryptedExact(Exact):
    """``field=""`` (not set) only; an expression (``Value(token, output_field=TextField())``)
    compares the stored form, as the helpers below do."""

    def get_prep_lookup(self):
        if self.rhs not in ("", None) and not hasattr(self.rhs, "resolve_expression"):
            raise FieldError(
                f"{self.lhs.output_field.label_for_errors} is encrypted with a random IV: it cannot be "
                'filtered by value, only compared with "".'
            )
        return super().get_prep_lookup()


def encrypted_fields() -> list[tuple[type[models.Model], EncryptedTextField]]:
    """Every (model, field) of the project stored with EncryptedTextField."""
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]


# --- raw access to the column (no decryption in between) ---------------------------------------------


def raw_values(model: type[models.Model], field_name: str) -> list[tuple[object, str]]:
    """(pk, the value as stored) of every row whose value is not blank (a list: the caller writes
    to the table, which SQLite does not isolate from an open cursor)."""
    raw = models.ExpressionWrapper(models.F(field_name), output_field=models.TextField())
    rows = model._base_manager.exclude(**{field_name: ""}).exclude(**{f"{field_name}__isnull": True})
    return list(rows.annotate(_raw=raw).values_list("pk", "_raw").order_by("pk"))


def raw_replace(model: type[models.Model], field_name: str, pk, old: str, new: str) -> bool:
    """Store ``new`` as it is, if the row still holds ``old`` (a concurrent save wins); True if replaced."""
    as_stored = models.TextField()
    return bool(
        model._base_manager.filter(pk=pk, **{field_name: models.Value(old, output_field=as_stored)}).update(
            **{field_name: models.Value(new, output_field=as_stored)}
        )
    )


def encrypt_column(model: type[models.Model], field_name: str) -> int:
    """Encrypt the plain-text values of a column (a data migration's forward step); encrypted
    values are left alone, so it can run twice. The number of values encrypted."""
    return sum(
        raw_replace(model, field_name, pk, stored, crypto.encrypt(stored))
        for pk, stored in raw_values(model, field_name)
        if not crypto.is_encrypted(stored)
    )


def decrypt_column(model: type[models.Model], field_name: str) -> int:
    """Store the plaintext of every encrypted value of a column again (a data migration's backward step)."""
    label = f"{model._meta.label}.{field_name}"
    return sum(
        raw_replace(model, field_name, pk, stored, crypto.decrypt(stored, label=label))
        for pk, stored in raw_values(model, field_name)
        if crypto.is_encrypted(stored)
    )
