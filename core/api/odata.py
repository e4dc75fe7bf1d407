"""OData query options for API collections: ``$filter`` (turned into a ``Q``), ``$orderby``,
``$top``, ``$skip``, ``$skiptoken`` (a cursor: ``core.api.collections``), ``$expand``
(``$select``, ``$count`` accepted and ignored).

Safety: a resource declares a whitelist of API field names (``FilterField``), each mapped to one
ORM lookup. Nothing else from the query string reaches the ORM: lookups come from the whitelist
and a fixed set of suffixes, values are bound as query parameters.

Grammar of ``$filter`` (keywords and field names are case-insensitive)::

    expr       := and_expr ("or" and_expr)*
    and_expr   := unary ("and" unary)*
    unary      := "not" unary | primary
    primary    := "(" expr ")" | function [("eq" | "ne") boolean] | operand op operand
    op         := eq | ne | gt | ge | lt | le
    function   := contains(field, 'x') | startswith(field, 'x') | endswith(field, 'x')
                | substringof('x', field)            (either argument order)
    operand    := field | 'string' ('' escapes a quote) | number | true | false | null
                | bare GUID | bare date or date-time | datetime'...' | guid'...'

One comparison needs a field on one side and a value on the other. String functions are
case-insensitive; ``eq`` on strings is exact. Surrounding double quotes, ``%20`` for spaces and a
doubly URL-encoded value are tolerated.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import unquote

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from core.api.errors import ApiError

DEFAULT_TOP = 100
MAX_TOP = 1000
MAX_FILTER_LENGTH = 2000  # also the longest value of any other $ option
MAX_INTEGER = 999_999_999  # $top and $skip: at most 9 digits
MAX_DEPTH = 25

# Query parameters a collection understands; every other ``$`` option is a 400.
IGNORED_OPTIONS = frozenset({"$select", "$count", "$search", "$format", "$inlinecount"})


class InvalidFilter(ApiError):
    def __init__(self, message: str):
        super().__init__("InvalidFilter", message, 400)


class InvalidQueryOption(ApiError):
    def __init__(self, message: str):
        super().__init__("BadRequest", message, 400)


# --- fields ---------------------------------------------------------------------------------

STRING, NUMBER, BOOLEAN, DATETIME, GUID = "string", "number", "boolean", "datetime", "guid"
_SUFFIX = {"eq": "exact", "ne": "exact", "gt": "gt", "ge": "gte", "lt": "lt", "le": "lte"}
_FUNCTION_SUFFIX = {
    "contains": "icontains",
    "substringof": "icontains",
    "startswith": "istartswith",
    "endswith": "iendswith",
}


@dataclass(frozen=True)
class FilterField:
    """One API field a collection may be filtered and ordered by.

    ``lookup`` is the ORM path; ``type`` decides which literals are accepted; ``to_db`` maps
    the API value to the stored one (e.g. ``active: true`` -> ``status = "active"``);
    ``build(suffix, value)`` replaces the default ``Q(**{lookup__suffix: value})`` when one API
    field spans several columns; ``order`` is the ordering expression (default: ``lookup``).
    """

    lookup: str
    type: str = STRING
    to_db: Callable[[Any], Any] | None = None
    build: Callable[[str, Any], Q] | None = None
    order: Any = None
    sortable: bool = True

    def q(self, suffix: str, value: Any) -> Q:
        if self.build is not None:
            return self.build(suffix, value)
        return Q(**{f"{self.lookup}__{suffix}": value})

    def order_expression(self, descending: bool):
        target = self.order if self.order is not None else self.lookup
        if isinstance(target, str):
            return f"-{target}" if descending else target
        return target.desc() if descending else target.asc()


Fields = Mapping[str, FilterField]


def _resolve_field(name: str, fields: Fields, option: str) -> FilterField:
    if name in fields:
        return fields[name]
    lowered = {key.lower(): value for key, value in fields.items()}
    if name.lower() in lowered:
        return lowered[name.lower()]
    error = InvalidFilter if option == "$filter" else InvalidQueryOption
    raise error(f"Unknown field '{name}' in {option}. Allowed fields: {', '.join(sorted(fields))}.")


# --- tokenizer ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # name | string | number | guid | datetime | ( | ) | , | end
    text: str
    pos: int
    value: Any = None


_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_DATETIME = r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_PATTERNS = [
    ("space", re.compile(r"(?:\s|%20)+")),
    ("typed", re.compile(r"(datetime|datetimeoffset|guid)'((?:[^']|'')*)'", re.IGNORECASE)),
    ("string", re.compile(r"'((?:[^']|'')*)'")),
    ("guid", re.compile(_GUID + r"(?![\w-])")),
    ("datetime", re.compile(_DATETIME + r"(?![\w:.-])")),
    ("number", re.compile(r"-?\d+(?:\.\d+)?(?![\w.])")),
    ("name", re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:/[A-Za-z_][A-Za-z0-9_]*)*")),
    ("punct", re.compile(r"[(),]")),
]


def _tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        for kind, pattern in _PATTERNS:
            match = pattern.match(text, pos)
            if not match:
                continue
            if kind == "typed":
                prefix, raw = match.group(1).lower(), match.group(2).replace("''", "'")
                tokens.append(Token("guid" if prefix == "guid" else "datetime", match.group(0), pos, raw))
            elif kind == "string":
                tokens.append(Token("string", match.group(0), pos, match.group(1).replace("''", "'")))
            elif kind == "punct":
                tokens.append(Token(match.group(0), match.group(0), pos))
            elif kind != "space":
                tokens.append(Token(kind, match.group(0), pos, match.group(0)))
            pos = match.end()
            break
        else:
            if text[pos] == "'":
                raise InvalidFilter(f"Unterminated string literal starting at position {pos + 1}.")
            raise InvalidFilter(f"Unexpected character {text[pos]!r} at position {pos + 1}.")
    tokens.append(Token("end", "", len(text)))
    return tokens


# --- parser ---------------------------------------------------------------------------------

_COMPARISONS = frozenset(_SUFFIX)
_LITERAL_NAMES = {"true": True, "false": False, "null": None}
_NEGATE = {"eq": "eq", "ne": "ne", "gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}


def normalize_filter(text: str) -> str:
    """Undo the wrappings clients put around ``$filter``: quotes, double URL-encoding."""
    text = (text or "").strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].strip()
    if "%" in text and " " not in text and "'" not in text:
        text = unquote(text).strip()
    return text


class _Parser:
    def __init__(self, text: str, fields: Fields):
        self.tokens = _tokenize(text)
        self.index = 0
        self.fields = fields
        self.depth = 0

    # token helpers
    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def _keyword(self, token: Token | None = None) -> str:
        token = token or self.current
        return token.text.lower() if token.kind == "name" else ""

    def _advance(self) -> Token:
        token = self.current
        self.index += 1
        return token

    def _expect(self, kind: str, what: str) -> Token:
        if self.current.kind != kind:
            raise InvalidFilter(
                f"Expected {what} at position {self.current.pos + 1}, found {self._describe()}."
            )
        return self._advance()

    def _describe(self, token: Token | None = None) -> str:
        token = token or self.current
        return "the end of the filter" if token.kind == "end" else f"'{token.text}'"

    # grammar
    def parse(self) -> Q:
        if self.current.kind == "end":
            raise InvalidFilter("The filter is empty.")
        q = self._or()
        if self.current.kind != "end":
            raise InvalidFilter(
                f"Unexpected {self._describe()} at position {self.current.pos + 1}; "
                "expected 'and', 'or' or the end of the filter."
            )
        return q

    def _or(self) -> Q:
        q = self._and()
        while self._keyword() == "or":
            self._advance()
            q = q | self._and()
        return q

    def _and(self) -> Q:
        q = self._unary()
        while self._keyword() == "and":
            self._advance()
            q = q & self._unary()
        return q

    def _unary(self) -> Q:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise InvalidFilter("The filter is nested too deeply.")
        try:
            if self._keyword() == "not":
                self._advance()
                return ~self._unary()
            return self._primary()
        finally:
            self.depth -= 1

    def _primary(self) -> Q:
        token = self.current
        if token.kind == "(":
            self._advance()
            q = self._or()
            self._expect(")", "')'")
            return q
        if token.kind == "name" and self.tokens[self.index + 1].kind == "(":
            return self._function()
        return self._comparison()

    def _function(self) -> Q:
        name_token = self._advance()
        name = name_token.text.lower()
        if name not in _FUNCTION_SUFFIX:
            raise InvalidFilter(
                f"Unsupported function '{name_token.text}'. "
                "Supported: contains, startswith, endswith, substringof."
            )
        self._advance()  # (
        first = self._operand()
        self._expect(",", f"',' between the arguments of {name}()")
        second = self._operand()
        self._expect(")", f"')' closing {name}()")
        fields = [arg for arg in (first, second) if arg.kind == "name" and arg.value not in _LITERAL_NAMES]
        texts = [arg for arg in (first, second) if arg.kind == "string"]
        if len(fields) != 1 or len(texts) != 1:
            raise InvalidFilter(f"{name}() takes one field and one quoted string, e.g. {name}(name,'abc').")
        api_field = _resolve_field(fields[0].text, self.fields, "$filter")
        if api_field.type != STRING:
            raise InvalidFilter(f"{name}() applies to text fields only, not '{fields[0].text}'.")
        q = api_field.q(_FUNCTION_SUFFIX[name], texts[0].value)
        # Tolerate "contains(name,'x') eq true" / "... eq false".
        if self._keyword() in ("eq", "ne"):
            op = self._advance().text.lower()
            literal = self._operand()
            if literal.kind != "name" or literal.value not in ("true", "false"):
                raise InvalidFilter(f"{name}() can only be compared with true or false.")
            if (literal.value == "true") != (op == "eq"):
                q = ~q
        return q

    def _operand(self) -> Token:
        token = self.current
        if token.kind in ("name", "string", "number", "guid", "datetime"):
            self._advance()
            if token.kind == "name":
                return Token("name", token.text, token.pos, token.text.lower())
            return token
        raise InvalidFilter(
            f"Expected a field or a value at position {token.pos + 1}, found {self._describe()}."
        )

    def _is_field(self, token: Token) -> bool:
        return token.kind == "name" and token.value not in _LITERAL_NAMES

    def _comparison(self) -> Q:
        left = self._operand()
        op_token = self.current
        op = self._keyword()
        if op not in _COMPARISONS:
            raise InvalidFilter(
                f"Expected an operator (eq, ne, gt, ge, lt, le) after '{left.text}' at position "
                f"{op_token.pos + 1}, found {self._describe()}."
            )
        self._advance()
        right = self._operand()
        if self._is_field(left) and not self._is_field(right):
            field_token, value_token = left, right
        elif self._is_field(right) and not self._is_field(left):
            field_token, value_token, op = right, left, _NEGATE[op]
        else:
            raise InvalidFilter(
                f"The comparison at position {left.pos + 1} needs a field on one side and a value on the other."
            )
        api_field = _resolve_field(field_token.text, self.fields, "$filter")
        value = _literal_value(value_token, api_field, field_token.text)
        if value is None:
            if op not in ("eq", "ne"):
                raise InvalidFilter(f"'{field_token.text}' can only be compared with null using eq or ne.")
            q = api_field.q("isnull", True)
            return q if op == "eq" else ~q
        if api_field.type == BOOLEAN and op not in ("eq", "ne"):
            raise InvalidFilter(f"'{field_token.text}' is true or false; compare it with eq or ne.")
        q = api_field.q(_SUFFIX[op], value)
        return ~q if op == "ne" else q


def _literal_value(token: Token, api_field: FilterField, name: str) -> Any:
    """Convert a literal token to the field's type (then ``to_db``), or raise InvalidFilter."""
    if token.kind == "name":
        value = _LITERAL_NAMES[token.value]
        if value is None:
            return None
        raw: Any = value
    else:
        raw = token.value
    kind = api_field.type
    problem = f"{token.text} is not a valid value for '{name}'"
    if kind == STRING:
        if isinstance(raw, bool):
            raise InvalidFilter(f"{problem}: expected a quoted string.")
        value = str(raw)
    elif kind == NUMBER:
        try:
            number = Decimal(str(raw)) if not isinstance(raw, bool) else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise InvalidFilter(f"{problem}: expected a number.")
        value = int(number) if number == number.to_integral_value() else number
    elif kind == BOOLEAN:
        if isinstance(raw, str) and raw.lower() in ("true", "false") and token.kind == "string":
            raw = raw.lower() == "true"
        if not isinstance(raw, bool):
            raise InvalidFilter(f"{problem}: expected true or false.")
        value = raw
    elif kind == DATETIME:
        value = _parse_datetime(raw)
        if value is None:
            raise InvalidFilter(f"{problem}: expected an ISO 8601 date or date-time.")
    elif kind == GUID:
        try:
            value = uuid.UUID(str(raw))
        except (ValueError, AttributeError):
            raise InvalidFilter(f"{problem}: expected a GUID.") from None
    else:  # pragma: no cover - a resource declared an unknown type
        raise ValueError(f"Unknown filter field type {kind!r}")
    return api_field.to_db(value) if api_field.to_db else value


def _parse_datetime(raw: Any) -> dt.datetime | None:
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    try:
        value = parse_datetime(text.replace(" ", "T", 1) if "T" not in text else text)
        if value is None:
            day = parse_date(text)
            value = dt.datetime.combine(day, dt.time.min) if day else None
    except ValueError:
        return None
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def filter_q(text: str, fields: Fields) -> Q:
    """Turn an OData ``$filter`` into a ``Q`` over the whitelisted ``fields``; InvalidFilter on error."""
    text = normalize_filter(text)
    if len(text) > MAX_FILTER_LENGTH:
        raise InvalidFilter(f"The filter is longer than {MAX_FILTER_LENGTH} characters.")
    return _Parser(text, fields).parse()


# --- $orderby, $top, $skip, $expand ---------------------------------------------------------


def order_by(text: str, fields: Fields) -> list:
    """``"name desc, accountNumber"`` -> ORM ordering expressions."""
    ordering = []
    for part in normalize_filter(text).replace("%20", " ").split(","):
        words = part.split()
        if not words:
            raise InvalidQueryOption("$orderby has an empty item; use e.g. $orderby=name desc,accountNumber.")
        if len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise InvalidQueryOption(f"Cannot order by '{part.strip()}'; use '<field> [asc|desc]'.")
        api_field = _resolve_field(words[0], fields, "$orderby")
        if not api_field.sortable:
            raise InvalidQueryOption(f"Cannot order by '{words[0]}'.")
        ordering.append(api_field.order_expression(len(words) == 2 and words[1].lower() == "desc"))
    return ordering


def _non_negative_int(option: str, raw: str, *, minimum: int) -> int:
    text = normalize_filter(raw)
    if not re.fullmatch(r"\d{1,9}", text) or int(text) < minimum:
        kind = "a positive" if minimum > 0 else "a non-negative"
        raise InvalidQueryOption(f"{option} must be {kind} integer, not {raw!r}.")
    return int(text)


@dataclass
class QueryOptions:
    """The parsed OData options of one collection request."""

    filter: Q = field(default_factory=Q)
    ordering: list = field(default_factory=list)
    top: int = DEFAULT_TOP
    skip: int = 0
    expand: frozenset[str] = frozenset()
    skiptoken: str = ""  # a cursor from a ``next`` link (collections paged by keyset; ignored by the others)
    default_order: bool = True  # no $orderby: the collection's default order

    @classmethod
    def parse(
        cls,
        params: Mapping[str, str],
        *,
        fields: Fields,
        default_ordering: tuple = (),
        expandable: frozenset[str] = frozenset(),
        max_top: int = MAX_TOP,
    ) -> QueryOptions:
        """Parse ``$filter``, ``$orderby``, ``$top`` (clamped to ``max_top``), ``$skip`` and
        ``$expand``; accept and ignore ``$select``/``$count``; reject other ``$`` options."""
        for key in params:
            known = {"$filter", "$orderby", "$top", "$skip", "$skiptoken", "$expand"} | IGNORED_OPTIONS
            if key.startswith("$") and key.lower() not in known:
                raise InvalidQueryOption(f"Unsupported query option {key}.")
            if key.startswith("$") and len(params[key]) > MAX_FILTER_LENGTH:
                raise InvalidQueryOption(f"{key} is longer than {MAX_FILTER_LENGTH} characters.")
        get = {key.lower(): value for key, value in params.items() if key.startswith("$")}.get
        options = cls()
        if (text := get("$filter")) is not None and normalize_filter(text):
            options.filter = filter_q(text, fields)
        ordering = order_by(text, fields) if (text := get("$orderby")) else []
        options.ordering = ordering or list(default_ordering)
        options.default_order = not ordering
        options.skiptoken = get("$skiptoken") or ""
        if (text := get("$top")) is not None:
            options.top = min(_non_negative_int("$top", text, minimum=1), max_top)
        if (text := get("$skip")) is not None:
            options.skip = _non_negative_int("$skip", text, minimum=0)
        if (text := get("$expand")) is not None:
            names = {part.strip() for part in normalize_filter(text).split(",")} - {"", "null"}
            unknown = {name for name in names if name.lower() not in expandable}
            if unknown:
                allowed = ", ".join(sorted(expandable)) or "nothing"
                raise InvalidQueryOption(
                    f"Cannot expand {', '.join(sorted(unknown))}; expandable: {allowed}."
                )
            options.expand = frozenset(name.lower() for name in names)
        return options
