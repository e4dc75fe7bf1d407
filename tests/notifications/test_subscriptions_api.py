"""/api/notifications/2017-09-01/subscriptions: create, list (OData), get, delete; errors as
{name, message}; webhook URL validation; tenancy; guest tokens refused."""

import re

import pytest
from rest_framework.test import APIClient

from integrations import services as integrations
from notifications.models import Subscription
from oauth.tokens import guest_token_issue

pytestmark = pytest.mark.django_db

BASE = "/api/notifications/2017-09-01"
RINGING = "$.publications[?(@.content.state == 'ringing')]"


def subscription_body(url, **extra):
    return {
        "applicationId": "3f1c9e0e-app",
        "deviceId": url,
        "transport": "webhook",
        "topic": "platform-api-media",
        "subjectFilter": "/2017-09-01/endpoints/",
        "publicationFilter": RINGING,
        **extra,
    }


def create(client, url, **extra):
    return client.post(f"{BASE}/subscriptions", subscription_body(url, **extra), format="json")


def test_create_answers_201_with_a_32_hex_id_and_echoes_the_request(api_client_for, member, webhook_server):
    response = create(api_client_for(member), webhook_server.url)

    assert response.status_code == 201, response.content
    body = response.json()
    assert re.fullmatch(r"[0-9a-f]{32}", body["subscriptionId"])
    assert body["deviceId"] == webhook_server.url
    assert body["topic"] == "platform-api-media" and body["transport"] == "webhook"
    assert body["subjectFilter"] == "/2017-09-01/endpoints/" and body["publicationFilter"] == RINGING
    assert body["applicationId"] == "3f1c9e0e-app" and body["createdOn"]
    assert body["_links"]["self"] == f"/2017-09-01/subscriptions/{body['subscriptionId']}"
    stored = Subscription.objects.get(subscription_id=body["subscriptionId"])
    assert stored.account == member.account and stored.principal_id == str(member.user_id)


def test_list_get_and_delete(api_client_for, member, webhook_server):
    client = api_client_for(member)
    ids = [
        create(client, webhook_server.url, topic=t).json()["subscriptionId"]
        for t in ("platform-api-media", "platform-api-conversations", "platform-api-media")
    ]

    page = client.get(f"{BASE}/subscriptions", {"$top": 2}).json()
    assert page["count"] == 2 and page["_links"]["next"].startswith("/2017-09-01/subscriptions?")
    assert [item["subscriptionId"] for item in page["_embedded"]["items"]] == ids[:2]
    filtered = client.get(
        f"{BASE}/subscriptions", {"$filter": "topic eq 'platform-api-conversations'"}
    ).json()
    assert [item["subscriptionId"] for item in filtered["_embedded"]["items"]] == [ids[1]]
    assert (
        client.get(f"{BASE}/subscriptions", {"$skip": 2}).json()["_embedded"]["items"][0]["subscriptionId"]
        == ids[2]
    )

    assert client.get(f"{BASE}/subscriptions/{ids[0]}").json()["subscriptionId"] == ids[0]
    deleted = client.delete(f"{BASE}/subscriptions/{ids[0]}")
    assert deleted.status_code == 200 and deleted.json()["subscriptionId"] == ids[0]
    assert client.get(f"{BASE}/subscriptions/{ids[0]}").status_code == 404
    assert not Subscription.objects.filter(subscription_id=ids[0]).exists()


@pytest.mark.parametrize(
    ("change", "name", "fragment"),
    [
        ({"transport": "carrier-pigeon"}, "InvalidTransport", "webhook"),
        ({"topic": "platform-api-weather"}, "InvalidTopic", "platform-api-media"),
        (
            {"publicationFilter": "$.publications[?(@.content.state == )]"},
            "ValidationError",
            "publicationFilter",
        ),
        ({"publicationFilter": "state == ringing"}, "ValidationError", "publicationFilter"),
        ({"subjectFilter": "^/2017-09-01/(unclosed$"}, "ValidationError", "subjectFilter"),
    ],
)
def test_bad_subscriptions_are_400_with_name_and_message(
    api_client_for, member, webhook_server, change, name, fragment
):
    response = create(api_client_for(member), webhook_server.url, **change)

    assert response.status_code == 400
    assert response.json()["name"] == name
    assert fragment in response.json()["message"]
    assert not Subscription.objects.exists()


def test_missing_device_id_is_400(api_client_for, member):
    body = subscription_body("x")
    del body["deviceId"]
    response = api_client_for(member).post(f"{BASE}/subscriptions", body, format="json")
    assert response.status_code == 400 and "deviceId" in response.json()["message"]


@pytest.mark.parametrize(
    "url",
    [
        "ftp://hooks.example.com/x",
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://224.0.0.1/hook",
        "http://0.0.0.0/hook",
        "http://[fd00:ec2::254]/latest/meta-data",
        "http://[::ffff:127.0.0.1]/hook",
        "http://2130706433/hook",  # 127.0.0.1 as one number
        "http://0x7f.1/hook",
        "http://metadata.nip.invalid/",  # a name that does not resolve
        "not a url",
    ],
)
def test_webhook_urls_to_private_networks_or_other_schemes_are_refused(api_client_for, member, url):
    response = create(api_client_for(member), url)

    assert response.status_code == 400, response.content
    assert response.json()["name"] == "ValidationError"
    assert "deviceId" in response.json()["message"]


def test_a_public_address_is_accepted(api_client_for, member):
    assert create(api_client_for(member), "https://93.184.216.34/hook").status_code == 201


def test_the_setting_allows_exactly_the_networks_it_lists(api_client_for, member, settings):
    client = api_client_for(member)
    settings.PORTAL_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    assert create(client, "http://127.0.0.1:9/hook").status_code == 201
    for refused in ("http://169.254.169.254/latest/meta-data", "http://10.1.2.3/hook", "http://[::1]:9/hook"):
        assert create(client, refused).status_code == 400, refused
    settings.PORTAL_WEBHOOK_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert create(client, "http://10.1.2.3/hook").status_code == 201
    assert create(client, "http://127.0.0.1:9/hook").status_code == 400


def test_subscriptions_of_others_are_404(api_client_for, member, account_admin, outsider, webhook_server):
    sub_id = create(api_client_for(member), webhook_server.url).json()["subscriptionId"]

    for other in (outsider, account_admin):
        client = api_client_for(other)
        assert client.get(f"{BASE}/subscriptions/{sub_id}").status_code == 404
        assert client.delete(f"{BASE}/subscriptions/{sub_id}").json()["name"] == "NotFound"
        assert client.get(f"{BASE}/subscriptions").json()["count"] == 0
    assert Subscription.objects.filter(subscription_id=sub_id).exists()


def test_guest_tokens_are_refused(partner_admin, customer, webhook_server):
    integrations.privilege_set(
        actor=partner_admin, account=customer, privilege="allowGuestAccess", enabled=True
    )
    customer.refresh_from_db()
    token, _ = guest_token_issue(account=customer, principal_id="guest-1", name="Gail")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    assert client.get(f"{BASE}/subscriptions").status_code == 403
    response = create(client, webhook_server.url)
    assert response.status_code == 403 and response.json()["name"] == "InsufficientPermissions"
    assert not Subscription.objects.exists()


def test_without_a_token_it_is_401(webhook_server):
    response = create(APIClient(), webhook_server.url)
    assert response.status_code == 401 and set(response.json()) >= {"name", "message"}


def test_the_service_publishes_its_openapi_document(client):
    spec = client.get(f"{BASE}/_spec").json()
    assert "/subscriptions" in spec["paths"] and "/subscriptions/{subscriptionId}" in spec["paths"]
    created = spec["paths"]["/subscriptions"]["post"]["responses"]["201"]["content"]["application/json"]
    rotated = spec["paths"]["/subscriptions/{subscriptionId}/secret"]["post"]["responses"]["200"]
    assert created["schema"]["$ref"] == "#/components/schemas/SubscriptionWithSecret"
    assert rotated["content"]["application/json"]["schema"] == created["schema"]
    assert "secret" in spec["components"]["schemas"]["SubscriptionWithSecret"]["required"]
    assert "secret" not in spec["components"]["schemas"]["SubscriptionOutput"]["properties"]
    assert spec["servers"][0]["url"].endswith("/api/notifications/2017-09-01")
    assert "CloudLink Notifications API" in client.get("/api/docs/").content.decode()
