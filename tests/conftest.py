"""Personas shared by every test: a partner and its customer, and an outsider under another partner."""

import os

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from oauth.tokens import access_token_issue
from tests.accounts.factories import PASSWORD, CustomerAccountFactory, PartnerAccountFactory, UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True, scope="session")
def _live_server_on_sqlite_one_request_at_a_time():
    from tests.live_server import serialize_live_server_on_in_memory_sqlite

    serialize_live_server_on_in_memory_sqlite()


@pytest.fixture(autouse=True, scope="session")
def _translations_compiled():
    """The .mo catalogues are built, not committed: compile the stale ones before any page renders."""
    from core.i18n.catalogs import catalogues_compile

    catalogues_compile()


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def partner(db):
    return PartnerAccountFactory(name="Acme Partner")


@pytest.fixture
def partner_admin(partner):
    return UserFactory(
        account=partner, role=User.Role.PARTNER_ADMIN, email="pat@acme.example", name="Pat Partner"
    )


@pytest.fixture
def customer(partner):
    return CustomerAccountFactory(parent=partner, name="Globex Corp")


@pytest.fixture
def account_admin(customer):
    return UserFactory(
        account=customer, role=User.Role.ACCOUNT_ADMIN, email="ada@globex.example", name="Ada Admin"
    )


@pytest.fixture
def member(customer):
    return UserFactory(account=customer, role=User.Role.USER, email="uma@globex.example", name="Uma User")


@pytest.fixture
def other_partner(db):
    return PartnerAccountFactory(name="Rival Partner")


@pytest.fixture
def other_partner_admin(other_partner):
    return UserFactory(account=other_partner, role=User.Role.PARTNER_ADMIN, email="rex@rival.example")


@pytest.fixture
def outsider_customer(other_partner):
    return CustomerAccountFactory(parent=other_partner, name="Initech")


@pytest.fixture
def outsider(outsider_customer):
    """An account admin in another partner's customer account."""
    return UserFactory(account=outsider_customer, role=User.Role.ACCOUNT_ADMIN, email="olga@initech.example")


@pytest.fixture
def client_for():
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def api_client_for():
    """An API client sending a real CloudLink bearer token for ``user``."""

    def make(user: User) -> APIClient:
        client = APIClient()
        token, _ = access_token_issue(user)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client

    return make


@pytest.fixture
def celery_worker(transactional_db, settings):
    """Send tasks to the real Celery worker CI starts (CELERY_BROKER_URL) instead of running them in-process.

    Tests using it must look at committed data only; without a broker they are skipped with the reason."""
    from portal.celery import app as celery_app

    if not settings.CELERY_BROKER_URL:
        pytest.skip("needs CELERY_BROKER_URL and a running worker (the second run of .ci/run)")
    replies = celery_app.control.ping(timeout=10)
    assert replies, "CELERY_BROKER_URL is set but no Celery worker answered a ping"
    celery_app.conf.task_always_eager = False
    yield celery_app
    celery_app.conf.task_always_eager = True


@pytest.fixture
def throttle_clock(monkeypatch):
    """Stops the clock of the sign-in locks and the API limit (``core.throttle``); ``advance(s)``
    moves it. Locks keep their times in their values, so this works with Redis too."""

    class Clock:
        now = 1_900_000_000.0

        def advance(self, seconds: float) -> None:
            self.now += seconds

    clock = Clock()
    monkeypatch.setattr("core.throttle.now", lambda: clock.now)
    return clock


# The PBX simulator fixtures (pbx_simulator, pbx_simulator_factory, closed_port), for every test
# directory: the gateway wizard's browser journey and the PBX user sync use them too.
from tests.gateways.conftest import closed_port, pbx_simulator, pbx_simulator_factory  # noqa: E402, F401


@pytest.fixture(params=["form", "json"])
def post(request):
    """Each test using it runs once with a form body and once with a JSON body."""
    from tests.oauth.token_helpers import post_form, post_json

    return post_form if request.param == "form" else post_json


# Approved applications deployed in ``customer`` (the token and authorization-code tests).
from tests.oauth.helpers import app, public_app  # noqa: E402, F401
