"""Serializer fields shared by every API service."""

from __future__ import annotations

from rest_framework import serializers


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
