"""After MakeCall answers, the follow-up listener (Celery task) keeps applying the PBX's events: the
phone picked up and hung up without the API, including changes made while no session watched."""

import threading

import pytest

from media import services
from media.models import Call
from media.tasks import call_follow_task
from notifications.models import Publication

pytestmark = pytest.mark.django_db


def states(customer, number):
    return dict(Call.objects.filter(account=customer, call_number=number).values_list("endpoint", "state"))


def published_states(ext, number):
    return [
        p.content["state"]
        for p in Publication.objects.filter(subject=f"/2017-09-01/endpoints/{ext}/calls/{number}").order_by(
            "pk"
        )
    ]


def test_follow_up_sees_the_phone_answer_and_hang_up(account_admin, customer, customer_pbx, call_pbx):
    call = services.call_make(actor=account_admin, extension="2002", to="2001")
    number = call.call_number
    threading.Timer(0.3, call_pbx.answer, args=(number,)).start()
    threading.Timer(0.8, call_pbx.clear, args=(number,)).start()

    final = call_follow_task.run(customer.pk, number, ["2002", "2001"], 5)

    assert final == ["completed", "completed"]
    assert published_states("2001", number) == ["ringing", "connected", "completed"]
    assert published_states("2002", number) == ["connected", "completed"]
    inbound = Call.objects.get(endpoint="2001", call_number=number)
    assert inbound.completed and inbound.billing_time >= 0 and inbound.end_time


def test_follow_up_catches_up_with_changes_made_while_nobody_watched(
    account_admin, customer, customer_pbx, call_pbx
):
    call = services.call_make(actor=account_admin, extension="2002", to="2001")
    call_pbx.answer(call.call_number)  # no session open: no event reaches us

    final = services.call_follow(customer.pk, call.call_number, ["2002", "2001"], 0.5)

    assert final == ["connected", "connected"]
    assert Call.objects.get(endpoint="2001", call_number=call.call_number).answered_at is not None

    call_pbx.clear(call.call_number)
    services.call_follow(customer.pk, call.call_number, ["2002", "2001"], 0.5)

    assert states(customer, call.call_number) == {"2001": "completed", "2002": "completed"}


def test_follow_up_stops_quietly_when_the_pbx_is_gone(account_admin, customer, customer_pbx, call_pbx):
    call = services.call_make(actor=account_admin, extension="2002", to="2001")
    call_pbx.stop()

    assert call_follow_task.run(customer.pk, call.call_number, ["2002", "2001"], 1) == []
    assert states(customer, call.call_number)["2001"] == "ringing"


def test_a_worker_follows_a_placed_call(
    celery_worker, api_client_for, account_admin, customer, call_pbx, settings
):
    """Needs the real Celery worker of CI's second run (skipped otherwise)."""
    from tests.media.conftest import BASE, attach_pbx
    from tests.waiting import wait_until

    attach_pbx(customer, port=call_pbx.port)
    settings.MEDIA_CALL_FOLLOW_SECONDS = 15
    response = api_client_for(account_admin).post(
        f"{BASE}/endpoints/2002/calls", {"to": "2001"}, format="json"
    )
    number = response.json()["callId"].rsplit("/", 1)[1]

    call_pbx.answer(number)

    assert wait_until(lambda: states(customer, number).get("2001") == "connected", timeout=10)
    call_pbx.clear(number)
    assert wait_until(lambda: set(states(customer, number).values()) == {"completed"}, timeout=10)
