"""Database helpers that depend on the engine."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

from django.db import connection, connections, models
from django.db.models.query import get_related_populators


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
