"""Chat API conversations: create (S2's body, strict validation), list (envelope + OData), get one
(with _embedded participants and messages), delete (200 with a JSON body, audited)."""

from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from tests.chat.conftest import BASE, assert_error, create_conversation, post_message

pytestmark = pytest.mark.django_db


def test_create_with_the_node_samples_body_answers_201_with_the_conversation(
    api_client_for, member, colleague, customer
):
    response = api_client_for(member).post(
        f"{BASE}/conversations",
        {
            "stream": False,
            "hidden": True,
            "generateSystemMessages": False,
            "originalParticipants": [
                {"type": "USER", "participantId": str(member.user_id)},
                {"type": "USER", "participantId": str(colleague.user_id)},
            ],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    conversation_id = body["conversationId"]
    assert uuid.UUID(conversation_id)
    assert body["accountId"] == str(customer.account_id)
    assert body["hidden"] is True and body["stream"] is False and body["generateSystemMessages"] is False
    assert body["createdBy"] == str(member.user_id)
    assert body["_links"]["self"] == f"/2017-09-01/conversations/{conversation_id}"
    assert response["Location"].endswith(f"/api/chat/2017-09-01/conversations/{conversation_id}")
    participants = body["_embedded"]["participants"]
    assert participants["count"] == 2
    assert {p["userId"] for p in participants["_embedded"]["items"]} == {
        str(member.user_id),
        str(colleague.user_id),
    }
    assert all(p["type"] == "USER" and p["status"] == "ACCEPTED" for p in participants["_embedded"]["items"])
    assert body["_embedded"]["messages"] == {
        "count": 0,
        "_links": {"self": f"/2017-09-01/conversations/{conversation_id}/messages"},
        "_embedded": {"items": []},
    }


def test_create_with_every_documented_field(api_client_for, member, colleague):
    body = create_conversation(
        api_client_for(member),
        colleague,
        name="Support",
        languageCode="en-US",
        visibility="PUBLIC",
        thumbnailUrl="https://cdn.example/t.png",
    )

    assert (body["name"], body["languageCode"], body["visibility"], body["thumbnailUrl"]) == (
        "Support",
        "en-US",
        "PUBLIC",
        "https://cdn.example/t.png",
    )


def test_the_creator_is_always_a_participant_and_duplicates_collapse(api_client_for, member, colleague):
    body = create_conversation(api_client_for(member), colleague, colleague)

    ids = [p["participantId"] for p in body["_embedded"]["participants"]["_embedded"]["items"]]
    assert sorted(ids) == sorted([str(member.user_id), str(colleague.user_id)])


def test_a_participant_may_be_named_by_email(api_client_for, member, colleague):
    response = api_client_for(member).post(
        f"{BASE}/conversations",
        {"originalParticipants": [{"type": "USER", "participantId": "CARL@globex.example"}]},
        format="json",
    )

    assert response.status_code == 201
    ids = {p["participantId"] for p in response.json()["_embedded"]["participants"]["_embedded"]["items"]}
    assert str(colleague.user_id) in ids


@pytest.mark.parametrize(
    "payload, message",
    [
        ({"colour": "red"}, "data should NOT have additional properties"),
        (
            {"originalParticipants": [{"type": "USER", "participantId": "x", "role": "boss"}]},
            "data.originalParticipants[0] should NOT have additional properties",
        ),
        ({"languageCode": "english"}, 'data.languageCode should match pattern "^[a-z]{2,3}(-[A-Z]{2})?$"'),
        ({"visibility": "SECRET"}, "data.visibility should be equal to one of the allowed values"),
        ({"stream": "yes"}, "data.stream should be boolean"),
        ({"originalParticipants": {"type": "USER"}}, "data.originalParticipants should be array"),
        (
            {"originalParticipants": [{"type": "USER"}]},
            "data.originalParticipants[0] should have required property 'participantId'",
        ),
        ({"name": 5}, "data.name should be string"),
    ],
)
def test_invalid_bodies_are_400_bad_request_error_in_cloudlinks_words(
    api_client_for, member, payload, message
):
    response = api_client_for(member).post(f"{BASE}/conversations", payload, format="json")

    assert_error(response, 400, "BadRequestError", message)


def test_a_non_object_body_is_400(api_client_for, member):
    response = api_client_for(member).post(f"{BASE}/conversations", [1, 2], format="json")

    assert_error(response, 400, "BadRequestError", "data should be object")


def test_participants_must_be_users_of_the_callers_account(api_client_for, member, outsider):
    response = api_client_for(member).post(
        f"{BASE}/conversations",
        {"originalParticipants": [{"type": "USER", "participantId": str(outsider.user_id)}]},
        format="json",
    )

    body = assert_error(response, 400, "BadRequestError")
    assert "is not a user of this account" in body["message"]


def test_a_guest_participant_needs_allow_guest_access(api_client_for, member, customer):
    response = api_client_for(member).post(
        f"{BASE}/conversations",
        {"originalParticipants": [{"type": "GUEST", "participantId": "guest-1"}]},
        format="json",
    )

    assert "does not allow guest access" in assert_error(response, 400, "BadRequestError")["message"]


def test_a_user_cannot_be_added_as_a_guest(api_client_for, member, colleague, guests_allowed):
    response = api_client_for(member).post(
        f"{BASE}/conversations",
        {"originalParticipants": [{"type": "GUEST", "participantId": str(colleague.user_id)}]},
        format="json",
    )

    assert "not a guest" in assert_error(response, 400, "BadRequestError")["message"]


def test_anonymous_callers_get_401(customer):
    assert_error(APIClient().get(f"{BASE}/conversations"), 401, "UnauthorizedError")
    assert_error(APIClient().post(f"{BASE}/conversations", {}, format="json"), 401, "UnauthorizedError")


# --- the collection ------------------------------------------------------------------------------


def test_the_collection_lists_only_conversations_you_participate_in(
    api_client_for, member, colleague, account_admin
):
    mine = create_conversation(api_client_for(member), colleague, name="mine")
    create_conversation(api_client_for(account_admin), colleague, name="not mine")

    response = api_client_for(member).get(f"{BASE}/conversations")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["_links"] == {"self": "/2017-09-01/conversations"}
    assert [c["conversationId"] for c in body["_embedded"]["items"]] == [mine["conversationId"]]
    assert api_client_for(colleague).get(f"{BASE}/conversations").json()["count"] == 2


def test_users_me_conversations_is_the_same_collection(api_client_for, member, colleague):
    create_conversation(api_client_for(member), colleague)

    assert api_client_for(colleague).get(f"{BASE}/users/me/conversations").json()["count"] == 1


def test_the_collection_filters_orders_and_pages_with_odata(api_client_for, member, colleague):
    client = api_client_for(member)
    for name, stream in [("a", False), ("b", True), ("c", False), ("d", False)]:
        create_conversation(client, colleague, name=name, stream=stream)

    first = client.get(
        f"{BASE}/conversations", {"$filter": "stream eq false", "$orderby": "name", "$top": "2"}
    ).json()
    assert [c["name"] for c in first["_embedded"]["items"]] == ["a", "c"]
    assert (
        first["_links"]["next"]
        == "/2017-09-01/conversations?$filter=stream%20eq%20false&$orderby=name&$skip=2&$top=2"
    )
    second = client.get("/api/chat" + first["_links"]["next"]).json()
    assert [c["name"] for c in second["_embedded"]["items"]] == ["d"] and "next" not in second["_links"]


def test_an_unknown_filter_field_is_400(api_client_for, member):
    response = api_client_for(member).get(f"{BASE}/conversations", {"$filter": "secret eq 1"})

    assert_error(response, 400, "InvalidFilter")


def test_the_collection_runs_a_constant_number_of_queries(
    api_client_for, member, colleague, django_assert_max_num_queries
):
    client = api_client_for(member)
    for _ in range(5):
        create_conversation(client, colleague)

    with django_assert_max_num_queries(6):
        assert client.get(f"{BASE}/conversations").json()["count"] == 5


# --- one conversation ------------------------------------------------------------------------------


def test_get_one_embeds_participants_and_messages(api_client_for, member, colleague):
    client = api_client_for(member)
    conversation = create_conversation(client, colleague)
    post_message(client, conversation["conversationId"], "first")
    post_message(api_client_for(colleague), conversation["conversationId"], "second")

    body = client.get(f"{BASE}/conversations/{conversation['conversationId']}").json()

    messages = body["_embedded"]["messages"]
    assert messages["count"] == 2
    assert [m["body"] for m in messages["_embedded"]["items"]] == ["first", "second"]
    assert body["_embedded"]["participants"]["count"] == 2
    assert body["modifiedBy"] == str(colleague.user_id)


def test_people_who_are_not_in_the_conversation_get_404(
    api_client_for, member, colleague, outsider, customer
):
    conversation = create_conversation(api_client_for(member))
    url = f"{BASE}/conversations/{conversation['conversationId']}"

    assert_error(api_client_for(colleague).get(url), 404, "NotFound")
    assert_error(api_client_for(outsider).get(url), 404, "NotFound")
    assert_error(api_client_for(member).get(f"{BASE}/conversations/{uuid.uuid4()}"), 404, "NotFound")
    assert_error(api_client_for(member).get(f"{BASE}/conversations/not-a-guid"), 404, "NotFound")


def test_admins_of_the_account_may_read_any_of_its_conversations(
    api_client_for, member, account_admin, partner_admin, other_partner_admin
):
    conversation = create_conversation(api_client_for(member))
    url = f"{BASE}/conversations/{conversation['conversationId']}"

    assert api_client_for(account_admin).get(url).status_code == 200
    assert api_client_for(partner_admin).get(url).status_code == 200
    assert api_client_for(other_partner_admin).get(url).status_code == 404


# --- delete ---------------------------------------------------------------------------------------


def test_the_creator_deletes_and_gets_200_with_a_json_body(api_client_for, member, colleague, customer):
    client = api_client_for(member)
    conversation = create_conversation(client, colleague, name="Bye")
    post_message(client, conversation["conversationId"])
    url = f"{BASE}/conversations/{conversation['conversationId']}"

    response = client.delete(url)

    assert response.status_code == 200
    assert response.json()["conversationId"] == conversation["conversationId"]
    assert client.get(url).status_code == 404
    event = AuditEvent.objects.get(action="conversation.deleted")
    assert event.account == customer and event.actor == member
    assert event.before == {"name": "Bye", "createdBy": str(member.user_id), "participants": 2, "messages": 1}


def test_other_participants_cannot_delete(api_client_for, member, colleague):
    conversation = create_conversation(api_client_for(member), colleague)

    response = api_client_for(colleague).delete(f"{BASE}/conversations/{conversation['conversationId']}")

    assert_error(response, 403, "Forbidden")


def test_an_account_admin_may_delete_any_conversation_of_the_account(api_client_for, member, account_admin):
    conversation = create_conversation(api_client_for(member))

    response = api_client_for(account_admin).delete(f"{BASE}/conversations/{conversation['conversationId']}")

    assert response.status_code == 200
    assert AuditEvent.objects.get(action="conversation.deleted").actor == account_admin


def test_outsiders_cannot_delete(api_client_for, member, outsider):
    conversation = create_conversation(api_client_for(member))

    assert_error(
        api_client_for(outsider).delete(f"{BASE}/conversations/{conversation['conversationId']}"),
        404,
        "NotFound",
    )


def test_the_chat_service_publishes_its_openapi_document(db):
    response = APIClient().get(f"{BASE}/_spec")

    assert response.status_code == 200
    spec = response.json()
    assert spec["info"]["title"] == "CloudLink Chat API"
    assert spec["servers"] == [{"url": "/api/chat/2017-09-01"}]
    assert {
        "/conversations",
        "/conversations/{conversationId}",
        "/conversations/{conversationId}/messages",
    } <= set(spec["paths"])
    assert set(spec["paths"]["/conversations/{conversationId}"]) >= {"get", "delete"}
