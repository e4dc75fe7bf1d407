"""The console's one answer to an action (``core.htmx``): run one service, flash its outcome, then
the fragment for htmx or a redirect without JavaScript."""

from __future__ import annotations

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from core.htmx import ServiceOutcome, action_done, call_service

BACK = "/accounts/123456789/"


def post(*, htmx: bool = False):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    request = RequestFactory().post("/accounts/123456789/do/", **headers)
    request.htmx = HtmxDetails(request)
    request._messages = CookieStorage(request)
    return request


def flashed(request) -> list[tuple[int, str]]:
    return [(message.level, message.message) for message in request._messages]


def fragment_showing_the_flash(request):
    """A fragment that, like the console's, renders the flash messages it carries out of band."""

    def fragment() -> HttpResponse:
        return HttpResponse(" | ".join(text for _, text in flashed(request)), headers={"X-Fragment": "yes"})

    return fragment


# --- call_service --------------------------------------------------------------------------------


def test_call_service_answers_the_result_and_no_error():
    assert call_service(lambda: 42) == ServiceOutcome(42, "")


def test_call_service_turns_a_validation_error_into_the_sentence_to_show():
    def refuse():
        raise ValidationError({"name": "Too long.", "type": ["Unknown.", "Really."]})

    result, error = call_service(refuse)

    assert result is None
    assert error == "Too long. Unknown. Really."


def test_call_service_lets_a_refusal_answer_403():
    def refuse():
        raise PermissionDenied("Not yours.")

    with pytest.raises(PermissionDenied):
        call_service(refuse)


# --- action_done -----------------------------------------------------------------------------------


def test_without_javascript_the_message_is_flashed_and_the_answer_is_a_redirect():
    request = post()

    response = action_done(
        request, message="Saved.", fragment=fragment_showing_the_flash(request), redirect_to=BACK
    )

    assert response.status_code == 302
    assert response["Location"] == BACK
    assert flashed(request) == [(messages.SUCCESS, "Saved.")]


def test_htmx_gets_the_fragment_rendered_after_the_flash():
    request = post(htmx=True)

    response = action_done(
        request, message="Saved.", fragment=fragment_showing_the_flash(request), redirect_to=BACK
    )

    assert response.status_code == 200
    assert response["X-Fragment"] == "yes"
    assert response.content == b"Saved."


def test_htmx_without_a_fragment_is_sent_to_the_page_with_hx_redirect():
    request = post(htmx=True)

    response = action_done(request, message="Deleted.", redirect_to=BACK)

    assert response.status_code == 200
    assert response["HX-Redirect"] == BACK
    assert flashed(request) == [(messages.SUCCESS, "Deleted.")]


@pytest.mark.parametrize("htmx", [False, True])
def test_an_error_is_flashed_as_an_error_instead_of_the_message(htmx):
    request = post(htmx=htmx)

    action_done(
        request,
        message="Saved.",
        error="The gateway is busy.",
        fragment=fragment_showing_the_flash(request),
        redirect_to=BACK,
    )

    assert flashed(request) == [(messages.ERROR, "The gateway is busy.")]


def test_the_message_takes_the_level_asked_for():
    request = post()

    action_done(request, message="Nothing to change.", level=messages.INFO, redirect_to=BACK)

    assert flashed(request) == [(messages.INFO, "Nothing to change.")]


def test_no_message_and_no_error_flash_nothing():
    request = post()

    response = action_done(request, redirect_to=BACK)

    assert response.status_code == 302
    assert flashed(request) == []


def test_a_service_refusal_reaches_the_person_as_a_flash_on_the_page():
    request = post()

    def refuse():
        raise ValidationError("Only pending applications can be approved.")

    _, error = call_service(refuse)
    response = action_done(request, message="Approved.", error=error, redirect_to=BACK)

    assert response.status_code == 302
    assert flashed(request) == [(messages.ERROR, "Only pending applications can be approved.")]
