"""``json.loads`` with a nesting limit, for every body a client sends (API, console pastes).

Python's ``json`` module recurses once per ``[`` or ``{``: a body of a thousand brackets raises
``RecursionError`` (a 500) before any view code runs. No CloudLink body nests more than a few
levels, so a document deeper than ``MAX_JSON_DEPTH`` is refused before it is parsed. The depth
is measured by a linear scan that skips string literals, so ``"[[[["`` inside a value counts for
nothing. Pure Python, no Django: the PBX list reader uses it too.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_JSON_DEPTH = 32

# A string literal (an unterminated one runs to the end, so the scan stays linear) or a bracket.
_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]+|\\.)*(?:"|\\?\Z)|[\[\]{}]', re.DOTALL)


class JsonTooDeep(ValueError):
    """The document nests more than ``limit`` arrays and objects."""

    def __init__(self, limit: int = MAX_JSON_DEPTH):
        super().__init__(f"The JSON body nests arrays and objects deeper than {limit} levels.")
        self.limit = limit


def json_depth_check(text: str, limit: int = MAX_JSON_DEPTH) -> None:
    """Raise ``JsonTooDeep`` when ``text`` opens more than ``limit`` arrays/objects at once."""
    if text.count("[") + text.count("{") <= limit:  # the common case: two scans in C
        return
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        char = match.group()
        if char in "[{":
            depth += 1
            if depth > limit:
                raise JsonTooDeep(limit)
        elif char in "]}":
            depth -= 1


def json_loads(text: str | bytes, limit: int = MAX_JSON_DEPTH, **kwargs: Any) -> Any:
    """``json.loads`` that raises ``JsonTooDeep`` (a ``ValueError``) for documents nested deeper
    than ``limit``; otherwise the same answers and errors as ``json.loads``."""
    if isinstance(text, bytes | bytearray):
        text = text.decode("utf-8-sig")
    json_depth_check(text, limit)
    return json.loads(text, **kwargs)
