"""What every benchmark script shares: Django on the test settings (importing this module sets it
up), a throw-away database, and a query counter that keeps no SQL (so it does not skew memory)."""

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

# How the outbox stores a batch of emails: an INSERT, or on PostgreSQL a COPY (core.db.rows_insert).
OUTBOX_INSERT = ('INSERT INTO "portal_outboxmessage"', 'COPY "portal_outboxmessage"')


@contextmanager
def throwaway_database(*, outbox_email: bool = False) -> Iterator[None]:
    """A fresh test database (SQLite in memory unless DATABASE_URL is set), dropped afterwards.
    ``outbox_email``: emails land in the portal's outbox as in the embedded default (Django's test
    set-up would otherwise swap in its in-memory backend)."""
    setup_test_environment()
    if outbox_email:
        settings.EMAIL_BACKEND = "core.mail.OutboxBackend"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


class QueryCounter:
    """Counts queries, and apart from them the outbox inserts of sent emails."""

    def __init__(self) -> None:
        self.total = 0
        self.email = 0

    def __call__(self, execute, sql, params, many, context):
        self.total += 1
        if sql.startswith(OUTBOX_INSERT):
            self.email += 1
        return execute(sql, params, many, context)


@contextmanager
def counting() -> Iterator[QueryCounter]:
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        yield counter
