"""Each service's OpenAPI document (``<base>/_spec``) bounds everything a client sends, so a client
generated from it can validate before calling (issue 9, low finding): every string of a request body
or query has a ``maxLength`` (or is an enum, a UUID or a date-time), every array a ``maxItems``,
every integer a ``minimum`` and a ``maximum``. The serializers carry the same bounds, so the server
refuses what the document does not allow (``bench/fuzz_api.py`` checks that side)."""

from __future__ import annotations

import pytest
from django.test import Client

from portal.api_urls import SERVICES

pytestmark = pytest.mark.django_db

# Free-form by design, and documented so: an integration's settings are read by its own form, which
# ignores keys it does not know.
FREE_FORM = {("admin", "body.config")}
UNBOUNDED_STRING_FORMATS = {"uuid", "date-time", "date"}


def _resolve(spec: dict, node: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node:
        node = spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def unbounded(spec: dict, node: dict, where: str, seen: frozenset = frozenset()) -> list[str]:
    """Every place under ``node`` a client could send without a bound."""
    node = _resolve(spec, node)
    if not isinstance(node, dict) or id(node) in seen or node.get("readOnly"):
        return []
    seen |= {id(node)}
    found = []
    for combinator in ("oneOf", "anyOf", "allOf"):
        for sub in node.get(combinator, []):
            found += unbounded(spec, sub, where, seen)
    kind = node.get("type")
    if kind == "array":
        if "maxItems" not in node:
            found.append(f"{where}: array without maxItems")
        found += unbounded(spec, node.get("items", {}), f"{where}[]", seen)
    elif kind == "string":
        if (
            "maxLength" not in node
            and "enum" not in node
            and node.get("format") not in UNBOUNDED_STRING_FORMATS
        ):
            found.append(f"{where}: string without maxLength")
    elif kind in ("integer", "number"):
        if "minimum" not in node or "maximum" not in node:
            found.append(f"{where}: number without minimum and maximum")
    elif kind == "object" or "properties" in node:
        for name, sub in node.get("properties", {}).items():
            found += unbounded(spec, sub, f"{where}.{name}", seen)
        if (
            kind == "object"
            and not node.get("properties")
            and node.get("additionalProperties", True) in (True, {})
        ):
            found.append(f"{where}: free-form object")
    return found


def service_spec(service) -> dict:
    response = Client().get(f"/api/{service.mount}_spec")
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("service", SERVICES, ids=[s.name for s in SERVICES])
def test_everything_a_client_sends_is_bounded_in_the_document(service):
    spec = service_spec(service)
    problems = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            found = []
            for parameter in operation.get("parameters", []):
                if parameter["in"] in ("query", "header"):
                    found += unbounded(spec, parameter.get("schema", {}), f"query.{parameter['name']}")
            for media in (operation.get("requestBody") or {}).get("content", {}).values():
                found += unbounded(spec, media.get("schema", {}), "body")
            problems += [
                f"{method.upper()} {path} {problem}"
                for problem in found
                if (service.name, problem.split(":")[0]) not in FREE_FORM
            ]

    assert problems == []


def test_the_walk_finds_an_unbounded_field():
    spec = {"components": {"schemas": {"X": {"type": "object", "properties": {"a": {"type": "string"}}}}}}

    assert unbounded(spec, {"$ref": "#/components/schemas/X"}, "body") == ["body.a: string without maxLength"]


def test_the_documented_limits_are_the_ones_the_server_applies():
    admin = service_spec(next(s for s in SERVICES if s.name == "admin"))
    account = admin["components"]["schemas"]["AccountInput"]["properties"]
    bulk = admin["paths"]["/accounts/{accountId}/users"]["patch"]["requestBody"]["content"][
        "application/json"
    ]
    top = next(p for p in admin["paths"]["/accounts"]["get"]["parameters"] if p["name"] == "$top")

    assert account["name"]["maxLength"] == 200
    assert account["supportContacts"]["oneOf"][0]["maxItems"] == 10
    assert _resolve(admin, bulk["schema"])["properties"]["operations"]["maxItems"] == 100
    assert top["schema"] == {"type": "integer", "minimum": 1, "maximum": 999_999_999}
    assert "1000" in top["description"]


@pytest.mark.parametrize("service", SERVICES, ids=[s.name for s in SERVICES])
def test_every_operation_lists_the_answers_to_a_request_over_the_limits(service):
    spec = service_spec(service)

    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert "400" in operation["responses"], f"{method.upper()} {path}"
            if "requestBody" in operation:
                assert "413" in operation["responses"], f"{method.upper()} {path}"
