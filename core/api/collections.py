"""The CloudLink collection envelope and its paging links.

``{"count": <items on this page>, "_links": {"self": ..., "next": ...}, "_embedded": {"items": [...]}}``

Links are *service-relative*, as CloudLink writes them: ``/2017-09-01/accounts?$skip=2&$top=2``
(the mount prefix ``/api/<service>`` is left out), so a client that was given the base URL
``http://host/api/admin`` follows a link by appending it to that base. ``next`` is present only
when another page exists; it repeats every query option of the request and advances ``$skip``.
A page is read with one query (``$top + 1`` rows): no ``COUNT(*)`` is ever run.

A collection may pass a ``keyset`` (its default order's key, e.g. ``Lower("email")``): in that
order its ``next`` link carries ``$skiptoken``, a cursor naming the last row, and the next page
starts after that row through the index instead of counting ``$skip`` rows from the start
(which grows with the depth of the page). ``$skip`` keeps working, alone or after a cursor.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import quote

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import get_script_prefix
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from core.api.odata import MAX_FILTER_LENGTH, MAX_INTEGER, MAX_TOP, InvalidQueryOption, QueryOptions

_MOUNT = re.compile(r"^/api/[^/]+(?=/)")
_LINK_SAFE = "$'(),:*!@"


def service_relative(path: str) -> str:
    """``/api/admin/2017-09-01/accounts`` -> ``/2017-09-01/accounts`` (also drops a script prefix)."""
    prefix = get_script_prefix()
    if prefix != "/" and path.startswith(prefix):
        path = "/" + path[len(prefix) :]
    return _MOUNT.sub("", path, count=1)


def _query(pairs: Iterable[tuple[str, str]]) -> str:
    return "&".join(f"{quote(key, safe=_LINK_SAFE)}={quote(value, safe=_LINK_SAFE)}" for key, value in pairs)


def collection_links(
    request: HttpRequest, options: QueryOptions, *, has_more: bool, cursor: str | None = None
) -> dict[str, str]:
    path = service_relative(request.path)
    pairs = [(key, value) for key, values in request.GET.lists() for value in values]
    links = {"self": f"{path}?{_query(pairs)}" if pairs else path}
    if has_more:
        paging = {"$skip", "$top", "$skiptoken"}
        kept = [(key, value) for key, value in pairs if key.lower() not in paging]
        if cursor is not None:
            kept += [("$skiptoken", cursor), ("$top", str(options.top))]
        else:
            kept += [("$skip", str(options.skip + options.top)), ("$top", str(options.top))]
        links["next"] = f"{path}?{_query(kept)}"
    return links


_KEY = "_keyset_key"


def cursor_encode(key: Any, pk: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([key, pk]).encode()).decode().rstrip("=")


def cursor_decode(text: str) -> tuple[Any, int]:
    try:
        key, pk = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        if isinstance(pk, int) and isinstance(key, str):
            return key, pk
    except (ValueError, TypeError, binascii.Error):
        pass
    raise InvalidQueryOption("$skiptoken is not a cursor from this collection's next link.")


def collection_page(
    request: HttpRequest,
    queryset: QuerySet,
    options: QueryOptions,
    serialize: Callable[[Sequence[Any]], list[dict]],
    *,
    keyset: Any = None,
) -> dict[str, Any]:
    """Apply the options to ``queryset`` (filter, order with ``pk`` as the tie-breaker, slice)
    and return the envelope around ``serialize(rows)``. ``keyset``: the default order's key
    expression (ascending), for cursor paging in that order."""
    queryset = queryset.filter(options.filter).order_by(*options.ordering, "pk")
    by_key = keyset is not None and options.default_order
    if by_key:
        queryset = queryset.annotate(**{_KEY: keyset})
        if options.skiptoken:
            key, pk = cursor_decode(options.skiptoken)
            # The ``>=`` bounds the index scan; the OR orders ties by pk.
            after = Q(**{f"{_KEY}__gt": key}) | Q(**{_KEY: key, "pk__gt": pk})
            queryset = queryset.filter(**{f"{_KEY}__gte": key}).filter(after)
    rows = list(queryset[options.skip : options.skip + options.top + 1])
    has_more = len(rows) > options.top
    rows = rows[: options.top]
    cursor = cursor_encode(getattr(rows[-1], _KEY), rows[-1].pk) if by_key and has_more else None
    return {
        "count": len(rows),
        "_links": collection_links(request, options, has_more=has_more, cursor=cursor),
        "_embedded": {"items": serialize(rows)},
    }


# --- OpenAPI description ----------------------------------------------------------------------


def odata_text(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, {"type": "string", "maxLength": MAX_FILTER_LENGTH}, description=description)


TOP = OpenApiParameter(
    "$top",
    {"type": "integer", "minimum": 1, "maximum": MAX_INTEGER},
    description=f"Page size: 100 by default. A larger value than {MAX_TOP} is not refused: the page "
    f"holds {MAX_TOP} items and `_links.next` continues.",
)
SKIP = OpenApiParameter(
    "$skip", {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER}, description="Number of items to skip."
)
ODATA_PARAMETERS = [
    odata_text("$filter", "OData filter, e.g. `name eq 'Acme'`, `contains(name,'ac') and active eq true`."),
    odata_text("$orderby", "e.g. `name desc, accountNumber`."),
    TOP,
    SKIP,
    odata_text(
        "$skiptoken",
        "A cursor from a `_links.next` link (collections in their default order): the page after "
        "the row it names. Other collections accept and ignore it.",
    ),
    odata_text("$expand", "Related data to include, e.g. `tags`."),
    odata_text("$select", "Accepted and ignored."),
    odata_text("$count", "Accepted and ignored."),
]


class _CollectionLinksSerializer(serializers.Serializer):
    self = serializers.CharField()
    next = serializers.CharField(required=False)


def collection_serializer(item: type[serializers.Serializer], name: str) -> type[serializers.Serializer]:
    """A serializer class describing the envelope around ``item`` (for the OpenAPI document)."""
    embedded = type(f"{name}Embedded", (serializers.Serializer,), {"items": item(many=True)})
    return type(
        name,
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(help_text="Number of items on this page."),
            "_links": _CollectionLinksSerializer(),
            "_embedded": embedded(),
        },
    )
