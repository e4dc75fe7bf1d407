"""Comments and docstrings cite what is in the repository (docs/architecture.md, Tests):

* a ``docs/<name>.md`` they name exists;
* a project file they name by path (``gateways/pbx/csta.py``) exists;
* a project module or name they quote (````oauth.grants````, ````core.netpolicy.connect_checked````) imports;
* none cites the research notes kept outside the repository (``console-features.md``,
  ``cloudlink-api.md``, ``peers.md``, ``style-guide.md``): what the code relies on is in ``docs/``.

Migrations are left out: they describe the code of their time.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PACKAGES = [
    "core",
    "accounts",
    "oauth",
    "integrations",
    "gateways",
    "chat",
    "notifications",
    "media",
    "portal",
]
PACKAGES += ["cloudlink", "tests"]
OUTSIDE_NOTES = re.compile(r"console-features\.md|cloudlink-api\.md|peers\.md|style-guide\.md|/work/shared")
DOC = re.compile(r"\bdocs/[\w.-]+\.md\b")
PATH = re.compile(rf"(?<![\w/.])(?:{'|'.join(PACKAGES)})/[\w/]+\.py\b")
QUOTED = re.compile(rf"``((?:{'|'.join(PACKAGES[:-1])})(?:\.\w+)+)``")


def sources() -> list[Path]:
    files = [path for package in PACKAGES for path in (ROOT / package).rglob("*.py")]
    files += list((ROOT / "templates").rglob("*.html"))
    return sorted(path for path in files if "migrations" not in path.parts)


def resolves(dotted: str) -> bool:
    """``app_label.Model``, or ``a.b.c``: the longest importable module prefix, then attributes."""
    parts = dotted.split(".")
    if len(parts) == 2:
        try:
            apps.get_model(dotted)
            return True
        except (LookupError, ValueError):
            pass
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(target, name):
                return False
            target = getattr(target, name)
        return True
    return False


def test_cited_docs_exist():
    missing = {
        f"{path.relative_to(ROOT)}: {ref}"
        for path in sources()
        for ref in DOC.findall(path.read_text())
        if not (ROOT / ref).exists()
    }
    assert missing == set()


def test_cited_files_exist():
    missing = {
        f"{path.relative_to(ROOT)}: {ref}"
        for path in sources()
        for ref in PATH.findall(path.read_text())
        if not (ROOT / ref).exists()
    }
    assert missing == set()


def test_quoted_modules_import():
    missing = {
        f"{path.relative_to(ROOT)}: {ref}"
        for path in sources()
        if path.suffix == ".py"
        for ref in QUOTED.findall(path.read_text())
        if not resolves(ref)
    }
    assert missing == set()


def test_no_comment_cites_notes_outside_the_repository():
    citing = sorted(
        str(path.relative_to(ROOT))
        for path in sources()
        if path != Path(__file__) and OUTSIDE_NOTES.search(path.read_text())
    )
    assert citing == [], "cite the docs/ page that holds the fact"
