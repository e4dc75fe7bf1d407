"""Every subscription gets its own signing secret (existing ones too: their owners rotate to see it)."""

from django.db import migrations, models

import notifications.models


def give_each_subscription_a_secret(apps, schema_editor):
    Subscription = apps.get_model("notifications", "Subscription")
    for subscription in Subscription.objects.filter(secret="").only("pk").iterator():
        Subscription.objects.filter(pk=subscription.pk).update(
            secret=notifications.models.subscription_secret_new()
        )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="subscription",
            name="secret",
            field=models.CharField(default="", editable=False, max_length=100),
            preserve_default=False,
        ),
        migrations.RunPython(give_each_subscription_a_secret, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="subscription",
            name="secret",
            field=models.CharField(
                default=notifications.models.subscription_secret_new,
                editable=False,
                help_text="Signs every delivery (x-mitel-signature); in the create/rotate answer only.",
                max_length=100,
            ),
        ),
    ]
