"""Styles and scripts load once, in the page head (one bundle), never inside a swapped fragment.

A fragment (templates/**/_*.html) is what htmx swaps into a page; a <link> or <script src> in it
is dropped or run twice by the swap, so the swapped part loses its styles (issue 14, defect 1)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
ASSET = re.compile(r"<link[^>]+rel=[\"']?stylesheet|<script[^>]+src=", re.IGNORECASE)


def test_no_fragment_loads_a_stylesheet_or_a_script():
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("_*.html")
        if ASSET.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_only_the_base_templates_load_the_bundle():
    loaders = sorted(
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if re.search(r"static '(css|js)/portal\.", path.read_text(encoding="utf-8"))
    )
    assert loaders == ["500.html", "base.html"]
