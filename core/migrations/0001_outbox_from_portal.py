"""The Outbox model, moved here from ``portal`` with its table: state only, the table exists."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("portal", "0002_outboxmessage_recipient_user_id")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="OutboxMessage",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("to", models.JSONField(default=list)),
                        ("cc", models.JSONField(blank=True, default=list)),
                        ("subject", models.CharField(max_length=998)),
                        ("from_email", models.CharField(max_length=255)),
                        ("body_text", models.TextField(blank=True)),
                        ("body_html", models.TextField(blank=True)),
                        ("correlation_id", models.CharField(blank=True, max_length=128)),
                        ("recipient_user_id", models.UUIDField(blank=True, db_index=True, null=True)),
                        ("sent_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                    ],
                    options={
                        "db_table": "portal_outboxmessage",
                        "ordering": ["-sent_at", "-pk"],
                    },
                ),
            ],
        ),
    ]
