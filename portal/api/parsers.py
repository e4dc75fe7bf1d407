"""The API's JSON parser: DRF's, with the nesting limit of ``portal.safe_json`` (the default parser
of every API view, see ``REST_FRAMEWORK`` in settings). Too deep: 400 ``BadRequest``."""

from __future__ import annotations

import codecs

from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils.json import strict_constant

from portal.safe_json import JsonTooDeep, json_loads

from .errors import ApiError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
            return json_loads(text, parse_constant=strict_constant if self.strict else None)
        except JsonTooDeep as exc:
            # Not a ParseError: views that rename parse errors (MissingBodyInRequest) leave it be.
            raise ApiError("BadRequest", str(exc), 400) from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
