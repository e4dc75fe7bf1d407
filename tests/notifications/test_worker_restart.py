"""No delivery is lost when a worker dies mid-delivery (acks_late + reject_on_worker_lost, Redis).

Runs only with a real broker and a shared database (CI's second run, PostgreSQL + Redis): the test
starts its own `celery -A portal worker` on a private queue, stalls the webhook's first request,
kills the worker with SIGKILL, starts another one, and waits for the webhook to arrive.
"""

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from notifications import services
from notifications.models import DeliveryAttempt
from notifications.tasks import webhook_deliver_task
from tests.notifications.factories import PublicationFactory
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def broker(transactional_db, settings):
    from portal.celery import app

    if not settings.CELERY_BROKER_URL:
        pytest.skip("needs CELERY_BROKER_URL (Redis) to kill a real worker (the second run of .ci/run)")
    if connection.vendor == "sqlite":
        pytest.skip("needs a database shared with the worker process (DATABASE_URL=postgres://...)")
    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = True


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """A dedicated Celery worker process (its own session, so SIGKILL takes all of it)."""

    def __init__(self, queue: str, name: str, log: Path, **env):
        self.log = log
        environment = os.environ | {
            "DATABASE_URL": _database_url(),
            "DB_CONN_MAX_AGE": "0",
            "DJANGO_SETTINGS_MODULE": "portal.settings.test",
            "PORTAL_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
            **env,
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "-Q",
                queue,
                "--pool=solo",
                "-n",
                f"{name}@%h",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=environment,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, sig=signal.SIGKILL):
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
        self.process.wait(timeout=30)


def test_a_delivery_survives_a_killed_worker(broker, webhook_server, tmp_path):
    from tests.accounts.factories import CustomerAccountFactory, PartnerAccountFactory, UserFactory

    customer = CustomerAccountFactory(parent=PartnerAccountFactory())
    member = UserFactory(account=customer, role="USER")
    subscription = services.subscription_create(
        account=customer,
        principal_id=str(member.user_id),
        user=member,
        device_id=webhook_server.url,
        topic="platform-api-media",
        subject_filter="/2017-09-01/endpoints/",
    )
    # Recorded without publication_publish: its on-commit dispatch would go to CI's own worker.
    publication = PublicationFactory(
        account=customer,
        topic="platform-api-media",
        subject="/2017-09-01/endpoints/2001/calls/1",
        method="PUT",
        content={"state": "ringing"},
        publisher={"accountId": str(customer.account_id)},
    )
    webhook_server.stall_first = True
    queue = f"notifications-kill-test-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "workers.log"
    first = Worker(queue, "kill-test-a", log)
    second = None
    try:
        webhook_deliver_task.apply_async((publication.pk, subscription.pk), queue=queue)
        assert wait_until(lambda: webhook_server.received, timeout=90), log.read_text()
        assert wait_until(lambda: DeliveryAttempt.objects.filter(status="pending").exists(), timeout=10)

        first.kill()  # mid-request: the webhook is still waiting for the response
        webhook_server.release.set()
        # A fresh worker that hands back unacknowledged messages quickly (seconds, not an hour).
        second = Worker(
            queue,
            "kill-test-b",
            log,
            CELERY_VISIBILITY_TIMEOUT="2",
            CELERY_UNACKED_RESTORE_INTERVAL="1",
            CELERY_UNACKED_RESTORE_THROTTLE="1",
        )

        assert wait_until(lambda: webhook_server.answered, timeout=120), log.read_text()
        assert wait_until(lambda: DeliveryAttempt.objects.filter(status="succeeded").exists(), timeout=20), (
            log.read_text()
        )
    finally:
        first.kill()
        if second:
            second.kill(signal.SIGTERM)

    attempts = list(DeliveryAttempt.objects.order_by("attempt").values_list("attempt", "status"))
    assert attempts == [(1, "interrupted"), (2, "succeeded")]
    assert len(webhook_server.received) == 2
    assert [item.body["publicationId"] for item in webhook_server.answered] == [
        str(publication.publication_id)
    ]
