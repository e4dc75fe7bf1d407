"""Token and application models, moved here from ``accounts`` and ``integrations`` with their
tables (``db_table``): state only, the tables exist."""

import core.fields
import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("accounts", "0007_sign_in_revocation_and_guest_principals"),
        ("integrations", "0004_application_mitel_app_unique_when_approved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="SigningKey",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("kid", models.CharField(max_length=64, unique=True)),
                        ("private_key_pem", core.fields.EncryptedTextField()),
                        ("public_jwk", models.JSONField()),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("retired_at", models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        "db_table": "accounts_signingkey",
                        "ordering": ["-created_at", "-pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Application",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=120)),
                        ("description", models.TextField(blank=True)),
                        ("redirect_uris", models.JSONField(blank=True, default=list)),
                        ("contact_email", models.EmailField(max_length=254)),
                        (
                            "mitel_app",
                            models.CharField(
                                help_text="The app name it sends in x-mitel-app, e.g. MyApp",
                                max_length=200,
                                verbose_name="x-mitel-app value",
                            ),
                        ),
                        (
                            "client_type",
                            models.CharField(
                                choices=[
                                    ("confidential", "Confidential (server, keeps a secret)"),
                                    ("public", "Public (browser or mobile app, no secret)"),
                                ],
                                default="confidential",
                                max_length=12,
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "Pending approval"),
                                    ("approved", "Approved"),
                                    ("rejected", "Rejected"),
                                    ("blocked", "Blocked"),
                                ],
                                default="pending",
                                max_length=10,
                            ),
                        ),
                        ("status_reason", models.TextField(blank=True)),
                        ("client_id", models.CharField(blank=True, max_length=64, null=True, unique=True)),
                        ("client_secret_hash", models.CharField(blank=True, max_length=128)),
                        ("secret_rotated_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("reviewed_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "owner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="applications",
                                to="accounts.account",
                            ),
                        ),
                        (
                            "reviewed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "integrations_application",
                        "ordering": ["name", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="ApplicationDeployment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(blank=True, max_length=120)),
                        ("description", models.TextField(blank=True)),
                        ("redirect_uris", models.JSONField(blank=True, default=list)),
                        ("active", models.BooleanField(default=True)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("modified_at", models.DateTimeField(auto_now=True)),
                        (
                            "account",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="app_deployments",
                                to="accounts.account",
                            ),
                        ),
                        (
                            "application",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="deployments",
                                to="oauth.application",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "integrations_applicationdeployment",
                        "ordering": ["application__name", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="ApplicationUsage",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("day", models.DateField()),
                        ("requests", models.PositiveIntegerField(default=0)),
                        (
                            "application",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="usage",
                                to="oauth.application",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "integrations_applicationusage",
                        "ordering": ["-day"],
                    },
                ),
                migrations.CreateModel(
                    name="AuthorizationCode",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("code_hash", models.CharField(max_length=64, unique=True)),
                        ("client_id", models.CharField(max_length=64)),
                        ("redirect_uri", models.CharField(blank=True, max_length=2000)),
                        ("scope", models.CharField(blank=True, max_length=500)),
                        ("code_challenge", models.CharField(blank=True, max_length=128)),
                        ("code_challenge_method", models.CharField(blank=True, max_length=10)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("expires_at", models.DateTimeField()),
                        ("used_at", models.DateTimeField(blank=True, null=True)),
                        ("family", models.UUIDField(blank=True, null=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "accounts_authorizationcode",
                        "ordering": ["-created_at", "-pk"],
                    },
                ),
                migrations.CreateModel(
                    name="GuestPrincipal",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("principal_id", models.CharField(max_length=128)),
                        ("name", models.CharField(max_length=100)),
                        ("email", models.CharField(blank=True, max_length=254)),
                        ("client_id", models.CharField(blank=True, max_length=200)),
                        ("refresh_jti", models.UUIDField(default=uuid.uuid4, unique=True)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("expires_at", models.DateTimeField()),
                        (
                            "account",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="guest_principals",
                                to="accounts.account",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "accounts_guestprincipal",
                        "ordering": ["-created_at", "-pk"],
                    },
                ),
                migrations.CreateModel(
                    name="RefreshToken",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("jti", models.UUIDField(default=uuid.uuid4, unique=True)),
                        ("family", models.UUIDField(db_index=True, default=uuid.uuid4)),
                        ("issued_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("expires_at", models.DateTimeField()),
                        ("used_at", models.DateTimeField(blank=True, null=True)),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        ("mitel_app", models.CharField(blank=True, max_length=500)),
                        ("client_id", models.CharField(blank=True, db_index=True, max_length=64)),
                        ("family_expires_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="refresh_tokens",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "accounts_refreshtoken",
                        "ordering": ["-issued_at", "-pk"],
                    },
                ),
                migrations.AddConstraint(
                    model_name="application",
                    constraint=models.UniqueConstraint(
                        django.db.models.functions.text.Lower("mitel_app"),
                        condition=models.Q(("status", "approved")),
                        name="application_mitel_app_unique_when_approved",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="applicationdeployment",
                    constraint=models.UniqueConstraint(
                        fields=("application", "account"), name="deployment_unique_per_account"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="applicationusage",
                    constraint=models.UniqueConstraint(
                        fields=("application", "day"), name="usage_unique_per_day"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="guestprincipal",
                    constraint=models.UniqueConstraint(
                        fields=("account", "principal_id"), name="guest_principal_unique_per_account"
                    ),
                ),
            ],
        ),
    ]
