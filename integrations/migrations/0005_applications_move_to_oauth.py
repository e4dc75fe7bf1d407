"""The third-party application models now live in the ``oauth`` app (same tables): state only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0004_application_mitel_app_unique_when_approved"),
        ("oauth", "0001_models_from_accounts_and_integrations"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name="applicationdeployment",
                    name="application",
                ),
                migrations.RemoveField(
                    model_name="applicationusage",
                    name="application",
                ),
                migrations.RemoveField(
                    model_name="applicationdeployment",
                    name="account",
                ),
                migrations.RemoveField(
                    model_name="applicationdeployment",
                    name="created_by",
                ),
                migrations.DeleteModel(
                    name="Application",
                ),
                migrations.DeleteModel(
                    name="ApplicationUsage",
                ),
                migrations.DeleteModel(
                    name="ApplicationDeployment",
                ),
            ],
        ),
    ]
