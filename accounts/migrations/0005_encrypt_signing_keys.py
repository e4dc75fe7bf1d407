"""Store the token-signing keys' private halves encrypted (PORTAL_ENCRYPTION_KEYS); backwards,
store them in plain text again."""

from django.db import migrations

import core.fields


def encrypt_secrets(apps, schema_editor):
    core.fields.encrypt_column(apps.get_model("accounts", "SigningKey"), "private_key_pem")


def decrypt_secrets(apps, schema_editor):
    core.fields.decrypt_column(apps.get_model("accounts", "SigningKey"), "private_key_pem")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_authorization_code"),
    ]

    operations = [
        migrations.AlterField(
            model_name="signingkey",
            name="private_key_pem",
            field=core.fields.EncryptedTextField(),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets, elidable=False),
    ]
