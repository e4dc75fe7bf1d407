"""Case-insensitive equality that matches the ``LOWER(...)`` indexes.

Django compiles ``field__iexact`` to ``UPPER(col) = UPPER(%s)`` on PostgreSQL, while the unique
constraints (``user_email_unique_per_account``, ``support_contact_unique_per_account``) and the
account-name index are on ``LOWER(col)``: the planner cannot use them and scans every row of the
table. Registered on ``CharField`` (so ``EmailField`` too) by ``CoreConfig.ready``, ``iexact``
compiles to ``LOWER(col) = LOWER(%s)`` on every database, and the index matches its expression.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Lookup


class LowerExact(Lookup):
    lookup_name = "iexact"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"LOWER({lhs}) = LOWER({rhs})", (*lhs_params, *rhs_params)


def register() -> None:
    models.CharField.register_lookup(LowerExact)
