"""Production settings come from the environment and pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.base",
    "SECRET_KEY": "kq3v!8w$-production-like-secret-key-that-is-long-and-random-2f9x0z",
    "PORTAL_ENCRYPTION_KEYS": "KyAxYChN4b1-RL4Fuq44NRzxCZqvd7Qrtxfcqtp-Hts=",
    "ALLOWED_HOSTS": "console.example.com",
    "DEBUG": "false",
    "DATABASE_URL": "postgres://portal:pw@db.example:5432/portal",
    "REDIS_URL": "redis://cache.example:6379/0",
    "CELERY_BROKER_URL": "redis://cache.example:6379/1",
    "EMAIL_URL": "smtp://mailer:pw@smtp.example:587?tls=true",
}


def _manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_with_production_variables():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_refuse_to_start_without_encryption_keys():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "PORTAL_ENCRYPTION_KEYS"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "PORTAL_ENCRYPTION_KEYS must be set" in result.stderr


def test_a_malformed_encryption_key_is_refused_at_start_without_echoing_it():
    good = PRODUCTION_ENV["PORTAL_ENCRYPTION_KEYS"]
    result = _manage("check", env=PRODUCTION_ENV | {"PORTAL_ENCRYPTION_KEYS": f"{good}, not-a-fernet-key"})
    assert result.returncode != 0
    assert "Key 2 of PORTAL_ENCRYPTION_KEYS is not a Fernet key" in result.stderr
    assert "not-a-fernet-key" not in result.stderr


def test_a_mistyped_throttle_setting_stops_the_start():
    env = PRODUCTION_ENV | {"PORTAL_SIGN_IN_FAILURES": "5 per fortnight", "PORTAL_TRUSTED_PROXY_COUNT": "-1"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "PORTAL_SIGN_IN_FAILURES: A rate must look like" in result.stderr
    assert "PORTAL_TRUSTED_PROXY_COUNT must be 0 or more" in result.stderr
