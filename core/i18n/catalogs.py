"""Compile the translation catalogues (``locale/<lang>/LC_MESSAGES/django.po``) to ``.mo`` files in
pure Python (polib), so neither the build nor the tests need GNU gettext installed."""

from __future__ import annotations

from pathlib import Path

import polib
from django.conf import settings


def catalogue_paths() -> list[Path]:
    return sorted(path for root in settings.LOCALE_PATHS for path in Path(root).glob("*/LC_MESSAGES/*.po"))


def catalogues_compile(*, force: bool = False) -> list[Path]:
    """Write each ``.mo`` whose ``.po`` is newer (every one with ``force``); the written paths."""
    written = []
    for po_path in catalogue_paths():
        mo_path = po_path.with_suffix(".mo")
        if force or not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            written.append(mo_path)
    return written
