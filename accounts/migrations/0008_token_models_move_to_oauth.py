"""The token models now live in the ``oauth`` app (same tables): state only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_sign_in_revocation_and_guest_principals"),
        ("oauth", "0001_models_from_accounts_and_integrations"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name="authorizationcode",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="guestprincipal",
                    name="account",
                ),
                migrations.RemoveField(
                    model_name="refreshtoken",
                    name="user",
                ),
                migrations.DeleteModel(
                    name="SigningKey",
                ),
                migrations.DeleteModel(
                    name="AuthorizationCode",
                ),
                migrations.DeleteModel(
                    name="GuestPrincipal",
                ),
                migrations.DeleteModel(
                    name="RefreshToken",
                ),
            ],
        ),
    ]
