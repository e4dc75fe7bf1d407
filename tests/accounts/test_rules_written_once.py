"""Rules written once (docs/architecture.md, "The rules"), read from the code with ``ast``:

* roles: no code outside ``accounts/access.py`` and ``accounts/roles.py`` compares a role (a role
  name as a string, ``User.Role.X`` or ``Role.X``) or keeps its own list of roles (``ADMIN_ROLES``,
  ``ROLE_LABELS``); it asks ``access`` (``is_admin``, ``is_exchangeable_role``, ...);
* audit: every audit write names its action as an ``AuditAction``, never a string, and
  ``audit_record`` refuses an action the enum does not list.

Migrations and tests are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings

from accounts import access
from accounts.access import Role
from accounts.audit import AuditAction, audit_record
from accounts.models import AuditEvent, User
from tests.test_layout import PACKAGES

ROOT = Path(settings.BASE_DIR)
ROLE_NAMES = {role.name for role in Role}
RULE_MODULES = {ROOT / "accounts" / "access.py", ROOT / "accounts" / "roles.py"}
AUDIT_WRITERS = {"audit_record", "audit_event_build", "_audit_state"}
ROLE_LISTS = {"ADMIN_ROLES", "ROLE_LABELS"}


def code_files() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{node.lineno}"


def names_a_role(node: ast.AST) -> bool:
    """A role written out: ``"ACCOUNT_ADMIN"``, ``User.Role.ACCOUNT_ADMIN``, ``Role.ACCOUNT_ADMIN``,
    or a tuple / list / set of them."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value in ROLE_NAMES
    if isinstance(node, ast.Attribute) and node.attr in ROLE_NAMES:
        owner = node.value
        return (isinstance(owner, ast.Name) and owner.id == "Role") or (
            isinstance(owner, ast.Attribute) and owner.attr == "Role"
        )
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(names_a_role(element) for element in node.elts)
    return False


def test_no_role_is_compared_outside_access():
    found = []
    for path in code_files():
        if path in RULE_MODULES:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Compare) and any(
                names_a_role(operand) for operand in (node.left, *node.comparators)
            ):
                found.append(f"{where(path, node)}: {ast.unparse(node)}")
    assert not found, "compare roles through accounts.access, not here:\n" + "\n".join(found)


def test_no_module_keeps_its_own_list_of_roles():
    found = []
    for path in code_files():
        for node in ast.walk(ast.parse(path.read_text())):
            name = (
                node.id
                if isinstance(node, ast.Name)
                else node.attr
                if isinstance(node, ast.Attribute)
                else None
            )
            if name in ROLE_LISTS:
                found.append(f"{where(path, node)}: {name}")
    assert not found, "\n".join(found)
    assert not hasattr(access, "home_account")


def test_user_roles_are_the_role_names_of_access():
    assert User.Role.choices == list(access.USER_ROLES)
    assert {Role.of(value) for value in User.Role.values} == {
        Role.USER,
        Role.ACCOUNT_ADMIN,
        Role.PARTNER_ADMIN,
    }
    assert access.admin_role_names() == ["ACCOUNT_ADMIN", "PARTNER_ADMIN", "GLOBAL_ADMIN"]
    assert [access.is_admin(role) for role in Role] == [False, False, True, True, True]
    assert Role.of(User(role="ACCOUNT_ADMIN")) is Role.ACCOUNT_ADMIN
    assert Role.of("OWNER") is None and Role.of(None) is None and not access.is_admin("OWNER")


def audit_writes() -> list[tuple[Path, ast.Call, ast.expr]]:
    writes = []
    for path in code_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            action = next((k.value for k in node.keywords if k.arg == "action"), None)
            if func in AUDIT_WRITERS and action is not None:
                writes.append((path, node, action))
    return writes


def test_every_audit_write_names_an_audit_action():
    writes = audit_writes()
    assert len(writes) >= 40  # the reader found them
    spelled = [
        f"{where(path, call)}: action={ast.unparse(action)}"
        for path, call, action in writes
        if any(
            isinstance(node, ast.JoinedStr)
            or (isinstance(node, ast.Constant) and isinstance(node.value, str))
            for node in ast.walk(action)
        )
    ]
    assert not spelled, "write AuditAction.X, not a string:\n" + "\n".join(spelled)


def test_every_audit_action_is_used_somewhere():
    used = {
        node.attr
        for path in code_files()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "AuditAction"
    }
    assert set(AuditAction.__members__) - used == set()


@pytest.mark.django_db(transaction=False)
def test_audit_record_refuses_an_action_the_enum_does_not_list(customer):
    from django.db import transaction

    with transaction.atomic():
        event = audit_record(actor=None, account=customer, action=AuditAction.ACCOUNT_UPDATED)
        with pytest.raises(ValueError):
            audit_record(actor=None, account=customer, action="account.renamed")
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.action == "account.updated" and type(stored.action) is str
