# SPDX-License-Identifier: GPL-3.0-or-later
"""Translations: the committed .ts files hold every string of the UI, translated; lrelease builds
them; the German window speaks German; the system locale picks the catalog."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QLineEdit, QWidget
from window_doubles import FakeMonitorClient

from memwarden.ui.window.main_window import MainWindow
from memwarden.ui.words import i18n

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "app" / "memwarden" / "ui"
BIN = Path(sys.executable).parent
APP_ID = "io.github.memwarden.MemWarden"
LANGUAGES = ("de", "es")

Key = tuple[str, str, str]  # context, source, disambiguation comment


def makefile_value(name: str) -> str:
    """A ``NAME := value`` line of the Makefile: the test runs lupdate exactly as the build."""
    for line in (ROOT / "Makefile").read_text().splitlines():
        match = re.match(rf"^{name}\s*:=\s*(.*)$", line)
        if match:
            return match.group(1).strip()
    raise AssertionError(f"{name} is not set in the Makefile")


def messages(ts: Path) -> dict[Key, ET.Element]:
    root = ET.parse(ts).getroot()
    found = {}
    for context in root.iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            key = (name, message.findtext("source") or "", message.findtext("comment") or "")
            found[key] = message
    return found


def translations(message: ET.Element) -> list[str]:
    translation = message.find("translation")
    assert translation is not None
    forms = translation.findall("numerusform")
    return [f.text or "" for f in forms] if forms else [translation.text or ""]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> dict[Key, ET.Element]:
    """What lupdate finds in the UI's code now, with the Makefile's arguments."""
    ts = tmp_path_factory.mktemp("lupdate") / "memwarden_de.ts"
    args = shlex.split(makefile_value("LUPDATE_ARGS"))
    sources = sorted(str(p) for p in UI.rglob("*.py"))
    subprocess.run(
        [str(BIN / "pyside6-lupdate"), "-silent", *args, *sources, "-ts", str(ts)], check=True
    )
    found = messages(ts)
    assert len(found) > 100, "lupdate found almost nothing: is the alias/path right?"
    return found


@pytest.fixture(scope="module")
def catalogs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The .qm files, built with pyside6-lrelease as ``make translations`` does."""
    folder = tmp_path_factory.mktemp("qm")
    for language in LANGUAGES:
        ts = ROOT / "i18n" / f"memwarden_{language}.ts"
        subprocess.run(
            [str(BIN / "pyside6-lrelease"), "-silent", str(ts), "-qm",
             str(folder / f"memwarden_{language}.qm")],
            check=True,
        )  # fmt: skip
    return folder


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_of_the_ui_is_in_the_ts(
    language: str, extracted: dict[Key, ET.Element]
) -> None:
    committed = messages(ROOT / "i18n" / f"memwarden_{language}.ts")
    missing = sorted(set(extracted) - set(committed))
    stale = sorted(set(committed) - set(extracted))
    assert not missing, f"not in memwarden_{language}.ts (run make i18n-update): {missing}"
    assert not stale, f"no longer in the code (run make i18n-update): {stale}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated_with_its_placeholders(language: str) -> None:
    ts = ROOT / "i18n" / f"memwarden_{language}.ts"
    root = ET.parse(ts).getroot()
    assert root.get("language", "").startswith(language)
    problems = []
    for key, message in messages(ts).items():
        translation = message.find("translation")
        assert translation is not None
        kind = translation.get("type")
        if kind in ("unfinished", "obsolete", "vanished"):
            problems.append(f"{kind}: {key}")
            continue
        placeholders = sorted(set(re.findall(r"%(?:\d|n)", key[1])))
        for text in translations(message):
            if not text.strip():
                problems.append(f"empty: {key}")
            elif sorted(set(re.findall(r"%(?:\d|n)", text))) != placeholders:
                problems.append(f"placeholders differ: {key} -> {text!r}")
            elif key[1].count("\n") and not text.count("\n"):
                problems.append(f"two-line heading on one line: {key}")
    assert not problems, "\n".join(problems)


def test_the_build_puts_the_catalogs_where_the_package_loads_them() -> None:
    qm = makefile_value("QM")
    match = re.search(r"patsubst i18n/%\.ts,([^,]+)/%\.qm,", qm)
    assert match, qm
    assert ROOT / match.group(1) == i18n.translations_dir()
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", str(i18n.translations_dir() / "memwarden_de.qm")],
        cwd=ROOT, check=False,
    )  # fmt: skip
    assert ignored.returncode == 0, "built catalogs must not be committed"


def _visible_texts(window: MainWindow) -> list[str]:
    texts = [window.windowTitle()]
    texts += [window.tabs.tabText(i) for i in range(window.tabs.count())]
    for widget in window.findChildren(QWidget):
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        elif isinstance(widget, QGroupBox):
            texts.append(widget.title())
        elif isinstance(widget, QLineEdit):
            texts.append(widget.placeholderText())
    model = window.controller.proxy
    texts += [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return [t for t in texts if t]


def test_the_german_window_speaks_german(
    qtbot: Any, qapp: Any, client: FakeMonitorClient, catalogs: Path
) -> None:
    german = QLocale(QLocale.Language.German, QLocale.Country.Germany)
    assert i18n.install_translator(qapp, german, catalogs)
    try:
        window = MainWindow(client)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.controller.snapshot is not None)
        assert window.tabs.tabText(2) == "Einstellungen"
        assert window.headline.text() == "Speicher ist in Ordnung"
        assert window.filter.placeholderText() == "Nach Name oder Art filtern"
        assert window.settings_page.apply_button.text() == "Anwenden"
        # Qt's own strings come from PySide6's qtbase catalog.
        assert QCoreApplication.translate("QPlatformTheme", "&Yes") == "&Ja"

        # No English text whose German differs is left anywhere in the window.
        english = {
            key[1]: translations(m)[0]
            for key, m in messages(ROOT / "i18n" / "memwarden_de.ts").items()
        }
        untranslated = {src for src, de in english.items() if de != src}
        left = [t for t in _visible_texts(window) if t in untranslated]
        assert not left, left
        window.hide()
        qtbot.waitUntil(lambda: not window.controller.pending())
    finally:
        i18n.remove_translators(qapp)
    assert QCoreApplication.translate("MainWindow", "Settings") == "Settings"


_PROBE = """
import sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication
from memwarden.ui.words import i18n
app = QCoreApplication([])
ok = i18n.install_translator(app, directory=Path(sys.argv[1]))
print(ok, QCoreApplication.translate("MainWindow", "Settings"))
"""


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("de_DE.UTF-8", "True Einstellungen"),
        ("es_ES.UTF-8", "True Configuración"),
        ("de_AT.UTF-8", "True Einstellungen"),  # any German falls back to memwarden_de
        ("C.UTF-8", "False Settings"),
        ("fr_FR.UTF-8", "False Settings"),
    ],
)
def test_the_system_locale_picks_the_catalog(lang: str, expected: str, catalogs: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    env |= {"LANG": lang, "PYTHONPATH": str(ROOT / "app"), "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(catalogs)],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert out.stdout.strip() == expected, out.stderr


# -- the .desktop entries, polkit actions and metainfo: gettext po/ (i18n/README.md) --------------


def po_languages() -> list[str]:
    lines = (ROOT / "po" / "LINGUAS").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_po_languages_are_the_ui_languages() -> None:
    assert sorted(po_languages()) == sorted(LANGUAGES)


@pytest.fixture(scope="module")
def pot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The msgids of the .desktop, .policy and metainfo files now (xgettext, ITS rules)."""
    out = tmp_path_factory.mktemp("pot") / "memwarden.pot"
    subprocess.run(
        ["xgettext", "--from-code=UTF-8", "-f", "po/POTFILES.in", "-o", str(out)],
        cwd=ROOT, check=True,
    )  # fmt: skip
    found = out.read_text().count("msgid ")
    assert found >= 20, f"xgettext found too little ({found}: polkit.its or metainfo.its missing?)"
    return out


@pytest.mark.parametrize("language", LANGUAGES)
def test_po_translates_every_desktop_polkit_and_metainfo_string(language: str, pot: Path) -> None:
    po = ROOT / "po" / f"{language}.po"
    # Every msgid of the files is in the .po (msgcmp fails otherwise) …
    subprocess.run(["msgcmp", str(po), str(pot)], check=True, capture_output=True)
    # … translated, none fuzzy, and the file is valid (format checks on).
    stats = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(po)],
        check=True, capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"},
    )  # fmt: skip
    assert re.fullmatch(r"\d+ translated messages?\.", stats.stderr.strip()), stats.stderr


def merged(kind: str, template: str, out: Path) -> Path:
    """``template`` with the translations of po/ merged in, as install-tree installs it."""
    subprocess.run(["msgfmt", kind, "-d", "po", "--template", template, "-o", str(out)],
                   cwd=ROOT, check=True)  # fmt: skip
    return out


def test_msgfmt_merges_the_translations_into_the_installed_files(tmp_path: Path) -> None:
    desktop = merged("--desktop", f"resources/{APP_ID}.desktop", tmp_path / "app.desktop")
    text = desktop.read_text()
    assert "GenericName[de]=Speicherwächter" in text
    assert "Comment[es]=Vea la memoria" in text
    assert re.search(r"^Keywords\[de\]=.*;$", text, re.M)

    policy = merged("--xml", "packaging/polkit/io.github.memwarden.Helper1.policy",
                    tmp_path / "helper.policy")  # fmt: skip
    root = ET.parse(policy).getroot()
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    for action in root.iter("action"):
        for tag in ("description", "message"):
            langs = {e.get(lang) for e in action.findall(tag)}
            assert langs == {None, "de", "es"}, (action.get("id"), tag, langs)

    metainfo = merged("--xml", f"resources/{APP_ID}.metainfo.xml", tmp_path / "app.metainfo.xml")
    component = ET.parse(metainfo).getroot()
    # What a software centre shows: each element in English, German and Spanish …
    for path in ("summary", "description/p", "description/ul/li", "screenshots/screenshot/caption"):
        english = [e for e in component.findall(path) if e.get(lang) is None]
        assert english, path
        for language in ("de", "es"):
            translated = [e for e in component.findall(path) if e.get(lang) == language]
            assert len(translated) == len(english), (path, language)
    german = {e.text for e in component.iter() if e.get(lang) == "de"}
    assert "Die MemWarden-Entwickler" in german
    # … except the product's name, which is marked translate="no".
    assert [e.get(lang) for e in component.findall("name")] == [None]
