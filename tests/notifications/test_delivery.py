"""Publications reach matching webhooks (real local HTTP server, tasks in-process): payload shape,
filters, retries with backoff, attempt records, idempotence."""

import uuid

import pytest

from notifications import services
from notifications.models import DeliveryAttempt, Publication
from notifications.publish import publication_publish
from notifications.tasks import webhook_deliver_task
from tests.notifications.factories import DeliveryAttemptFactory

pytestmark = pytest.mark.django_db

CALL = "/2017-09-01/endpoints/2001/calls/33656066"
RINGING = "$.publications[?(@.content.state == 'ringing')]"


def subscribe(
    user, url, topic="platform-api-media", subject_filter="/2017-09-01/endpoints/", publication_filter=""
):
    return services.subscription_create(
        account=user.account,
        principal_id=str(user.user_id),
        user=user,
        application_id="app-1",
        device_id=url,
        topic=topic,
        subject_filter=subject_filter,
        publication_filter=publication_filter,
    )


def call_event(account, state="ringing", subject=CALL, **extra):
    return publication_publish(
        account=account,
        topic="platform-api-media",
        subject=subject,
        method="PUT",
        content={
            "state": state,
            "to": "2001",
            "from": "2002",
            "callId": "endpoints/2001/calls/33656066",
            **extra,
        },
        publisher={"accountId": str(account.account_id), "principalId": "pbx"},
    )


def test_a_matching_publication_is_posted_with_cloudlink_s_payload(member, webhook_server, publish_now):
    subscription = subscribe(member, webhook_server.url, publication_filter=RINGING)

    publication = publish_now(call_event, member.account)

    [body] = webhook_server.bodies()
    assert set(body) == {
        "publicationId",
        "topic",
        "method",
        "subject",
        "content",
        "publisher",
        "subscription",
        "notification",
    }
    assert body["publicationId"] == str(publication.publication_id)
    assert uuid.UUID(body["publicationId"])
    assert body["topic"] == "platform-api-media" and body["method"] == "PUT" and body["subject"] == CALL
    assert body["content"]["state"] == "ringing" and body["content"]["to"] == "2001"
    assert body["publisher"] == {"accountId": str(member.account.account_id), "principalId": "pbx"}
    assert body["subscription"] == {"subscriptionId": subscription.subscription_id}
    assert set(body["notification"]) == {"createdOn", "correlationId"} and body["notification"]["createdOn"]
    [attempt] = DeliveryAttempt.objects.all()
    assert (attempt.attempt, attempt.status, attempt.status_code) == (1, "succeeded", 200)
    assert attempt.duration_ms is not None and attempt.subscription_ref == subscription.subscription_id


def test_filters_decide_who_receives_what(member, customer, outsider, webhook_server, publish_now):
    ringing = subscribe(member, webhook_server.url + "/ringing", publication_filter=RINGING)
    ext_2002 = subscribe(member, webhook_server.url + "/2002", subject_filter="/2017-09-01/endpoints/2002/")
    regex = subscribe(
        member, webhook_server.url + "/regex", subject_filter=r"^/2017-09-01/endpoints/\d+/calls/\d+$"
    )
    chat = subscribe(
        member, webhook_server.url + "/chat", topic="platform-api-conversations", subject_filter=""
    )
    other_account = subscribe(outsider, webhook_server.url + "/outsider", subject_filter="")

    publish_now(call_event, customer, state="ringing")
    publish_now(call_event, customer, state="connected")
    publish_now(call_event, customer, state="ringing", subject="/2017-09-01/endpoints/2002/calls/1")

    received = {}
    for item in webhook_server.answered:
        received.setdefault(item.path.rsplit("/", 1)[1], []).append(
            (item.body["content"]["state"], item.body["subject"])
        )
    assert received["ringing"] == [("ringing", CALL), ("ringing", "/2017-09-01/endpoints/2002/calls/1")]
    assert received["2002"] == [("ringing", "/2017-09-01/endpoints/2002/calls/1")]
    assert len(received["regex"]) == 3
    assert "chat" not in received and "outsider" not in received
    assert not DeliveryAttempt.objects.filter(
        subscription_ref__in=[chat.subscription_id, other_account.subscription_id]
    )
    assert ext_2002 and ringing and regex


def test_a_failing_webhook_is_retried_with_backoff_and_every_attempt_is_recorded(
    member, webhook_server, publish_now
):
    webhook_server.statuses = [500, 503]
    subscribe(member, webhook_server.url)

    publish_now(call_event, member.account)

    assert len(webhook_server.received) == 3 and len(webhook_server.answered) == 1
    attempts = list(
        DeliveryAttempt.objects.order_by("attempt").values_list("attempt", "status", "status_code")
    )
    assert attempts == [(1, "failed", 500), (2, "failed", 503), (3, "succeeded", 200)]
    assert "HTTP 500" in DeliveryAttempt.objects.get(attempt=1).error
    assert [item.headers["x-cloudlink-delivery-attempt"] for item in webhook_server.received] == [
        "1",
        "2",
        "3",
    ]


def test_retries_stop_after_the_maximum(member, webhook_server, publish_now, settings):
    settings.PORTAL_WEBHOOK_MAX_RETRIES = 2
    webhook_server.statuses = [500] * 10
    subscribe(member, webhook_server.url)

    publish_now(call_event, member.account)

    assert len(webhook_server.received) == 3
    assert list(DeliveryAttempt.objects.values_list("status", flat=True)) == ["failed"] * 3


def test_a_client_error_is_not_retried(member, webhook_server, publish_now):
    webhook_server.statuses = [404]
    subscribe(member, webhook_server.url)

    publish_now(call_event, member.account)

    assert len(webhook_server.received) == 1
    assert DeliveryAttempt.objects.get().status_code == 404


def test_an_unreachable_webhook_records_the_network_error(member, closed_port, publish_now, settings):
    settings.PORTAL_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.PORTAL_WEBHOOK_MAX_RETRIES = 1
    subscribe(member, f"http://127.0.0.1:{closed_port}/hook")

    publish_now(call_event, member.account)

    attempts = list(DeliveryAttempt.objects.order_by("attempt"))
    assert [a.status for a in attempts] == ["failed", "failed"]
    assert attempts[0].status_code is None and "ConnectionRefusedError" in attempts[0].error


def test_backoff_grows_exponentially_with_jitter(settings):
    settings.PORTAL_WEBHOOK_RETRY_BASE = 10
    settings.PORTAL_WEBHOOK_RETRY_MAX_DELAY = 3600
    for retries, low in [(0, 10), (1, 20), (2, 40), (5, 320)]:
        delays = {services.retry_countdown(retries) for _ in range(20)}
        assert all(low <= delay <= low + 10 for delay in delays)
        assert len(delays) > 1  # jitter
    assert services.retry_countdown(20) == 3600


def test_a_delivery_that_already_succeeded_is_not_sent_again(member, webhook_server, publish_now):
    subscription = subscribe(member, webhook_server.url)
    publication = publish_now(call_event, member.account)

    assert webhook_deliver_task.delay(publication.pk, subscription.pk).get() == "already"
    assert len(webhook_server.received) == 1 and DeliveryAttempt.objects.count() == 1


def test_an_attempt_left_pending_by_a_lost_worker_is_marked_interrupted(member, webhook_server):
    subscription = subscribe(member, webhook_server.url)
    publication = call_event(member.account)  # no on-commit run: nothing sent yet
    DeliveryAttemptFactory(publication=publication, subscription=subscription)

    assert webhook_deliver_task.delay(publication.pk, subscription.pk).get() == "delivered"

    attempts = list(DeliveryAttempt.objects.order_by("attempt").values_list("attempt", "status"))
    assert attempts == [(1, "interrupted"), (2, "succeeded")]


def test_an_audience_limits_delivery_to_its_principals_and_admins(
    member, account_admin, customer, webhook_server, publish_now
):
    subscribe(member, webhook_server.url + "/member", topic="platform-api-conversations", subject_filter="")
    subscribe(
        account_admin, webhook_server.url + "/admin", topic="platform-api-conversations", subject_filter=""
    )
    publish = publication_publish

    publish_now(
        publish,
        account=customer,
        topic="platform-api-conversations",
        subject="/2017-09-01/conversations/c1/messages",
        method="POST",
        content={"body": "private"},
        audience=["someone-else"],
    )
    publish_now(
        publish,
        account=customer,
        topic="platform-api-conversations",
        subject="/2017-09-01/conversations/c2/messages",
        method="POST",
        content={"body": "hello"},
        audience=[str(member.user_id)],
    )

    paths = sorted((item.path, item.body["content"]["body"]) for item in webhook_server.answered)
    assert paths == [("/hook/admin", "hello"), ("/hook/admin", "private"), ("/hook/member", "hello")]


def test_publishing_is_recorded_even_without_subscribers(customer, publish_now):
    publication = publish_now(call_event, customer)
    assert Publication.objects.get() == publication and not DeliveryAttempt.objects.exists()


def test_unknown_topics_cannot_be_published(customer):
    with pytest.raises(ValueError):
        publication_publish(account=customer, topic="nope", subject="/x", method="POST", content={})


def test_a_rolled_back_publication_is_never_delivered(
    member, webhook_server, django_capture_on_commit_callbacks
):
    from django.db import transaction

    subscribe(member, webhook_server.url)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                call_event(member.account)
                raise RuntimeError("the caller's transaction fails")
        except RuntimeError:
            pass
    assert not webhook_server.received and not Publication.objects.exists()
