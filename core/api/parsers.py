"""The API's JSON parser: DRF's, with the nesting limit of ``core.safe_json`` (the default parser
of every API view, see ``REST_FRAMEWORK`` in settings). Too deep: 400 ``BadRequest``."""

from __future__ import annotations

import codecs

from rest_framework import exceptions, parsers
from rest_framework.utils.json import strict_constant

from core.safe_json import JsonTooDeep, json_loads


class JsonTooDeepError(exceptions.APIException):
    """Not a ParseError: views that rename parse errors (MissingBodyInRequest) leave it be. (Not an
    ``ApiError`` either: ``core.api.errors`` imports DRF's views, which import this module.)"""

    status_code = 400
    name = "BadRequest"


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
            return json_loads(text, parse_constant=strict_constant if self.strict else None)
        except JsonTooDeep as exc:
            raise JsonTooDeepError(str(exc)) from None
        except ValueError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None
