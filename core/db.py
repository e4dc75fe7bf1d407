"""Database helpers that depend on the engine."""

from __future__ import annotations

import functools
import threading
import time
import uuid
from collections.abc import Callable, Iterable

from django.db import connection, connections, models
from django.db.models.query import get_related_populators

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


def unique_row(queryset: models.QuerySet):
    """The row a lookup on a unique key finds, or None. Unlike ``first()`` it adds no ORDER BY:
    sorting one row by the model's ``ordering`` costs query compilation (and sometimes a join,
    e.g. an ordering through a relation) on the hottest paths, the token checks, for nothing."""
    rows = list(queryset.order_by()[:1])
    return rows[0] if rows else None


class PreparedLookup:
    """A lookup of model rows by UUID keys, compiled to SQL once per thread and database, then
    run with each call's keys. For the hottest query, the user behind every API request's token:
    Django compiles a three-table ``select_related`` with its annotation on every call, which
    took longer than PostgreSQL took to run it.

    ``build(*keys)`` returns the queryset for the keys; it is compiled once with stand-in UUIDs,
    whose places in the parameters are then filled with each call's keys. Rows are made into
    model instances (with their ``select_related`` objects and annotations) the way Django's own
    iterable makes them. Each thread keeps its compilation with that thread's connection."""

    def __init__(self, build: Callable[..., models.QuerySet]) -> None:
        self._build = build
        self._local = threading.local()

    def rows(self, *keys: uuid.UUID) -> list[models.Model]:
        compiled = self._compiled(len(keys))
        params = list(compiled.params)
        for position, form in compiled.slots:
            params[position] = form(keys[compiled.key_of[position]])
        with connections[compiled.alias].cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        return [compiled.instance(row) for row in compiled.compiler.results_iter([fetched])]

    def _compiled(self, arity: int) -> _Compiled:
        compiled = getattr(self._local, "compiled", None)
        if compiled is None:
            compiled = self._local.compiled = _Compiled(self._build, arity)
        return compiled


class _Compiled:
    # How a stand-in UUID appears among the compiled parameters (native, SQLite's hex, text).
    FORMS = ((lambda key: key), (lambda key: key.hex), str)

    def __init__(self, build: Callable[..., models.QuerySet], arity: int) -> None:
        stand_ins = [uuid.uuid4() for _ in range(arity)]
        queryset = build(*stand_ins)
        self.alias = queryset.db
        self.compiler = queryset.query.get_compiler(using=self.alias)
        self.sql, params = self.compiler.as_sql()
        self.params = tuple(params)
        self.slots, self.key_of = [], {}
        for position, value in enumerate(self.params):
            for index, stand_in in enumerate(stand_ins):
                form = next((form for form in self.FORMS if form(stand_in) == value), None)
                if form is not None:
                    self.slots.append((position, form))
                    self.key_of[position] = index
        if sorted(self.key_of.values()) != list(range(arity)):
            raise ValueError("Every key must appear in the compiled query's parameters.")
        select, klass_info = self.compiler.select, self.compiler.klass_info
        self.model = klass_info["model"]
        first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.span = slice(first, last)
        self.init_list = [column[0].target.attname for column in select[first:last]]
        self.populators = get_related_populators(klass_info, select, self.alias)
        self.annotations = dict(self.compiler.annotation_col_map or {})

    def instance(self, row) -> models.Model:
        obj = self.model.from_db(self.alias, self.init_list, row[self.span])
        for populator in self.populators:
            populator.populate(row, obj)
        for name, position in self.annotations.items():
            setattr(obj, name, row[position])
        return obj
