"""The layout's rules (docs/architecture.md), read from the code's own imports with ``ast``:

* imports run one way, down the layers: core <- accounts <- (the capabilities) <- portal; among the
  capabilities only in the order of ``CAPABILITIES``; ``cloudlink`` (the client) imports no app;
* no import circle between modules, whatever the layer (function-level imports count too);
* nobody imports another package's ``_private`` name.

Migrations are left out: they name the models of their time, not today's layout.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)

# Lowest first. A package may import those before it in this list, never those after it.
CAPABILITIES = ["oauth", "sso", "notifications", "gateways", "integrations", "chat", "media"]
LAYERS = [["core"], ["accounts"], CAPABILITIES, ["portal"]]
STANDALONE = ["cloudlink"]  # imports no app at all
PACKAGES = [package for layer in LAYERS for package in layer] + STANDALONE


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    }


MODULES = project_modules()


def imports_of(path: Path) -> list[tuple[str, str]]:
    """(module imported, name taken from it or "") for every import in the file, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.append((submodule, "") if submodule in MODULES else (node.module, alias.name))
    return found


def edges() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {module: set() for module in MODULES}
    for module, path in MODULES.items():
        graph[module] |= {target for target, _ in imports_of(path) if target in MODULES}
    return graph


def package_of(module: str) -> str:
    return module.split(".")[0]


def rank(package: str) -> tuple[int, int]:
    for layer_index, layer in enumerate(LAYERS):
        if package in layer:
            return layer_index, layer.index(package)
    raise AssertionError(f"{package} is in no layer")


def test_imports_run_down_the_layers():
    upward = []
    for module, targets in edges().items():
        source = package_of(module)
        for target in targets:
            destination = package_of(target)
            if destination == source:
                continue
            if source in STANDALONE or destination in STANDALONE or rank(destination) > rank(source):
                upward.append(f"{module} -> {target}")
    assert upward == []


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return circles


def test_no_import_circles():
    assert strongly_connected(edges()) == []


def test_nobody_imports_another_packages_private_names():
    private = [
        f"{module} takes {name} from {target}"
        for module, path in MODULES.items()
        for target, name in imports_of(path)
        if name.startswith("_")
        and not name.startswith("__")
        and target in MODULES
        and package_of(target) != package_of(module)
    ]
    assert private == []


def test_the_checks_see_an_upward_import_and_a_circle():
    """The rules are only as good as the reader: a made-up upward import and circle are caught."""
    graph = {"core.a": {"accounts.b"}, "accounts.b": {"core.a"}}
    assert strongly_connected(graph) == [["accounts.b", "core.a"]]
    assert rank("portal") > rank("media") > rank("oauth") > rank("accounts") > rank("core")
    assert "core.htmx" in MODULES and "accounts.access" in MODULES
