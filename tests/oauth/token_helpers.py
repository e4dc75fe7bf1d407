"""Helpers shared by the /token tests: post a grant as a form or as JSON, check an error body."""

from urllib.parse import urlencode

from django.test import Client
from rest_framework.test import APIClient

TOKEN_URL = "/api/authentication/2017-09-01/token"


def post_form(data, client=None, **headers):
    return (client or Client()).post(
        TOKEN_URL, urlencode(data), content_type="application/x-www-form-urlencoded", **headers
    )


def post_json(data, **headers):
    return APIClient().post(TOKEN_URL, data, format="json", **headers)


def sign_in(user, password, client=None, **headers) -> dict:
    response = post_form(
        {"grant_type": "password", "username": user.email, "password": password}, client=client, **headers
    )
    assert response.status_code == 201, response.content
    return response.json()


def assert_error(response, status, name):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["name"] == name
    assert isinstance(body["message"], str) and body["message"]
    return body
