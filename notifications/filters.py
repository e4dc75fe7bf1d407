"""Which publications a subscription receives: the subject filter and the publication filter.

Subject filter
    A prefix of the publication's subject (``/2017-09-01/endpoints/`` matches every call of every
    endpoint). A value written as a regular expression anchored at both ends (``^...$``) is matched
    as a regex instead (``^/2017-09-01/endpoints/200[0-9]/calls/.*$``). Empty matches everything.

Publication filter
    JSONPath over ``{"publications": [publication]}`` (the publication as delivered: ``topic``,
    ``method``, ``subject``, ``content``, ``publisher``...); the subscription receives the
    publication when the path selects it. A small, safe subset is implemented (no ``eval``,
    no script expressions)::

        $.publications[?( <expr> )]      $.publications[*]      $.publications      $     (or empty)

        expr     := and ("||" and)*
        and      := unary ("&&" unary)*
        unary    := "!" unary | "(" expr ")" | operand [op operand]
        op       := == | != | === | !== | < | <= | > | >=
        operand  := @ path | 'string' | "string" | number | true | false | null
        path     := ( .name | ['name'] | [index] )*

    An operand alone tests truthiness (``@.content.isCtiEvent``). A missing path is
    ``undefined`` as in JavaScript: ``==`` with it is false, ``!=`` true, ordering false.
    Malformed filters raise ``FilterError`` when the subscription is created.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

MAX_FILTER_LENGTH = 1000
MAX_DEPTH = 20
_MISSING = object()


class FilterError(ValueError):
    pass


# --- subject filter -------------------------------------------------------------------------


def subject_filter_compile(text: str):
    """A predicate over subjects; raises ``FilterError`` for a bad ``^...$`` regex."""
    text = (text or "").strip()
    if not text:
        return lambda subject: True
    if text.startswith("^") and text.endswith("$") and len(text) > 1:
        try:
            pattern = re.compile(text)
        except re.error as exc:
            raise FilterError(f"subjectFilter is not a valid regular expression: {exc}") from exc
        return lambda subject: pattern.fullmatch(subject) is not None
    return lambda subject: subject.startswith(text)


def subject_matches(subject_filter: str, subject: str) -> bool:
    return _subject_cached(subject_filter or "")(subject)


@lru_cache(maxsize=512)
def _subject_cached(text: str):
    return subject_filter_compile(text)


# --- JSONPath publication filter ---------------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
      | (?P<op>===|!==|==|!=|<=|>=|&&|\|\||[<>!()\[\].@?*])
      | (?P<name>[A-Za-z_$][A-Za-z0-9_$]*)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Tok:
    kind: str
    value: str
    pos: int


def _tokenize(text: str) -> list[_Tok]:
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise FilterError(f"publicationFilter: unexpected character {text[pos]!r} at position {pos}.")
        kind = match.lastgroup
        tokens.append(_Tok(kind, match.group(kind), match.start(kind)))
        pos = match.end()
    tokens.append(_Tok("end", "", len(text)))
    return tokens


def _unquote(literal: str) -> str:
    body = literal[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


class _Parser:
    """Recursive descent over the tokens; builds a tree of tuples evaluated by ``_eval``."""

    def __init__(self, text: str):
        self.tokens = _tokenize(text)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> _Tok:
        return self.tokens[self.i]

    def take(self, value: str | None = None, kind: str | None = None) -> _Tok:
        tok = self.tok
        if (value is not None and tok.value != value) or (kind is not None and tok.kind != kind):
            want = value or kind
            got = tok.value or "the end"
            raise FilterError(f"publicationFilter: expected {want!r} at position {tok.pos}, found {got!r}.")
        self.i += 1
        return tok

    def at(self, *values: str) -> bool:
        return self.tok.kind in ("op",) and self.tok.value in values

    # $.publications[?( expr )]
    def root(self):
        self.take("$", "name")
        self.take(".")
        if self.take(kind="name").value != "publications":
            raise FilterError("publicationFilter must select from $.publications.")
        self.take("[")
        self.take("?")
        self.take("(")
        tree = self.expr()
        self.take(")")
        self.take("]")
        self.take(kind="end")
        return tree

    def expr(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FilterError("publicationFilter is nested too deeply.")
        node = self.conj()
        while self.at("||"):
            self.i += 1
            node = ("or", node, self.conj())
        self.depth -= 1
        return node

    def conj(self):
        node = self.unary()
        while self.at("&&"):
            self.i += 1
            node = ("and", node, self.unary())
        return node

    def unary(self):
        if self.at("!"):
            self.i += 1
            return ("not", self.unary())
        if self.at("("):
            self.i += 1
            node = self.expr()
            self.take(")")
            return node
        left = self.operand()
        if self.at("==", "!=", "===", "!==", "<", "<=", ">", ">="):
            op = self.take().value
            right = self.operand()
            return ("cmp", op.replace("===", "==").replace("!==", "!="), left, right)
        return ("truthy", left)

    def operand(self):
        tok = self.tok
        if tok.kind == "string":
            self.i += 1
            return ("lit", _unquote(tok.value))
        if tok.kind == "number":
            self.i += 1
            number = float(tok.value)
            return ("lit", int(number) if number.is_integer() and "." not in tok.value else number)
        if tok.kind == "name" and tok.value in ("true", "false", "null"):
            self.i += 1
            return ("lit", {"true": True, "false": False, "null": None}[tok.value])
        if self.at("@"):
            self.i += 1
            return ("path", tuple(self.path()))
        raise FilterError(
            f"publicationFilter: expected @.path, a string, a number or true/false/null at position "
            f"{tok.pos}, found {tok.value or 'the end'!r}."
        )

    def path(self) -> list:
        steps: list = []
        while True:
            if self.at("."):
                self.i += 1
                steps.append(self.take(kind="name").value)
            elif self.at("["):
                self.i += 1
                tok = self.tok
                if tok.kind == "string":
                    steps.append(_unquote(tok.value))
                elif tok.kind == "number" and tok.value.lstrip("-").isdigit():
                    steps.append(int(tok.value))
                else:
                    raise FilterError(f"publicationFilter: expected a key or an index at position {tok.pos}.")
                self.i += 1
                self.take("]")
            else:
                return steps


_ROOT = re.compile(r"^\$\s*(?:\.\s*publications\s*(?:\[\s*\*\s*\])?)?\s*$")


@lru_cache(maxsize=512)
def publication_filter_compile(text: str):
    """Parse ``text`` (raising ``FilterError``) into a predicate over one publication dict."""
    text = (text or "").strip()
    if not text or _ROOT.match(text):
        return lambda publication: True
    if len(text) > MAX_FILTER_LENGTH:
        raise FilterError(f"publicationFilter is longer than {MAX_FILTER_LENGTH} characters.")
    tree = _Parser(text).root()
    return lambda publication: _truthy(_eval(tree, publication))


def publication_matches(publication_filter: str, publication: dict) -> bool:
    try:
        return publication_filter_compile(publication_filter or "")(publication)
    except FilterError:
        return False


def _resolve(steps, value):
    for step in steps:
        if isinstance(step, int) and isinstance(value, list):
            if -len(value) <= step < len(value):
                value = value[step]
                continue
            return _MISSING
        if isinstance(value, dict) and isinstance(step, str) and step in value:
            value = value[step]
            continue
        if isinstance(value, list) and step == "length":
            value = len(value)
            continue
        return _MISSING
    return value


def _truthy(value) -> bool:
    return value is not _MISSING and value not in (None, False, 0, "") and value == value


def _comparable(a, b) -> bool:
    numbers = (int, float)
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool)
    return (isinstance(a, numbers) and isinstance(b, numbers)) or (isinstance(a, str) and isinstance(b, str))


def _eval(node, publication) -> Any:
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "path":
        return _resolve(node[1], publication)
    if kind == "truthy":
        return _truthy(_eval(node[1], publication))
    if kind == "not":
        return not _truthy(_eval(node[1], publication))
    if kind == "and":
        return _truthy(_eval(node[1], publication)) and _truthy(_eval(node[2], publication))
    if kind == "or":
        return _truthy(_eval(node[1], publication)) or _truthy(_eval(node[2], publication))
    # comparison
    op, left, right = node[1], _eval(node[2], publication), _eval(node[3], publication)
    if op in ("==", "!="):
        equal = left is not _MISSING and right is not _MISSING and _comparable(left, right) and left == right
        if left is None and right is None:
            equal = True
        return equal if op == "==" else not equal
    if left is _MISSING or right is _MISSING or not _comparable(left, right):
        return False
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]
