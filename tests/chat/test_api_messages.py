"""Chat API messages and participants: any participant posts (published on
platform-api-conversations in the same transaction), paged collections with next links,
participants listed and added."""

from __future__ import annotations

import pytest

from accounts.models import User
from chat.models import Message
from notifications.models import Publication
from tests.accounts.factories import UserFactory
from tests.chat.conftest import BASE, assert_error, create_conversation, post_message

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(api_client_for, member, colleague):
    return create_conversation(api_client_for(member), colleague)


def messages_url(conversation) -> str:
    return f"{BASE}/conversations/{conversation['conversationId']}/messages"


def participants_url(conversation) -> str:
    return f"{BASE}/conversations/{conversation['conversationId']}/participants"


def test_each_participant_posts_and_gets_201_with_the_message(
    api_client_for, member, colleague, conversation, customer
):
    first = post_message(api_client_for(member), conversation["conversationId"], "Hi from user 1")
    second = post_message(api_client_for(colleague), conversation["conversationId"], "Hi from user 2")

    assert first.status_code == second.status_code == 201
    body = second.json()
    assert body["body"] == "Hi from user 2" and body["contentType"] == "text/plain"
    assert body["conversationId"] == conversation["conversationId"]
    assert body["accountId"] == str(customer.account_id)
    assert body["createdBy"] == str(colleague.user_id)
    assert (
        body["_links"]["self"]
        == f"/2017-09-01/conversations/{conversation['conversationId']}/messages/{body['messageId']}"
    )
    assert api_client_for(member).get("/api/chat" + body["_links"]["self"]).json() == body


def test_content_type_defaults_to_text_plain_and_a_tag_is_kept(api_client_for, member, conversation):
    response = api_client_for(member).post(
        messages_url(conversation), {"body": "x", "tag": '{"k":1}'}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["contentType"] == "text/plain" and response.json()["tag"] == '{"k":1}'


@pytest.mark.parametrize(
    "payload, message",
    [
        ({"contentType": "text/plain"}, "data should have required property 'body'"),
        ({"body": ""}, "data.body should NOT be shorter than 1 characters"),
        ({"body": "x", "colour": "red"}, "data should NOT have additional properties"),
        ({"body": 42}, "data.body should be string"),
    ],
)
def test_invalid_messages_are_400(api_client_for, member, conversation, payload, message):
    response = api_client_for(member).post(messages_url(conversation), payload, format="json")

    assert_error(response, 400, "BadRequestError", message)
    assert not Message.objects.exists()


def test_a_posted_message_is_published_with_its_json_and_publisher(
    api_client_for, member, colleague, conversation, customer
):
    message = post_message(api_client_for(member), conversation["conversationId"], "Published").json()

    publication = Publication.objects.get()
    assert publication.account == customer
    assert publication.topic == "platform-api-conversations"
    assert publication.subject == f"/2017-09-01/conversations/{conversation['conversationId']}/messages"
    assert publication.method == "POST"
    assert publication.content == message
    assert publication.publisher == {
        "accountId": str(customer.account_id),
        "principalId": str(member.user_id),
    }
    assert sorted(publication.audience) == sorted([str(member.user_id), str(colleague.user_id)])


def test_an_admin_who_is_not_a_participant_may_read_but_not_post(api_client_for, account_admin, conversation):
    client = api_client_for(account_admin)

    assert client.get(messages_url(conversation)).status_code == 200
    assert_error(post_message(client, conversation["conversationId"]), 403, "Forbidden")
    assert not Publication.objects.exists()


def test_non_participants_get_404(api_client_for, customer, outsider, conversation):
    stranger = UserFactory(account=customer, role=User.Role.USER)

    assert_error(post_message(api_client_for(stranger), conversation["conversationId"]), 404, "NotFound")
    assert_error(api_client_for(stranger).get(messages_url(conversation)), 404, "NotFound")
    assert_error(post_message(api_client_for(outsider), conversation["conversationId"]), 404, "NotFound")


def test_messages_are_paged_oldest_first_with_a_next_link_repeating_the_filter(
    api_client_for, member, conversation
):
    client = api_client_for(member)
    for n in range(5):
        post_message(client, conversation["conversationId"], f"m{n}")
    query = {"$filter": f"conversationId eq '{conversation['conversationId']}'", "$top": "2"}

    bodies, url, pages = [], None, 0
    page = client.get(messages_url(conversation), query).json()
    while True:
        pages += 1
        assert page["count"] == len(page["_embedded"]["items"])
        bodies += [m["body"] for m in page["_embedded"]["items"]]
        url = page["_links"].get("next")
        if not url:
            break
        assert "$filter=conversationId%20eq%20" in url and "$top=2" in url
        page = client.get("/api/chat" + url).json()

    assert bodies == ["m0", "m1", "m2", "m3", "m4"] and pages == 3


def test_messages_filter_by_author(api_client_for, member, colleague, conversation):
    post_message(api_client_for(member), conversation["conversationId"], "mine")
    post_message(api_client_for(colleague), conversation["conversationId"], "theirs")

    page = (
        api_client_for(member)
        .get(messages_url(conversation), {"$filter": f"createdBy eq '{colleague.user_id}'"})
        .json()
    )

    assert [m["body"] for m in page["_embedded"]["items"]] == ["theirs"]


def test_message_collection_runs_a_constant_number_of_queries(
    api_client_for, member, conversation, django_assert_max_num_queries
):
    client = api_client_for(member)
    for n in range(6):
        post_message(client, conversation["conversationId"], f"m{n}")

    with django_assert_max_num_queries(7):
        assert client.get(messages_url(conversation)).json()["count"] == 6


# --- participants -------------------------------------------------------------------------------------


def test_participants_are_listed_in_the_envelope(api_client_for, member, colleague, conversation):
    body = api_client_for(colleague).get(participants_url(conversation)).json()

    assert body["count"] == 2 and body["_links"]["self"].endswith("/participants")
    first = body["_embedded"]["items"][0]
    assert first["participantId"] == str(member.user_id) and first["name"] == "Uma User"
    assert api_client_for(member).get("/api/chat" + first["_links"]["self"]).json() == first


def test_a_participant_adds_a_user_who_can_then_post(api_client_for, colleague, customer, conversation):
    newcomer = UserFactory(account=customer, role=User.Role.USER)

    response = api_client_for(colleague).post(
        participants_url(conversation),
        {"participantId": str(newcomer.user_id), "type": "USER"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["userId"] == str(newcomer.user_id)
    assert post_message(api_client_for(newcomer), conversation["conversationId"]).status_code == 201


def test_adding_someone_twice_is_409(api_client_for, member, colleague, conversation):
    response = api_client_for(member).post(
        participants_url(conversation),
        {"participantId": str(colleague.user_id), "type": "USER"},
        format="json",
    )

    assert_error(response, 409, "Conflict")


def test_only_users_of_the_conversations_account_can_be_added(api_client_for, member, outsider, conversation):
    response = api_client_for(member).post(
        participants_url(conversation),
        {"participantId": str(outsider.user_id), "type": "USER"},
        format="json",
    )

    assert_error(response, 400, "BadRequestError")


def test_participant_body_is_strict(api_client_for, member, conversation):
    response = api_client_for(member).post(
        participants_url(conversation), {"participantId": "x", "type": "ROBOT"}, format="json"
    )

    assert_error(response, 400, "BadRequestError", "data.type should be equal to one of the allowed values")


def test_an_admin_may_add_participants_to_any_conversation_of_the_account(
    api_client_for, account_admin, conversation
):
    response = api_client_for(account_admin).post(
        participants_url(conversation),
        {"participantId": str(account_admin.user_id), "type": "USER"},
        format="json",
    )

    assert response.status_code == 201
