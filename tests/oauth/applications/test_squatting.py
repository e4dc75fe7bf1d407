"""Issue 9, finding 2: x-mitel-app squatting. The header is self-declared, so it is counted and
logged but never refuses anyone: a pending, rejected or blocked registration named like another
client's header changes nothing for that client. Names of approved applications stay unique,
and the names every client of the platform shares are reserved."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone

from cloudlink import default_mitel_app
from oauth.applications import services
from oauth.models import Application, ApplicationUsage
from tests.oauth.applications.helpers import approved, operator, register
from tests.oauth.token_helpers import sign_in

BASE = "/api/authentication/2017-09-01"
JWKS = f"{BASE}/.well-known/jwks.json"
HEADER = "app=RoutePlanner/1.0;platform=linux/6;session=s1"


def requests_today(app) -> int:
    row = ApplicationUsage.objects.filter(application=app, day=timezone.localdate()).first()
    return row.requests if row else 0


def in_state(partner_admin, state: str, **fields) -> Application:
    """A registration named RoutePlanner (unless ``fields`` say otherwise) in ``state``."""
    app = register(partner_admin, **fields)
    ops = operator(partner_admin.account)
    if state == "rejected":
        services.application_reject(actor=ops, application=app, reason="incomplete")
    elif state == "blocked":
        services.application_approve(actor=ops, application=app)
        services.application_block(actor=ops, application=app, reason="abuse")
    return app


@pytest.mark.parametrize("state", ["pending", "rejected", "blocked"])
def test_a_registration_that_is_not_approved_refuses_no_caller(
    client, partner_admin, member, password, state
):
    in_state(partner_admin, state)

    tokens = sign_in(member, password, HTTP_X_MITEL_APP=HEADER)
    whoami = client.get(
        f"{BASE}/token", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}", HTTP_X_MITEL_APP=HEADER
    )
    keys = client.get(JWKS, HTTP_X_MITEL_APP="ROUTEPLANNER")

    assert whoami.status_code == 200 and whoami.json()["userId"] == str(member.user_id)
    assert keys.status_code == 200
    assert not ApplicationUsage.objects.exists()  # and nobody's usage is counted


@pytest.mark.parametrize(
    "name",
    [
        services.mitel_app_name(default_mitel_app()),  # whatever the portal's own client sends
        "cloudlink-python",
        "CloudLink-Python",
        "BR-AppRegistry",  # Mitel's Postman collection
        "br-appregistry",
        "authentication-sample-code",  # Mitel's Node samples
    ],
)
def test_the_names_every_client_shares_are_reserved(partner_admin, name):
    with pytest.raises(ValidationError) as caught:
        register(partner_admin, mitel_app=name)

    assert "reserved" in " ".join(caught.value.message_dict["mitel_app"])
    assert not Application.objects.exists()


def test_a_reserved_name_is_refused_by_the_api_too(api_client_for, partner_admin):
    response = api_client_for(partner_admin).post(
        f"{BASE}/applications",
        {"name": "Helper", "description": "x", "mitelApp": "cloudlink-python"},
        format="json",
    )

    assert response.status_code == 400, response.content
    assert "reserved" in response.json()["message"]
    assert not Application.objects.exists()


def test_the_developer_form_refuses_a_reserved_name(client_for, partner_admin):
    form = {
        "name": "Helper",
        "contact_email": "dev@acme.example",
        "mitel_app": "BR-AppRegistry",
        "client_type": "confidential",
    }
    response = client_for(partner_admin).post("/developer/", form)

    assert response.status_code == 400
    assert "reserved" in response.content.decode()
    assert not Application.objects.exists()


def test_a_pending_registration_does_not_hold_the_name(partner_admin, other_partner_admin):
    squatter = register(other_partner_admin, name="Squat", mitel_app="routeplanner")

    legit, _ = approved(partner_admin)  # same name, case aside

    assert legit.status == Application.Status.APPROVED
    assert Application.objects.get(pk=squatter.pk).status == Application.Status.PENDING


def test_only_the_approved_application_of_a_name_is_counted(client, partner_admin, other_partner_admin):
    squatter = register(other_partner_admin, name="Squat", mitel_app="RoutePlanner")
    legit, _ = approved(partner_admin)

    assert client.get(JWKS, HTTP_X_MITEL_APP=HEADER).status_code == 200
    assert client.get(JWKS, HTTP_X_MITEL_APP="routeplanner/2.0;").status_code == 200

    assert (requests_today(legit), requests_today(squatter)) == (2, 0)


def test_a_blocked_applications_header_is_neither_refused_nor_counted(client, partner_admin):
    app = in_state(partner_admin, "blocked")

    assert client.get(JWKS, HTTP_X_MITEL_APP=HEADER).status_code == 200
    assert requests_today(app) == 0


def test_registering_a_name_an_approved_application_uses_is_refused(partner_admin, other_partner_admin):
    approved(partner_admin)

    with pytest.raises(services.MitelAppTaken) as caught:
        register(other_partner_admin, name="Copy", mitel_app="ROUTEPLANNER")

    assert "approved application" in " ".join(caught.value.messages)


def test_approving_a_second_application_with_an_approved_name_is_refused(partner_admin, other_partner_admin):
    second = register(other_partner_admin, name="Copy", mitel_app="routeplanner")
    approved(partner_admin)
    ops = operator(partner_admin.account)

    with pytest.raises(ValidationError) as caught:
        services.application_approve(actor=ops, application=second)

    assert "RoutePlanner" in " ".join(caught.value.messages)
    assert "already uses" in " ".join(caught.value.messages)
    assert Application.objects.get(pk=second.pk).status == Application.Status.PENDING


def test_re_approving_a_blocked_application_whose_name_was_taken_meanwhile_is_refused(
    partner_admin, other_partner_admin
):
    blocked = in_state(partner_admin, "blocked")
    newcomer, _ = approved(other_partner_admin, name="Newcomer")  # RoutePlanner is free again
    ops = operator(partner_admin.account)

    with pytest.raises(ValidationError):
        services.application_approve(actor=ops, application=blocked)

    assert Application.objects.get(pk=blocked.pk).status == Application.Status.BLOCKED
    assert Application.objects.get(pk=newcomer.pk).status == Application.Status.APPROVED


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="a real race needs PostgreSQL (SQLite serializes every write)",
)
def test_two_approvals_of_one_name_at_once_approve_exactly_one(partner_admin, other_partner_admin):
    first = register(partner_admin)
    second = register(other_partner_admin, name="Copy", mitel_app="routeplanner")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(app: Application) -> None:
        try:
            barrier.wait()
            services.application_approve(actor=None, application=app)
            outcomes.append("approved")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        except BaseException as exc:  # an IntegrityError escaping would be the bug
            outcomes.append(f"crash: {exc!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(app,)) for app in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    [refused] = [outcome for outcome in outcomes if outcome != "approved"]
    assert outcomes.count("approved") == 1 and "already uses" in refused
    assert Application.objects.filter(status=Application.Status.APPROVED).count() == 1
