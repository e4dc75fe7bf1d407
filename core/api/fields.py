"""Serializer fields shared by every API service."""

from __future__ import annotations

from collections.abc import Mapping

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.utils import html


class BoundedListField(serializers.ListField):
    """A ``ListField`` that must have a ``max_length`` (``maxItems`` in the OpenAPI document) and
    checks it before its items, so a list of 5,000 costs one ``len()``. The message may use
    ``{max_length}`` and ``{count}``: "At most 10 redirect URIs are allowed; 11 were given."."""

    default_error_messages = {"max_length": "At most {max_length} items are allowed; {count} were given."}

    def __init__(self, *, max_length: int, **kwargs):
        super().__init__(max_length=max_length, **kwargs)

    def run_child_validation(self, data):
        # Called with the list itself (JSON, or form fields already gathered), before any item.
        if len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length, count=len(data))
        return super().run_child_validation(data)


# (field class, the JSON types its value must have, how to say it); the first match wins.
_JSON_TYPES: list[tuple[type, tuple[type, ...], str]] = [
    (serializers.BooleanField, (bool,), "a boolean (true or false)"),
    (serializers.IntegerField, (int,), "an integer"),
    (serializers.CharField, (str,), "a string"),
    (serializers.ChoiceField, (str,), "a string"),
    (serializers.ListField, (list,), "a list"),
    (serializers.ListSerializer, (list,), "a list"),
    (serializers.DictField, (dict,), "an object"),
    (serializers.BaseSerializer, (dict,), "an object"),
]


def _json_type(field: serializers.Field) -> tuple[tuple[type, ...], str] | None:
    if hasattr(field, "json_types"):
        return field.json_types
    for field_class, types, name in _JSON_TYPES:
        if isinstance(field, field_class):
            return types, name
    return None


class TypedInputSerializer(serializers.Serializer):
    """An input serializer whose JSON values must have the type the OpenAPI document gives them.

    DRF converts on its own: ``0`` becomes ``"0"`` for a string field, ``"yes"`` or ``1`` becomes
    ``True`` for a boolean, ``"5"`` becomes ``5`` for an integer. A JSON body is held to its
    documented types instead (``null`` is left to each field's ``allow_null``); form fields, which
    are all text, are converted as before."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping) and not html.is_html_input(data):
            errors = {}
            for field in self.fields.values():
                value = data.get(field.field_name)
                if field.read_only or value is None:
                    continue
                expected = _json_type(field)
                wrong_bool = isinstance(value, bool) and expected and bool not in expected[0]
                if expected and (not isinstance(value, expected[0]) or wrong_bool):
                    errors[field.field_name] = [f"Expected {expected[1]}."]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "maxLength": 64},
            {"type": "integer", "minimum": 0, "maximum": 999_999_999},
        ],
        "description": "The account's GUID or account number (a JSON number is taken too).",
    }
)
class AccountRefField(serializers.CharField):
    """An account's GUID or 9-digit number; CloudLink clients send the number as a JSON number too."""

    json_types = ((str, int), "a string or a number")

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)
