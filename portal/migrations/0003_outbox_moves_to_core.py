"""The Outbox model now lives in the ``core`` app (same table): state only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_outboxmessage_recipient_user_id"),
        ("core", "0001_outbox_from_portal"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(
                    name="OutboxMessage",
                ),
            ],
        ),
    ]
