"""Store the wizard's, the PBX's and the SIP trunk's passwords encrypted (PORTAL_ENCRYPTION_KEYS).

The columns become text (a Fernet token is longer than the 200 characters typed), then the values
stored before are encrypted. Backwards, they are decrypted before the columns shrink back."""

from django.db import migrations

import core.fields


SECRETS = {
    "GatewaySetup": ("pbx_password",),
    "Pbx": ("csta_password",),
    "SipTrunk": ("pbx_password", "gateway_password"),
}


def encrypt_secrets(apps, schema_editor):
    for model_name, field_names in SECRETS.items():
        for field_name in field_names:
            core.fields.encrypt_column(apps.get_model("gateways", model_name), field_name)


def decrypt_secrets(apps, schema_editor):
    for model_name, field_names in SECRETS.items():
        for field_name in field_names:
            core.fields.decrypt_column(apps.get_model("gateways", model_name), field_name)


class Migration(migrations.Migration):
    dependencies = [
        ("gateways", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="gatewaysetup",
            name="pbx_password",
            field=core.fields.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name="pbx",
            name="csta_password",
            field=core.fields.EncryptedTextField(blank=True, verbose_name="CSTA password"),
        ),
        migrations.AlterField(
            model_name="siptrunk",
            name="pbx_password",
            field=core.fields.EncryptedTextField(blank=True, verbose_name="PBX password"),
        ),
        migrations.AlterField(
            model_name="siptrunk",
            name="gateway_password",
            field=core.fields.EncryptedTextField(blank=True, verbose_name="Gateway password"),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets, elidable=False),
    ]
