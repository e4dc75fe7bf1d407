"""Transfer, consultation, conference and alternate over the Media API, against the CSTA simulator on a
real socket: the PBX's ECMA-269 events (Transferred, Conferenced, Held, Retrieved, ...) become leg states
and platform-api-media publications, and a subscription's webhook receives them."""

import pytest

from gateways.pbx.simulator import PbxSimulator
from media.models import Call
from tests.media.conftest import BASE, USERS, attach_pbx
from tests.media.test_calls_api import act, media_publications, number_of, place
from tests.notifications.test_delivery import subscribe

pytestmark = pytest.mark.django_db


def act_with(client, ext, number, action, args):
    return client.put(
        f"{BASE}/endpoints/{ext}/calls/{number}", {"action": action, "args": args}, format="json"
    )


def leg(ext, number) -> Call:
    return Call.objects.filter(endpoint=ext, call_number=number).order_by("-pk").first()


@pytest.fixture
def talking(admin_api, customer_pbx):
    """2002 called 2001, who answered: the call number."""
    number = number_of(place(admin_api, "2002", "2001").json())
    assert act(admin_api, "2001", number, "answer").status_code == 200
    return number


@pytest.fixture
def consulting(admin_api, talking):
    """2001 holds the call with 2002 and consults 2003, who answered: (held call, consultation call)."""
    response = act_with(admin_api, "2001", talking, "consult", "2003")
    assert response.status_code == 200, response.content
    consultation = number_of(response.json())
    assert act(admin_api, "2003", consultation, "answer").status_code == 200
    return talking, consultation


def test_blind_transfer_hands_the_caller_to_the_destination_which_rings(admin_api, talking, call_pbx):
    response = act_with(admin_api, "2001", talking, "blindTransfer", "2003")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["cause"]) == ("completed", "singleStepTransfer")
    assert body["extraPbxData"]["eventType"] == "transferredEvent"
    assert ("SingleStepTransferCall" in [name for _, name in call_pbx.received]) is True
    pbx_call = call_pbx.calls[talking]
    assert (pbx_call.calling, pbx_call.called, pbx_call.state) == ("2002", "2003", "alerting")
    ringing = leg("2003", talking)
    assert (ringing.state, ringing.direction, ringing.from_number) == ("ringing", "inbound", "2002")
    caller = leg("2002", talking)
    assert (caller.state, caller.to_number) == ("connected", "2003")
    assert [p.content["state"] for p in media_publications("2003", talking)] == ["ringing"]
    assert media_publications("2001", talking).last().content["state"] == "completed"


def test_blind_transfer_needs_a_destination_the_pbx_knows(admin_api, talking, call_pbx):
    missing = act(admin_api, "2001", talking, "blindTransfer")
    unknown = act_with(admin_api, "2001", talking, "blindTransfer", "7777")

    assert missing.status_code == 400 and "args" in missing.json()["message"]
    assert unknown.status_code == 400
    assert call_pbx.calls[talking].parties == ["2002", "2001"]
    assert leg("2001", talking).state == "connected"


def test_consult_holds_the_call_and_rings_the_consulted_extension(admin_api, talking, call_pbx):
    response = act_with(admin_api, "2001", talking, "consult", "2003")

    assert response.status_code == 200, response.content
    body = response.json()
    consultation = number_of(body)
    assert consultation != talking
    assert (body["endpointId"], body["direction"], body["to"], body["state"]) == (
        "2001",
        "outbound",
        "2003",
        "connected",
    )
    assert leg("2001", talking).state == "held"
    assert leg("2002", talking).state == "connected"
    assert (leg("2003", consultation).state, leg("2003", consultation).from_number) == ("ringing", "2001")
    assert call_pbx.calls[talking].held == {"2001"}
    assert [p.content["state"] for p in media_publications("2001", talking)] == [
        "ringing",
        "connected",
        "held",
    ]


def test_supervised_transfer_joins_the_held_party_and_the_consulted_one(admin_api, consulting, call_pbx):
    held, consultation = consulting

    response = act_with(admin_api, "2001", consultation, "supervisedTransfer", held)

    assert response.status_code == 200, response.content
    assert response.json()["state"] == "completed"
    assert leg("2001", held).state == "completed"
    assert consultation not in call_pbx.calls
    assert call_pbx.calls[held].parties == ["2002", "2003"]
    assert leg("2003", consultation).state == "completed"
    joined = leg("2003", held)
    assert (joined.state, joined.direction, joined.from_number) == ("connected", "inbound", "2002")
    assert (leg("2002", held).state, leg("2002", held).to_number) == ("connected", "2003")
    assert media_publications("2003", held).last().content["extraPbxData"]["eventType"] == "transferredEvent"


def test_conference_puts_the_three_parties_in_one_call_and_one_may_leave(admin_api, consulting, call_pbx):
    held, consultation = consulting

    response = act_with(admin_api, "2001", consultation, "conference", held)

    assert response.status_code == 200, response.content
    assert (number_of(response.json()), response.json()["state"]) == (held, "connected")
    assert sorted(call_pbx.calls[held].parties) == ["2001", "2002", "2003"]
    assert [leg(ext, held).state for ext in ("2001", "2002", "2003")] == ["connected"] * 3
    assert [leg(ext, consultation).state for ext in ("2001", "2003")] == ["completed"] * 2

    leaving = act(admin_api, "2003", held, "end")

    assert leaving.status_code == 200 and leaving.json()["state"] == "completed"
    assert sorted(call_pbx.calls[held].parties) == ["2001", "2002"]
    assert [leg(ext, held).state for ext in ("2001", "2002")] == ["connected"] * 2


def test_retrieving_the_held_call_while_consulting_alternates(admin_api, consulting, call_pbx):
    held, consultation = consulting

    response = act(admin_api, "2001", held, "retrieve")

    assert response.status_code == 200, response.content
    assert response.json()["state"] == "connected"
    assert leg("2001", consultation).state == "held"
    assert ("AlternateCall" in [name for _, name in call_pbx.received]) is True


def test_two_call_actions_need_one_held_and_one_connected_call(admin_api, consulting):
    held, consultation = consulting
    assert act(admin_api, "2001", held, "retrieve").status_code == 200  # now the consultation is held

    conference_of_held = act_with(admin_api, "2003", consultation, "conference", held)
    no_other = act(admin_api, "2001", held, "supervisedTransfer")

    assert conference_of_held.status_code == 404  # 2003 has no leg on the first call
    assert no_other.status_code == 400


def test_a_webhook_subscription_receives_the_transfer_events(
    admin_api, account_admin, talking, webhook_server, publish_now
):
    subscribe(account_admin, webhook_server.url)

    publish_now(act_with, admin_api, "2001", talking, "blindTransfer", "2003")

    received = {(body["content"]["endpointId"], body["content"]["state"]) for body in webhook_server.bodies()}
    assert received == {("2001", "completed"), ("2003", "ringing")}


def test_a_call_to_a_forked_number_rings_every_terminal_and_the_answer_clears_the_others(admin_api, customer):
    with PbxSimulator("127.0.0.1", 0, users=USERS, forks={"2001": ["2091"]}) as pbx:
        attach_pbx(customer, port=pbx.port)
        number = number_of(place(admin_api, "2002", "2001").json())
        ringing_parties = list(pbx.calls[number].parties)

        answered = act(admin_api, "2001", number, "answer")

        assert answered.status_code == 200 and answered.json()["state"] == "connected"
        assert ringing_parties == ["2002", "2001", "2091"]
        assert pbx.calls[number].parties == ["2002", "2001"]
