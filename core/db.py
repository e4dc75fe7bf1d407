"""Database helpers that depend on the engine."""

from __future__ import annotations

from django.db import connection, models


def planner_statistics_refresh(*model_classes: type[models.Model]) -> None:
    """``ANALYZE`` the tables of ``model_classes`` after a bulk write (PostgreSQL; a no-op
    elsewhere). Until autovacuum gets to it, PostgreSQL plans with the row counts it saw before,
    e.g. believes a freshly imported account still has 4 users and sorts all 10,000 of them."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in model_classes:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def unique_row(queryset: models.QuerySet):
    """The row a lookup on a unique key finds, or None. Unlike ``first()`` it adds no ORDER BY:
    sorting one row by the model's ``ordering`` costs query compilation (and sometimes a join,
    e.g. an ordering through a relation) on the hottest paths, the token checks, for nothing."""
    rows = list(queryset.order_by()[:1])
    return rows[0] if rows else None
