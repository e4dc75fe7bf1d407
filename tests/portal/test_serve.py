"""``make serve``: the production shape (gunicorn, a Celery worker and beat from the Procfile, run by
honcho) starts from environment variables on PostgreSQL + Redis, answers ``/healthz``, runs a task
through its own worker, and stops with its process group."""

import os
import secrets
import uuid

import pytest
from celery import Celery
from cryptography.fernet import Fernet

from core.models import OutboxMessage
from tests.portal.processes import (
    database_url_of_this_run,
    free_port,
    require_postgres_and_redis,
    start,
    stop,
    wait_for_health,
)
from tests.waiting import wait_until


@pytest.fixture
def served(transactional_db, tmp_path):
    """``make serve`` on a free port against this run's database; its own Celery queue, so only its
    worker (not one a CI run keeps on the same broker) takes the task."""
    require_postgres_and_redis()
    port, queue = free_port(), f"serve-test-{uuid.uuid4().hex[:8]}"
    broker = os.environ.get("CELERY_BROKER_URL") or os.environ["REDIS_URL"]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST", "CELERY_"))
    } | {
        "DATABASE_URL": database_url_of_this_run(),
        "CELERY_BROKER_URL": broker,
        "CELERY_QUEUE": queue,
        "CELERY_BEAT_SCHEDULE_FILE": str(tmp_path / "beat-schedule"),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PORTAL_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "EMAIL_URL": "outbox://",
        "WORKER_CONCURRENCY": "1",
        "WEB_CONCURRENCY": "2",
    }
    log = tmp_path / "serve.log"
    process = start(["make", "--no-print-directory", "serve", f"PORT={port}"], env, log)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(base_url, process, log, timeout=300)
        yield base_url, broker, queue, process, log
    finally:
        stop(process)


def test_make_serve_answers_healthz_and_runs_tasks_in_its_worker(served):
    base_url, broker, queue, process, log = served
    sender = Celery("serve-test", broker=broker)
    subject = f"through the worker {uuid.uuid4()}"
    sender.send_task(
        "portal.tasks.email_send_task",
        args=[{"subject": subject, "body": "hi", "from_email": "a@b.example", "to": ["c@d.example"]}],
        queue=queue,
    )
    assert wait_until(lambda: OutboxMessage.objects.filter(subject=subject).exists(), timeout=60), (
        log.read_text()[-3000:]
    )

    stop(process)
    assert process.returncode is not None
    output = log.read_text()
    for name in ("web.1", "worker.1", "beat.1", "listener.1"):
        assert f"{name} " in output, f"{name} did not start:\n{output[-3000:]}"


def test_make_serve_refuses_to_start_without_a_database_url(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    log = tmp_path / "serve.log"
    process = start(["make", "--no-print-directory", "serve", f"PORT={free_port()}"], env, log)
    assert process.wait(timeout=120) == 2
    assert "set DATABASE_URL" in log.read_text()
