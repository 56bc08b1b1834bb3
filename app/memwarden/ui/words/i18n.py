# SPDX-License-Identifier: GPL-3.0-or-later
"""Load the UI's translations for the system locale.

The sources are ``i18n/memwarden_<lang>.ts`` (committed); ``make translations`` compiles them with
``pyside6-lrelease`` into ``memwarden/ui/translations/memwarden_<lang>.qm`` inside the package,
where this module finds them at run time (not committed: they are build output). Qt's own strings
(standard buttons such as "Yes"/"Cancel", file dialogs) come from the ``qtbase_<lang>.qm`` that
PySide6 ships.

Call :func:`install_translator` once, right after the QApplication exists and before any widget
is created: Qt translates a string when the code asks for it, so widgets made earlier keep
English.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger(__name__)

# The name before ``_<lang>.qm``.
CATALOG = "memwarden"


def translations_dir() -> Path:
    """Where ``make translations`` puts the compiled catalogs: ``memwarden/ui/translations``
    (the package data pyproject.toml ships)."""
    return Path(__file__).resolve().parent.parent / "translations"


def install_translator(
    app: QCoreApplication, locale: QLocale | None = None, directory: Path | None = None
) -> bool:
    """Install MemWarden's (and Qt's) translations for ``locale`` into ``app``.

    Args:
        app: The application; the translators become its children and live as long as it does.
        locale: The language to load; the system's (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``,
            ``LANG``) by default.
        directory: Where the ``.qm`` files are; :func:`translations_dir` by default.

    Returns:
        True when MemWarden's catalog for the language was found and installed. False for English
        (the source language), or a language without a catalog: the UI stays English.
    """
    loc = locale if locale is not None else QLocale.system()
    folder = directory if directory is not None else translations_dir()

    qt = QTranslator(app)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt.load(loc, "qtbase", "_", qt_dir):
        app.installTranslator(qt)
    else:
        qt.deleteLater()

    ours = QTranslator(app)
    if not ours.load(loc, CATALOG, "_", str(folder)):
        ours.deleteLater()
        log.debug("no %s translation for %s in %s", CATALOG, loc.uiLanguages(), folder)
        return False
    app.installTranslator(ours)
    log.debug("installed %s", ours.filePath())
    return True


def remove_translators(app: QCoreApplication) -> None:
    """Uninstall every translator :func:`install_translator` installed (tests, language switch)."""
    for translator in app.findChildren(QTranslator):
        app.removeTranslator(translator)
        translator.deleteLater()
