"""The catalogue of every language the console offers (settings.LANGUAGES but English) translates every
msgid the code and templates hold."""

import os
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils.translation import to_locale

from core.i18n.catalogs import catalogues_compile

# Catalogue directories (locale names: ``pt-br`` is ``pt_BR``): one per offered language but English.
LANGUAGES = [to_locale(code) for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
ROOT = Path(settings.BASE_DIR)
NOT_SOURCE = {"locale", ".venv", "var", ".git", "tests", "bench", "staticfiles", "media", "node_modules"}


def untranslated(po: polib.POFile) -> list[str]:
    return [entry.msgid for entry in po if not entry.translated() or entry.obsolete]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_committed_msgid_is_translated(language):
    po = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))

    assert len(po) > 500
    assert untranslated(po) == []


def test_makemessages_over_the_current_code_finds_nothing_left_to_translate(tmp_path, settings):
    """Extract the msgids of today's code and templates into a copy of the catalogues (the
    project's own are untouched): none comes out new, empty or fuzzy."""
    sandbox = tmp_path / "project"
    sandbox.mkdir()
    for entry in ROOT.iterdir():
        if entry.name not in NOT_SOURCE and not entry.name.startswith("."):
            (sandbox / entry.name).symlink_to(entry)
    shutil.copytree(ROOT / "locale", sandbox / "locale")
    settings.LOCALE_PATHS = [sandbox / "locale"]
    here = os.getcwd()
    os.chdir(sandbox)
    try:
        call_command("makemessages", locale=LANGUAGES, symlinks=True, no_obsolete=True, verbosity=0)
    finally:
        os.chdir(here)

    for language in LANGUAGES:
        po = polib.pofile(str(sandbox / "locale" / language / "LC_MESSAGES" / "django.po"))
        assert untranslated(po) == [], language


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language):
    po = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
    broken = [
        entry.msgid
        for entry in po
        if "python-format" in entry.flags
        and any(
            sorted(part for part in re.findall(r"%\(\w+\)s", text))
            != sorted(re.findall(r"%\(\w+\)s", entry.msgid))
            for text in ([entry.msgstr] if not entry.msgid_plural else entry.msgstr_plural.values())
        )
    ]
    assert broken == []


def test_the_catalogues_compile_without_gnu_gettext(tmp_path, settings):
    for language in LANGUAGES:
        target = tmp_path / language / "LC_MESSAGES"
        target.mkdir(parents=True)
        shutil.copy(ROOT / "locale" / language / "LC_MESSAGES" / "django.po", target / "django.po")
    settings.LOCALE_PATHS = [tmp_path]

    written = catalogues_compile()

    assert sorted(path.relative_to(tmp_path).parts[0] for path in written) == sorted(LANGUAGES)
    mo = polib.mofile(str(tmp_path / "de" / "LC_MESSAGES" / "django.mo"))
    assert mo.find("Change password").msgstr == "Passwort ändern"
    assert catalogues_compile() == [], "an up-to-date .mo is left alone"
