"""Database helpers that depend on the engine."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, models

Table = type[models.Model] | tuple[type[models.Model], Iterable[str]]


def planner_statistics_refresh(*tables: Table) -> None:
    """``ANALYZE`` the tables of the given models after a bulk write (PostgreSQL; a no-op
    elsewhere). Until autovacuum gets to it, PostgreSQL plans with the row counts it saw before,
    e.g. believes a freshly imported account still has 4 users and sorts all 10,000 of them.

    A model alone: every column and expression index (``ANALYZE users``: on 130,000 users about
    0.6 s, mostly the ``LOWER(email)`` index and the text columns). ``(model, field names)``: the
    row count and those columns only (``ANALYZE users (account_id)``: about 0.05 s), which is all
    the planner needs to know an account grew."""
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in tables:
            model, names = table if isinstance(table, tuple) else (table, ())
            columns = ", ".join(quote(model._meta.get_field(name).column) for name in names)
            cursor.execute(f"ANALYZE {quote(model._meta.db_table)}" + (f" ({columns})" if columns else ""))
