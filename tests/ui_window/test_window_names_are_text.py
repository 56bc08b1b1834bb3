# SPDX-License-Identifier: GPL-3.0-or-later
"""Names are text, not markup: an app or a file named like HTML shows as written in the window,
the prompt, the tooltips and the tray menu (offscreen, pytest-qt, the real snapshot through the
client double).

A program picks its own name, so a name can be ``<img src="/home/me/x.png">``: a QLabel in
``Qt.AutoText`` would show that local image, and a menu would take its ``&`` for a shortcut.
What a widget shows is read the way Qt reads it (:func:`shown`), not from its ``text()`` alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel, QMenu
from window_doubles import FakeMonitorClient

from memwarden.ui.tray.controller import TrayController
from memwarden.ui.tray.prompt import PromptWindow
from memwarden.ui.tray.prompt_presenter import build_prompt
from memwarden.ui.window.apps_model import APP_ID_ROLE, Column
from memwarden.ui.window.main_window import MainWindow

#: An app's name as a hostile program would choose it: markup, a local image, and an ampersand.
NAME = '<b>bold</b><img src="/some/local.png"> & co'
#: Its id (the program's file name, which may hold anything but "/").
APP_ID = "<i>app</i>-4242"
#: A file left in a tmpfs, named the same way.
LEFTOVER = "/dev/shm/<u>stale</u><img src=x.png>"
MiB = 1 << 20


def rendered(text: str, text_format: Qt.TextFormat = Qt.TextFormat.AutoText) -> str:
    """What Qt shows for ``text`` in this format: rich text as its document's plain text."""
    if text_format == Qt.TextFormat.PlainText or (
        text_format == Qt.TextFormat.AutoText and not GuiQt.mightBeRichText(text)
    ):
        return text
    document = QTextDocument()
    document.setHtml(text)
    return document.toPlainText()


def shown(label: QLabel) -> str:
    """What a label shows."""
    return rendered(label.text(), label.textFormat())


def shown_menu_text(text: str) -> str:
    """What a menu entry reads: "&&" is an "&", a single "&" marks the shortcut."""
    return "&".join(part.replace("&", "") for part in text.split("&&"))


def hostile_snapshot(doc: dict[str, Any], client: FakeMonitorClient) -> None:
    """The next victim renamed like markup, and a leftover file named like markup."""
    victim = next(a for a in doc["apps"] if a["id"] == client.properties["NextVictim"])
    victim["name"], victim["id"] = NAME, APP_ID
    client.properties["NextVictim"] = APP_ID
    doc["orphans"] = [{"kind": "tmpfs", "path": LEFTOVER, "bytes": 64 * MiB, "uid": os.getuid()}]


@pytest.fixture
def window(qtbot: Any, client: FakeMonitorClient, doc: dict[str, Any]) -> Iterator[MainWindow]:
    hostile_snapshot(doc, client)
    w = MainWindow(client)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.controller.snapshot is not None)
    yield w
    w.hide()
    qtbot.waitUntil(lambda: not w.controller.pending())


def _row_of(window: MainWindow, app_id: str) -> int:
    proxy = window.controller.proxy
    ids = [proxy.index(r, Column.NAME).data(APP_ID_ROLE) for r in range(proxy.rowCount())]
    return ids.index(app_id)


def test_the_window_shows_a_markup_name_as_written(window: MainWindow) -> None:
    # The "First to close" line: a plain-text label, so no bold and no image.
    assert shown(window.victim) == f"First to close if memory runs out: {NAME}"
    assert window.victim.textFormat() == Qt.TextFormat.PlainText
    # The details pane is rich text (its heading is bold): the name is escaped into it.
    window.table.selectRow(_row_of(window, APP_ID))
    assert shown(window.details).startswith(f"{NAME} (")
    # The table's cell is plain text; its tooltip (the id first) is shown as written too.
    name_index = window.controller.proxy.index(_row_of(window, APP_ID), Column.NAME)
    assert name_index.data() == NAME
    tip = name_index.data(Qt.ItemDataRole.ToolTipRole)
    assert rendered(tip).splitlines()[0] == APP_ID
    # Every label of the window that shows the name or the file shows it whole.
    for label in window.findChildren(QLabel):
        text = shown(label)
        assert "bold" not in text or NAME in text, (label.objectName(), label.text())
        assert "stale" not in text or LEFTOVER in text, (label.objectName(), label.text())


def test_a_markup_file_name_shows_as_written_on_the_leftovers_tab(window: MainWindow) -> None:
    page = window.orphans_page
    assert [r.path for r in page.rows] == [LEFTOVER]
    cell = page.table.item(0, 3)
    assert cell is not None and cell.text() == LEFTOVER
    page.table.selectRow(0)
    assert page.advice.textFormat() == Qt.TextFormat.PlainText
    # The question before deleting it names the file as written.
    box = page.confirm_box(page.rows[0])
    try:
        label = box.findChild(QLabel, "qt_msgbox_label")
        assert label is not None and box.textFormat() == Qt.TextFormat.PlainText
        assert shown(label).startswith(f"Delete {LEFTOVER}? ")
    finally:
        box.deleteLater()


def test_a_settings_error_quoting_markup_shows_as_written(
    qtbot: Any, window: MainWindow, client: FakeMonitorClient
) -> None:
    client.announce(ConfigError=f"unknown app rule {NAME!r}")
    window.tabs.setCurrentWidget(window.settings_page)
    page = window.settings_page
    qtbot.waitUntil(lambda: "unknown app rule" in page.config_error.text())
    assert shown(page.config_error).endswith(f"unknown app rule {NAME!r}")


def test_the_prompt_shows_a_markup_name_and_file_as_written(
    qtbot: Any, client: FakeMonitorClient, doc: dict[str, Any]
) -> None:
    hostile_snapshot(doc, client)
    props = dict(client.properties, State="critical", EtaSeconds=5.0)
    prompt = PromptWindow()
    qtbot.addWidget(prompt)
    model = build_prompt(doc, props, {"victim_reason": "orphan-tmpfs"}, uid=os.getuid())
    prompt.set_model(model)
    assert shown(prompt.victim).startswith(f"{NAME} would be closed first. ")
    assert LEFTOVER in shown(prompt.orphans)
    for label in (prompt.title, prompt.subtitle, prompt.orphans, prompt.victim, prompt.result):
        assert label.textFormat() == Qt.TextFormat.PlainText
    assert model.victim_index is not None
    row = prompt.apps.topLevelItem(model.victim_index)
    assert row is not None and row.text(0) == f"{NAME} (would be closed)"
    assert rendered(row.toolTip(0)) == model.rows[model.victim_index].reason


def test_the_tray_menu_and_tooltip_show_a_markup_name_as_written(
    qtbot: Any, client: FakeMonitorClient, doc: dict[str, Any]
) -> None:
    hostile_snapshot(doc, client)
    tray = TrayController(client)  # type: ignore[arg-type]  # the double has the client's API
    tray.refresh_snapshot()
    qtbot.waitUntil(lambda: tray.snapshot is not None)
    tray.rebuild_menu()
    entry = next(a for a in tray.menu.actions() if NAME[:8] in a.text())
    # The "&" of the name is shown, not taken for the submenu's shortcut.
    assert shown_menu_text(entry.text()).startswith(f"{NAME} — ")
    assert isinstance(entry.menu(), QMenu)
    # The tray icon's tooltip names the app (on a later line); Qt shows it as written.
    assert f"Would be closed next: {NAME} (" in rendered(tray.icon.toolTip())
    tray.deleteLater()


def test_a_tooltip_whose_first_line_looks_like_markup_is_shown_as_written() -> None:
    from memwarden.ui.words.plain_text import tooltip  # here: the other tests run on any version

    text = f"{APP_ID}\nIn RAM: 2.0 GiB"
    assert GuiQt.mightBeRichText(APP_ID)  # Qt would render it
    assert rendered(tooltip(text)) == text
    assert tooltip("Plain: 2.0 GiB") == "Plain: 2.0 GiB"  # other text is left as it is
