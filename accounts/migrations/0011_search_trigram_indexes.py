"""Trigram indexes for the contains-searches of the Users and Accounts pages and collections
(PostgreSQL only: ``pg_trgm``; other databases keep scanning, as SQLite always does).

``icontains`` compiles to ``UPPER(col::text) LIKE UPPER('%x%')``, so each index is on that
expression; ``extension__startswith`` is ``extension::text LIKE 'x%'``, served by the plain column.
Creating the extension needs a role allowed to (the database owner on PostgreSQL 13+).
"""

from django.db import migrations

INDEXES = {
    "user_name_trgm_idx": ("accounts_user", "UPPER(name::text)"),
    "user_first_name_trgm_idx": ("accounts_user", "UPPER(first_name::text)"),
    "user_last_name_trgm_idx": ("accounts_user", "UPPER(last_name::text)"),
    "user_email_trgm_idx": ("accounts_user", "UPPER(email::text)"),
    "user_extension_trgm_idx": ("accounts_user", "extension"),
    "account_name_trgm_idx": ("accounts_account", "UPPER(name::text)"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, expression) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0010_user_and_account_order_indexes")]

    operations = [migrations.RunPython(create, drop)]
