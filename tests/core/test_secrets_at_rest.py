"""Secrets at rest (issue 9): the gateway wizard's, the PBX's and the SIP trunk's passwords and the
token-signing keys are stored encrypted with PORTAL_ENCRYPTION_KEYS (Fernet); third-party client
secrets only as a hash. Each test reads the raw column, as someone holding a database dump would."""

from __future__ import annotations

import importlib
import io
import logging

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from django.apps import apps as global_apps
from django.core.exceptions import FieldError
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.crypto import DecryptionError
from gateways import services
from gateways.models import GatewaySetup, Pbx, SipTrunk
from notifications import services as notification_services
from notifications.models import Subscription
from oauth.models import SigningKey
from oauth.tokens import signing_key_rotate
from tests.gateways.helpers import CUSTOMER, GATEWAY, pbx_values
from tests.oauth.applications.helpers import approved

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()

TRUNK_VALUES = {
    "address": "",
    "port": 5060,
    "transport": "tcp",
    "description": "",
    "pbx_username": "mxone",
    "gateway_username": "officelinkmxone",
    "gsm_deploy_number": "",
}
# (model, field, the plaintext stored_secrets() puts there)
SECRET_FIELDS = [
    (GatewaySetup, "pbx_password", "wizard-csta-pw"),
    (Pbx, "csta_password", "pbx-csta-pw"),
    (SipTrunk, "pbx_password", "trunk-pbx-pw"),
    (SipTrunk, "gateway_password", "trunk-gw-pw"),
    (SigningKey, "private_key_pem", None),  # the PEM the key was created with
    (Subscription, "secret", None),  # the webhook signing secret the subscription was given
]
IDS = [f"{model.__name__}.{name}" for model, name, _ in SECRET_FIELDS]


def quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def raw_column(model, field_name: str, pk) -> str:
    """The value as the database holds it (no model field in between)."""
    column = model._meta.get_field(field_name).column
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quoted(column)} FROM {quoted(model._meta.db_table)} WHERE {quoted(model._meta.pk.column)} = %s",
            [pk],
        )
        return cursor.fetchone()[0]


def write_raw_column(model, field_name: str, pk, value: str) -> None:
    """Put ``value`` in the column as it is, as the code before encryption stored it."""
    column = model._meta.get_field(field_name).column
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quoted(model._meta.db_table)} SET {quoted(column)} = %s WHERE {quoted(model._meta.pk.column)} = %s",
            [value, pk],
        )


def stored_secrets(actor, account) -> dict[tuple[type, str], tuple[object, str]]:
    """Every kind of encrypted secret, written through the services: {(model, field): (pk, plaintext)}."""
    submit = services.gateway_setup_step_submit
    submit(actor=actor, account=account, step="customer", values=CUSTOMER)
    submit(actor=actor, account=account, step="gateway", values=GATEWAY)
    setup = submit(
        actor=actor, account=account, step="pbx", values=pbx_values(8882), pbx_password="wizard-csta-pw"
    )
    services.gateway_create(actor=actor, account=account, customer=CUSTOMER, values=GATEWAY)
    pbx = services.pbx_set(actor=actor, account=account, values=pbx_values(8882), password="pbx-csta-pw")
    trunk = services.trunk_update(
        actor=actor,
        account=account,
        values=TRUNK_VALUES,
        secrets={"pbx_password": "trunk-pbx-pw", "gateway_password": "trunk-gw-pw"},
    )
    key = signing_key_rotate()
    subscription = notification_services.subscription_create(
        account=account,
        principal_id=str(actor.user_id),
        user=actor,
        device_id="http://127.0.0.1:9/hook",
        topic="platform-api-media",
    )
    return {
        (GatewaySetup, "pbx_password"): (setup.pk, "wizard-csta-pw"),
        (Pbx, "csta_password"): (pbx.pk, "pbx-csta-pw"),
        (SipTrunk, "pbx_password"): (trunk.pk, "trunk-pbx-pw"),
        (SipTrunk, "gateway_password"): (trunk.pk, "trunk-gw-pw"),
        (SigningKey, "private_key_pem"): (key.pk, key.private_key_pem),
        (Subscription, "secret"): (subscription.pk, subscription.secret),
    }


def reencrypt() -> str:
    out = io.StringIO()
    call_command("reencrypt_secrets", stdout=out)
    return out.getvalue()


@pytest.fixture
def secrets_stored(account_admin, customer, settings):
    settings.PORTAL_ENCRYPTION_KEYS = [KEY_A]
    settings.PORTAL_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    return stored_secrets(account_admin, customer)


# --- stored encrypted, read back in plain text -------------------------------------------------------


@pytest.mark.parametrize(("model", "field_name", "_"), SECRET_FIELDS, ids=IDS)
def test_the_column_holds_no_plaintext_and_the_model_reads_it_back(secrets_stored, model, field_name, _):
    pk, plaintext = secrets_stored[(model, field_name)]
    raw = raw_column(model, field_name, pk)

    assert plaintext not in raw
    assert Fernet(KEY_A.encode()).decrypt(raw.removeprefix("fernet:").encode()).decode() == plaintext
    assert getattr(model.objects.get(pk=pk), field_name) == plaintext


def test_the_private_key_in_the_column_is_no_pem(secrets_stored):
    pk, pem = secrets_stored[(SigningKey, "private_key_pem")]

    assert "PRIVATE KEY" not in raw_column(SigningKey, "private_key_pem", pk)
    loaded = serialization.load_pem_private_key(SigningKey.objects.get(pk=pk).private_key_pem.encode(), None)
    assert loaded.key_size == 2048 and pem.startswith("-----BEGIN PRIVATE KEY-----")


def test_the_sql_logged_in_debug_carries_no_plaintext(account_admin, customer, caplog, settings):
    settings.PORTAL_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    connection.force_debug_cursor = True  # what DEBUG=True does: every query and its parameters logged
    try:
        stored = stored_secrets(account_admin, customer)
    finally:
        connection.force_debug_cursor = False

    assert 'INSERT INTO "gateways_pbx"' in caplog.text
    assert not [plaintext for _, plaintext in stored.values() if plaintext in caplog.text]


def test_a_blank_secret_stays_blank_so_not_set_is_still_visible(account_admin, customer):
    services.gateway_create(actor=account_admin, account=customer, customer=CUSTOMER, values=GATEWAY)
    trunk = services.trunk_update(actor=account_admin, account=customer, values=TRUNK_VALUES, secrets={})

    assert raw_column(SipTrunk, "pbx_password", trunk.pk) == ""
    assert SipTrunk.objects.get(pk=trunk.pk).pbx_password == ""


def test_filtering_by_a_secret_fails_loudly_instead_of_matching_nothing(secrets_stored):
    with pytest.raises(FieldError, match="gateways.Pbx.csta_password is encrypted"):
        Pbx.objects.filter(csta_password="pbx-csta-pw").exists()
    with pytest.raises(FieldError, match="Unsupported lookup 'startswith'"):
        Pbx.objects.filter(csta_password__startswith="pbx").exists()
    assert Pbx.objects.exclude(csta_password="").count() == 1


def test_client_secrets_are_kept_only_as_a_hash(partner_admin):
    """Already so before issue 9 (a one-way hash beats encryption: the portal never shows a secret
    again); this keeps it so. No column of the row holds the secret."""
    app, secret = approved(partner_admin)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {quoted(app._meta.db_table)} WHERE id = %s", [app.pk])
        row = cursor.fetchone()

    assert secret and len(secret) >= 40
    assert not any(secret in str(value) for value in row)


# --- keys: a wrong one fails loudly, rotation --------------------------------------------------------


def test_a_wrong_key_is_a_clear_error_not_garbage(secrets_stored, settings):
    pk, _ = secrets_stored[(Pbx, "csta_password")]
    settings.PORTAL_ENCRYPTION_KEYS = [KEY_B]

    with pytest.raises(DecryptionError) as caught:
        Pbx.objects.get(pk=pk)
    message = str(caught.value)
    assert "gateways.Pbx.csta_password" in message and "PORTAL_ENCRYPTION_KEYS" in message
    assert "pbx-csta-pw" not in message


def test_a_plaintext_value_left_in_an_encrypted_column_is_an_error_not_served(secrets_stored):
    pk, _ = secrets_stored[(Pbx, "csta_password")]
    write_raw_column(Pbx, "csta_password", pk, "left-in-plain-text")

    with pytest.raises(DecryptionError, match="not encrypted"):
        Pbx.objects.get(pk=pk)


def test_rotation_re_encrypts_with_the_first_key_so_the_old_one_can_go(secrets_stored, settings):
    settings.PORTAL_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    output = reencrypt()

    assert "gateways.Pbx.csta_password: 1 re-encrypted, 0 already current" in output
    assert "oauth.SigningKey.private_key_pem: 1 re-encrypted, 0 already current" in output
    assert "Done: 6 re-encrypted, 0 already current." in output
    assert not any(plaintext in output for _, plaintext in secrets_stored.values())

    settings.PORTAL_ENCRYPTION_KEYS = [KEY_B]
    for (model, field_name), (pk, plaintext) in secrets_stored.items():
        assert getattr(model.objects.get(pk=pk), field_name) == plaintext
        Fernet(KEY_B.encode()).decrypt(raw_column(model, field_name, pk).removeprefix("fernet:").encode())
    assert "Done: 0 re-encrypted, 6 already current." in reencrypt()


def test_rotation_reports_what_no_key_opens_and_changes_nothing_of_it(secrets_stored, settings):
    pk, _ = secrets_stored[(Pbx, "csta_password")]
    before = raw_column(Pbx, "csta_password", pk)
    settings.PORTAL_ENCRYPTION_KEYS = [KEY_B]  # KEY_A was dropped before running the command

    with pytest.raises(CommandError, match=r"6 values could not be decrypted"):
        reencrypt()
    assert raw_column(Pbx, "csta_password", pk) == before


# --- the data migrations -----------------------------------------------------------------------------

MIGRATIONS = {
    "gateways": "gateways.migrations.0002_encrypt_secrets",
    "accounts": "accounts.migrations.0005_encrypt_signing_keys",
    "notifications": "notifications.migrations.0003_subscription_secret_encrypted",
}


class _AppsNow:
    """Today's models for the migration functions: the signing key has moved to ``oauth`` since."""

    def get_model(self, app_label: str, model_name: str):
        if (app_label, model_name) == ("accounts", "SigningKey"):
            return global_apps.get_model("oauth", "SigningKey")
        return global_apps.get_model(app_label, model_name)


APPS_NOW = _AppsNow()


def test_the_migration_functions_encrypt_existing_plaintext_and_decrypt_it_backwards(secrets_stored):
    for (model, field_name), (pk, plaintext) in secrets_stored.items():
        write_raw_column(model, field_name, pk, plaintext)  # as stored before the migration
    forwards = [importlib.import_module(m) for m in MIGRATIONS.values()]

    for migration in forwards:
        migration.encrypt_secrets(APPS_NOW, None)
        migration.encrypt_secrets(APPS_NOW, None)  # a second run leaves encrypted values alone
    for (model, field_name), (pk, plaintext) in secrets_stored.items():
        assert plaintext not in raw_column(model, field_name, pk)
        assert getattr(model.objects.get(pk=pk), field_name) == plaintext

    for migration in forwards:
        migration.decrypt_secrets(APPS_NOW, None)
    for (model, field_name), (pk, plaintext) in secrets_stored.items():
        assert raw_column(model, field_name, pk) == plaintext


@pytest.mark.django_db(transaction=True)
def test_migrating_forward_encrypts_rows_written_by_the_previous_schema(customer, settings):
    settings.PORTAL_ENCRYPTION_KEYS = [KEY_A]
    before = [("gateways", "0001_initial"), ("accounts", "0004_authorization_code")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        gateway = old.get_model("gateways", "Gateway").objects.create(
            account_id=customer.pk, name="gw", serial_number="CLGW-1"
        )
        pbx = old.get_model("gateways", "Pbx").objects.create(
            gateway=gateway,
            type="mx-one",
            name="mx1",
            host="10.0.0.5",
            csta_port=8882,
            csta_password="old-pw",
        )
        key = old.get_model("accounts", "SigningKey").objects.create(
            kid="old-key", private_key_pem="-----BEGIN PRIVATE KEY-----\nold\n", public_jwk={}
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert "old-pw" not in raw_column(Pbx, "csta_password", pbx.pk)
    assert Pbx.objects.get(pk=pbx.pk).csta_password == "old-pw"
    assert "PRIVATE KEY" not in raw_column(SigningKey, "private_key_pem", key.pk)
    assert SigningKey.objects.get(pk=key.pk).private_key_pem.startswith("-----BEGIN PRIVATE KEY-----")
