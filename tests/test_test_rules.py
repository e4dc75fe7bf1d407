"""The tests' own rules (docs/architecture.md, Tests), read from the test code with ``ast``:

* no real sleep: nothing calls ``time.sleep`` (or a ``sleep`` imported from ``time``) except
  ``tests/waiting.py``, the bounded poll every test waits with; simulated time is time-machine or
  the ``throttle_clock`` fixture;
* no assertion that accepts several statuses: no ``status_code in (...)`` / ``not in (...)``;
  the code answers one status, the test names it;
* the tests mirror the layout: every package under ``tests/`` is a package of the project at the
  same path (``tests/gateways/pbx`` tests ``gateways/pbx``), apart from the few listed below;
* rows come from the factories (``tests/<app>/factories.py``): no ``Model.objects.create(...)``
  in a test (``bulk_create`` stays for the thousands of rows a query-count or size test needs);
* a test module's name says what it covers, not which issue asked for it (no ``issueN``).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
TESTS = ROOT / "tests"
WAITING = TESTS / "waiting.py"

# Test packages with no package of the same name, and why.
NOT_MIRRORED = {
    "browser": "journeys through every app in a real browser; run apart (they need Chromium)",
}


def python_files() -> list[Path]:
    return sorted(TESTS.rglob("*.py"))


def real_sleeps(source: str) -> list[int]:
    """Lines that call ``time.sleep`` or a ``sleep`` imported from ``time``, or hand ``time.sleep``
    on (``transport.sleep = time.sleep``)."""
    tree = ast.parse(source)
    sleep_names = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "time"
        for alias in node.names
        if alias.name == "sleep"
    }
    lines = []
    for node in ast.walk(tree):
        if (
            (
                isinstance(node, ast.Attribute)
                and node.attr == "sleep"
                and isinstance(node.value, ast.Name)
                and node.value.id == "time"
            )
            or isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in sleep_names
        ):
            lines.append(node.lineno)
    return sorted(lines)


def _is_status(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr in {"status_code", "status"}
    if isinstance(node, ast.Subscript):
        return isinstance(node.slice, ast.Constant) and node.slice.value == "status"
    return isinstance(node, ast.Name) and node.id in {"status", "status_code"}


def several_statuses(source: str) -> list[int]:
    """Lines that compare a status with ``in`` / ``not in`` a collection of numbers."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare):
            continue
        for op, right in zip(node.ops, node.comparators, strict=True):
            if (
                isinstance(op, (ast.In, ast.NotIn))
                and _is_status(node.left)
                and isinstance(right, (ast.Tuple, ast.List, ast.Set, ast.Call))
            ):
                lines.append(node.lineno)
    return lines


def direct_creates(source: str) -> list[int]:
    """Lines that call ``<Model>.objects.create(...)`` on a model named in the module (a
    historical model of a migration test, ``apps.get_model(...).objects.create``, is not one)."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "create"
        and isinstance(node.func.value, ast.Attribute)
        and node.func.value.attr == "objects"
        and isinstance(node.func.value.value, ast.Name)
    ]


def test_the_checkers_catch_what_they_forbid():
    assert real_sleeps("import time\ntime.sleep(1)\n") == [2]
    assert real_sleeps("from time import sleep as nap\nnap(0.1)\n") == [2]
    assert real_sleeps("import time\nclient.sleep = time.sleep\n") == [2]
    assert real_sleeps("import time\nclock.advance(1)\nqueue.get(timeout=1)\n") == []
    assert several_statuses("assert response.status_code in (200, 201)\n") == [1]
    assert several_statuses("if r.status_code not in {401, 403}: pass\n") == [1]
    assert several_statuses("assert body['status'] in ['done', 'failed']\n") == [1]
    assert several_statuses("assert response.status_code == 201\nassert 'x' in names\n") == []
    assert direct_creates("Gateway.objects.create(name='x')\n") == [1]
    assert direct_creates("GatewayFactory(name='x')\nUser.objects.bulk_create(users)\n") == []
    assert direct_creates("apps.get_model('gateways', 'Gateway').objects.create(name='x')\n") == []


def test_no_test_sleeps_for_real():
    offenders = {
        str(path.relative_to(ROOT)): lines
        for path in python_files()
        if path != WAITING and (lines := real_sleeps(path.read_text()))
    }
    assert offenders == {}, "wait with tests.waiting.wait_until or move a simulated clock"


def test_no_assertion_accepts_several_statuses():
    offenders = {
        str(path.relative_to(ROOT)): lines
        for path in python_files()
        if (lines := several_statuses(path.read_text()))
    }
    assert offenders == {}, "assert the one status the code answers"


def test_rows_come_from_the_factories():
    offenders = {
        str(path.relative_to(ROOT)): lines
        for path in python_files()
        if path.name != "factories.py" and (lines := direct_creates(path.read_text()))
    }
    assert offenders == {}, "use the model's factory in tests/<app>/factories.py"


def test_tests_mirror_the_layout():
    packages = sorted({path.parent for path in TESTS.rglob("*.py")} - {TESTS})
    unmirrored = []
    for package in packages:
        relative = package.relative_to(TESTS)
        if relative.parts[0] in NOT_MIRRORED:
            continue
        if not (ROOT / relative).is_dir() or not (ROOT / relative / "__init__.py").exists():
            unmirrored.append(str(relative))
    assert unmirrored == [], "a tests/ package is named after the project package it tests"
    assert all((ROOT / name).is_dir() is False for name in NOT_MIRRORED), "now mirrored: strike it off"


def test_every_test_package_is_a_package():
    missing = [
        str(path.parent.relative_to(ROOT))
        for path in TESTS.rglob("test_*.py")
        if not (path.parent / "__init__.py").exists()
    ]
    assert missing == []


def test_test_modules_are_named_after_what_they_cover():
    named_after_an_issue = [
        str(path.relative_to(ROOT)) for path in python_files() if re.search(r"issue_?\d+", path.stem)
    ]
    assert named_after_an_issue == []
