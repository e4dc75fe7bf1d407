"""The one table from a service's exception to the API's answer (``core.api.errors.SERVICE_ERRORS``).

Each kind is answered over HTTP through a real endpoint that raises it; the PBX's errors, which
need a PBX that misbehaves, go through the real DRF exception handler. A ``ServiceError`` subclass
nobody listed answers by its kind.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from core.api.errors import SERVICE_ERRORS, ApiError, exception_handler, service_error_answer, service_errors
from core.errors import Conflict, ServiceError, TimedOut, Unavailable
from gateways.pbx.bridge import PbxRejected, PbxTimeout, PbxUnavailable

ADMIN = "/api/admin/2017-09-01"


def answer(exc: Exception) -> tuple[int, dict]:
    request = APIRequestFactory().get("/")
    response = exception_handler(exc, {"view": APIView(), "request": request})
    return response.status_code, response.data


# --- over HTTP, one real endpoint per kind ------------------------------------------------------------


@pytest.mark.django_db
def test_a_duplicate_email_is_409_conflict(api_client_for, account_admin, customer):
    client = api_client_for(account_admin)
    url = f"{ADMIN}/accounts/{customer.account_id}/users"
    assert client.post(url, {"email": "twin@example.com"}, format="json").status_code == 201

    response = client.post(url, {"email": "TWIN@example.com"}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "name": "Conflict",
        "message": "One or more of the attribute values are already in use",
    }


@pytest.mark.django_db
def test_an_integration_added_twice_is_409_conflict(api_client_for, account_admin, customer):
    client = api_client_for(account_admin)
    url = f"{ADMIN}/accounts/{customer.account_id}/integrations"
    assert client.post(url, {"type": "micc"}, format="json").status_code == 201

    response = client.post(url, {"type": "micc"}, format="json")

    assert response.status_code == 409
    assert response.json() == {"name": "Conflict", "message": "MiCC is already added to this account."}


@pytest.mark.django_db
def test_a_conflict_with_its_own_name_keeps_it(api_client_for, account_admin):
    response = api_client_for(account_admin).post(
        "/api/media/2017-09-01/endpoints/2002/calls", {"to": "2001"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["name"] == "PbxNotConfigured"


@pytest.mark.django_db
def test_a_plain_service_error_is_400_with_its_name(api_client_for, member):
    response = api_client_for(member).post(
        "/api/notifications/2017-09-01/subscriptions",
        {
            "applicationId": "app",
            "deviceId": "https://hooks.example.com/in",
            "transport": "carrier-pigeon",
            "topic": "platform-api-media",
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["name"] == "InvalidTransport"


@pytest.mark.django_db
def test_a_validation_error_from_a_service_is_400_with_api_field_names(
    api_client_for, account_admin, customer
):
    url = f"{ADMIN}/accounts/{customer.account_id}/integrations"

    response = api_client_for(account_admin).post(
        url, {"type": "unify-phone", "config": {"mode": "existing"}}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["name"] == "ValidationError"
    assert response.json()["errors"] == {"config.api_key": ["Enter the API key of the existing tenant."]}


@pytest.mark.django_db
def test_permission_denied_is_403_and_outside_the_scope_is_404(
    api_client_for, member, customer, outsider_customer
):
    client = api_client_for(member)

    forbidden = client.get(f"{ADMIN}/accounts/{customer.account_id}/users")
    hidden = client.get(f"{ADMIN}/accounts/{outsider_customer.account_id}/users")

    assert (forbidden.status_code, forbidden.json()["name"]) == (403, "Forbidden")
    assert (hidden.status_code, hidden.json()["name"]) == (404, "NotFound")


# --- the PBX's errors and kinds nobody listed, through the real handler -----------------------------------


def test_the_pbx_errors_are_502_504_and_502_with_the_refusal():
    assert answer(PbxUnavailable("The PBX refused the connection.")) == (
        502,
        {"name": "PbxUnavailable", "message": "The PBX refused the connection."},
    )
    assert answer(PbxTimeout("No answer from the PBX in 5 s.")) == (
        504,
        {"name": "PbxTimeout", "message": "No answer from the PBX in 5 s."},
    )
    assert answer(PbxRejected("busy", category="operation", value="generic")) == (
        502,
        {"name": "PbxRejected", "message": "The account's PBX refused the request: busy"},
    )


class _NewRefusal(ServiceError):
    pass


class _NewConflict(Conflict):
    pass


class _NewOutage(Unavailable):
    pass


class _NewSlowness(TimedOut):
    pass


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (_NewRefusal("No."), (400, {"name": "BadRequest", "message": "No."})),
        (_NewConflict("Taken."), (409, {"name": "Conflict", "message": "Taken."})),
        (_NewOutage("Down."), (502, {"name": "Unavailable", "message": "Down."})),
        (_NewSlowness("Slow."), (504, {"name": "Timeout", "message": "Slow."})),
    ],
)
def test_a_service_error_nobody_listed_answers_by_its_kind(exc, expected):
    assert answer(exc) == expected


def test_a_service_error_that_is_also_a_form_error_answers_by_its_kind():
    class Taken(Conflict, ValidationError):
        pass

    assert answer(Taken({"email": "Already used."})) == (
        409,
        {"name": "Conflict", "message": "Already used."},
    )


def test_the_table_covers_every_kind_and_djangos_errors():
    assert service_error_answer(_NewConflict("x")) == SERVICE_ERRORS[Conflict]
    assert service_error_answer(ValidationError("x")) == (400, "ValidationError")
    assert service_error_answer(PermissionDenied("x")) == (403, "Forbidden")
    assert service_error_answer(Http404("x")) == (404, "NotFound")
    assert service_error_answer(KeyError("x")) == (500, "InternalServerError")


def test_every_service_error_in_the_code_has_an_answer_in_the_table():
    import oauth.applications.services  # noqa: F401

    seen, todo = set(), [ServiceError]
    while todo:
        klass = todo.pop()
        seen.add(klass)
        todo.extend(sub for sub in klass.__subclasses__() if sub not in seen)
    names = {klass.__name__ for klass in seen}
    assert {
        "DuplicateEmail",
        "IntegrationConflict",
        "GatewayConflict",
        "AlreadyParticipant",
        "CallStateConflict",
        "NoPbxConfigured",
        "MitelAppTaken",
        "ApplicationNotActive",
        "PbxSyncPlanChanged",
        "UnknownTopic",
        "UnknownTransport",
        "PbxError",
    } <= names
    for klass in seen:
        status, _ = service_error_answer(klass.__new__(klass))
        assert status != 500, klass


def test_service_errors_renames_fields_and_lets_service_errors_through():
    with pytest.raises(ApiError) as caught, service_errors({"first_name": "firstName"}):
        raise _NewConflict("Taken.")
    assert (caught.value.status_code, caught.value.name) == (409, "Conflict")

    from rest_framework.exceptions import ValidationError as DrfValidationError

    with pytest.raises(DrfValidationError) as invalid, service_errors({"first_name": "firstName"}):
        raise ValidationError({"first_name": "Too long."})
    assert invalid.value.detail == {"firstName": ["Too long."]}

    with pytest.raises(ApiError) as chat, service_errors(validation_name="BadRequestError"):
        raise ValidationError({"name": "Too long."})
    assert (chat.value.name, str(chat.value.detail)) == ("BadRequestError", "name: Too long.")
