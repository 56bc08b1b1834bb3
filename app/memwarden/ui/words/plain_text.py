# SPDX-License-Identifier: GPL-3.0-or-later
"""Names are text, not markup: the one place that makes a program's name or a file's path safe
for each kind of place it is shown.

A program chooses its own name (its argv[0], the ``Name`` of a desktop entry it installs, a file
it leaves in /dev/shm), so a name may read ``<img src="/home/me/x.png">``. Where Qt and the
desktop would take such text for markup:

* a QLabel in ``Qt.AutoText`` (the default) renders the text as HTML when it looks like HTML,
  local images included: labels that show names are ``Qt.PlainText`` (:func:`plain_labels`);
  labels that need bold parts escape the name (:func:`escape_markup`);
* a tooltip is shown the same way, and has no plain-text switch (:func:`tooltip`);
* a menu entry or a button takes ``&`` for its shortcut marker (:func:`menu_text`);
* a notification server that advertises ``body-markup`` renders the body (:func:`escape_markup`).

Window titles, item-view cells and the status bar are always plain text in Qt.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

# QtGui's Qt is QtCore's with the text functions (mightBeRichText) added.
from PySide6.QtGui import Qt

if TYPE_CHECKING:  # presenters use the escaping without widgets
    from PySide6.QtWidgets import QLabel


def plain_labels(*labels: QLabel) -> None:
    """Show these labels' text as written, whatever it looks like."""
    for label in labels:
        label.setTextFormat(Qt.TextFormat.PlainText)


def escape_markup(text: str) -> str:
    """``&``, ``<`` and ``>`` as entities: for rich text and notification bodies. Quotes stay
    as they are: no attribute value is ever built from a name."""
    return html.escape(text, quote=False)


def tooltip(text: str) -> str:
    """Tooltip text that Qt shows as written.

    Qt renders a tooltip as HTML when its first line looks like HTML; such a text becomes
    escaped HTML that keeps its lines and spaces. Any other text is returned unchanged, so a
    tooltip reads the same on every tray and desktop.
    """
    if not Qt.mightBeRichText(text):
        return text
    return '<p style="white-space:pre">' + escape_markup(text) + "</p>"


def menu_text(text: str) -> str:
    """Text for a menu entry or a button: ``&`` shown, not taken for a shortcut marker."""
    return text.replace("&", "&&")
