"""Database helpers that depend on the engine."""

from __future__ import annotations

import functools
import time
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


def rows_insert(objs: list[models.Model]) -> None:
    """``bulk_create`` for rows whose primary keys are not needed back (audit events, welcome
    links, outbox emails): on PostgreSQL one ``COPY`` of them all, elsewhere ``bulk_create``.

    ``bulk_create`` on PostgreSQL sends each column as an array that psycopg writes out in Python,
    escaping element by element, and the server parses back: for a bulk import's 2,500 audit
    events or welcome emails that is most of the time of the batch. ``COPY`` streams the rows
    (psycopg formats them in C) while the server stores them. The values are those the model's
    fields prepare for an insert (defaults, ``auto_now``); the primary keys stay unset; no
    signals (as with ``bulk_create``). The statement goes through the connection's execute
    wrappers and query log like any other, so query counters see it."""
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql" or len(objs) == 1:
        model.objects.bulk_create(objs)
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    plain = [(field, field.attname, _plain_type(field)) for field in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"

    def value(obj, field, attname, kind):
        if kind is not None:
            raw = getattr(obj, attname)
            if type(raw) is kind:
                return raw  # what the field's preparation would give back unchanged
        return field.get_db_prep_save(field.pre_save(obj, add=True), connection)

    with connection.cursor() as cursor:

        def copy(sql, params, many, context):
            with connection.wrap_database_errors, cursor.cursor.copy(sql) as stream:
                for obj in objs:
                    stream.write_row([value(obj, *field) for field in plain])

        executor = copy
        for wrapper in reversed(connection.execute_wrappers):
            executor = functools.partial(wrapper, executor)
        start = time.monotonic()
        executor(sql, None, False, {"connection": connection, "cursor": cursor})
        if connection.queries_logged:
            connection.queries_log.append(
                {"sql": f"{sql} -- {len(objs)} rows", "time": f"{time.monotonic() - start:.3f}"}
            )


# Fields whose stock preparation for an insert hands back a value of this exact type unchanged.
_PLAIN_TYPES = (
    (models.CharField, str),
    (models.TextField, str),
    (models.BooleanField, bool),
    (models.IntegerField, int),
)
_PREPARATION = ("pre_save", "get_db_prep_save", "get_db_prep_value", "get_prep_value", "to_python")


def _plain_type(field: models.Field) -> type | None:
    """The type of value ``field`` writes as it is (text in a text column...), or None when
    every value goes through the field's preparation (JSON, dates, UUIDs, foreign keys, and any
    field class that prepares values its own way)."""
    for base, kind in _PLAIN_TYPES:
        stock = all(getattr(type(field), name) is getattr(base, name) for name in _PREPARATION)
        if isinstance(field, base) and not field.is_relation and stock:
            return kind
    return None
