"""x-mitel-app names are unique among approved applications only: a pending, rejected or blocked
registration holds no name (issue 9, x-mitel-app squatting)."""

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0003_mitel_one_user_settings"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="application",
            name="application_mitel_app_unique",
        ),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("mitel_app"),
                condition=models.Q(("status", "approved")),
                name="application_mitel_app_unique_when_approved",
            ),
        ),
    ]
