"""Store each subscription's signing secret encrypted (PORTAL_ENCRYPTION_KEYS); backwards, in plain
text again. Signing needs the secret back, so it is encrypted rather than hashed."""

from django.db import migrations

import core.fields
import notifications.models


def encrypt_secrets(apps, schema_editor):
    core.fields.encrypt_column(apps.get_model("notifications", "Subscription"), "secret")


def decrypt_secrets(apps, schema_editor):
    core.fields.decrypt_column(apps.get_model("notifications", "Subscription"), "secret")


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_subscription_secret"),
    ]

    operations = [
        migrations.AlterField(
            model_name="subscription",
            name="secret",
            field=core.fields.EncryptedTextField(
                default=notifications.models.subscription_secret_new,
                editable=False,
                help_text="Signs every delivery (x-mitel-signature); in the create/rotate answer only.",
            ),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets, elidable=False),
    ]
