# SPDX-License-Identifier: GPL-3.0-or-later
"""The main window, its settings and leftover-files pages and the history chart, offscreen with
pytest-qt, fed by the real snapshot through the client double."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QComboBox, QMenu, QStyleOptionViewItem
from window_doubles import FakeMonitorClient

from memwarden.core.settings import Settings, saved_values
from memwarden.core.threshold_bytes import thresholds_for
from memwarden.ui.link.app_rules import rule_name
from memwarden.ui.link.monitor_calls import MonitorError
from memwarden.ui.window.apps_model import RULE_ROLE, SORT_ROLE, Column
from memwarden.ui.window.history import HistoryBuffer
from memwarden.ui.window.history_view import FREE_COLOUR, HistoryView
from memwarden.ui.window.main_window import MainWindow
from memwarden.ui.words.formatting import human_size

MiB = 1 << 20


@pytest.fixture
def window(qtbot: Any, client: FakeMonitorClient) -> MainWindow:
    w = MainWindow(client)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.controller.snapshot is not None)
    yield w
    w.hide()
    qtbot.waitUntil(lambda: not w.controller.pending())


def proxy_row(window: MainWindow, name: str) -> int:
    proxy = window.controller.proxy
    rows = [proxy.index(r, Column.NAME).data() for r in range(proxy.rowCount())]
    return rows.index(name)


def test_window_shows_the_snapshot_sorted_by_real_total(
    window: MainWindow, doc: dict[str, Any]
) -> None:
    assert window.windowTitle() == "MemWarden"
    proxy = window.controller.proxy
    assert proxy.rowCount() == len(doc["apps"])
    totals = [proxy.index(r, Column.TOTAL).data(SORT_ROLE) for r in range(proxy.rowCount())]
    assert totals == sorted(totals, reverse=True)
    assert window.headline.text() == "Memory is fine"
    assert "free (RAM and swap)" in window.figures.text()
    assert window.victim.text().startswith("First to close if memory runs out: ")
    assert window.paused.isHidden()
    assert window.tabs.tabText(1) == f"Leftover files ({len(doc['orphans'])})"


def test_selecting_an_app_explains_it_and_buttons_set_its_rule(
    qtbot: Any, window: MainWindow, client: FakeMonitorClient, doc: dict[str, Any]
) -> None:
    assert "Select an app" in window.details.text()
    assert not any(b.isEnabled() for b in window.rule_buttons.values())
    window.table.selectRow(proxy_row(window, "Photo Indexer"))
    assert "<b>Photo Indexer</b>" in window.details.text()
    assert "cannot see" in window.details.text()
    assert not window.rule_buttons["normal"].isEnabled()  # it is normal already

    hog = next(a for a in doc["apps"] if a["name"] == "Photo Indexer")
    qtbot.mouseClick(window.rule_buttons["prefer"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ("set_rule", rule_name(hog), "prefer") in client.calls)
    # Shown once the monitor's next snapshot gives the app the rule.
    qtbot.waitUntil(lambda: "Sacrifice first" in window.details.text())
    assert window.statusBar().currentMessage().startswith("Photo Indexer: ")
    assert not window.rule_buttons["prefer"].isEnabled()
    assert f"Sacrificed first by your rule “{rule_name(hog)}”." in window.details.text()
    # Persisted through the monitor: its AppRules now hold the rule.
    assert client.properties["AppRules"] == {rule_name(hog): "prefer"}


def test_rule_column_combo_sets_the_rule(
    qtbot: Any, window: MainWindow, client: FakeMonitorClient, doc: dict[str, Any]
) -> None:
    row = proxy_row(window, "SuperTuxKart")
    index = window.controller.proxy.index(row, Column.RULE)
    editor = window.rule_delegate.createEditor(
        window.table.viewport(), QStyleOptionViewItem(), index
    )
    assert isinstance(editor, QComboBox)
    window.rule_delegate.setEditorData(editor, index)
    assert editor.currentData() == "normal"
    assert [editor.itemText(i) for i in range(editor.count())] == [
        "Normal", "Protect", "Sacrifice first",
    ]  # fmt: skip
    editor.setCurrentIndex(editor.findData("protect"))
    window.rule_delegate.setModelData(editor, window.controller.proxy, index)
    game = next(a for a in doc["apps"] if a["name"] == "SuperTuxKart")
    qtbot.waitUntil(lambda: client.properties["AppRules"] == {rule_name(game): "protect"})
    qtbot.waitUntil(lambda: index.data(RULE_ROLE) == "protect")  # the next snapshot says so
    assert index.data() == "Protect"
    editor.deleteLater()


def test_refused_rule_is_said_and_the_row_keeps_the_monitors_rule(
    qtbot: Any, window: MainWindow, client: FakeMonitorClient
) -> None:
    client.failures["set_rule"] = MonitorError("no-monitor")
    window.table.selectRow(proxy_row(window, "Notes"))
    qtbot.mouseClick(window.rule_buttons["protect"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() != "")
    assert window.statusBar().currentMessage() == (
        "Could not change Notes: The monitor is not running."
    )
    row = proxy_row(window, "Notes")
    assert window.controller.proxy.index(row, Column.RULE).data() == "Normal"


def test_context_menu_offers_the_three_rules(
    qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[QMenu] = []
    monkeypatch.setattr(QMenu, "popup", lambda self, *_: shown.append(self))
    row = proxy_row(window, "SuperTuxKart")
    rect = window.table.visualRect(window.controller.proxy.index(row, Column.NAME))
    window._context_menu(rect.center())
    (menu,) = shown
    texts = [a.text() for a in menu.actions()]
    assert texts == ["Protect", "Sacrifice first", "Normal"]
    assert [a.isChecked() for a in menu.actions()] == [False, False, True]
    window._context_menu(QPoint(-5, -5))  # outside any row: nothing
    assert len(shown) == 1


def test_filter_and_misjudged_toggle(qtbot: Any, window: MainWindow) -> None:
    qtbot.keyClicks(window.filter, "photo")
    assert window.controller.proxy.rowCount() == 1
    window.filter.clear()
    window.only_misjudged.setChecked(True)
    proxy = window.controller.proxy
    shown = [proxy.index(r, Column.NAME).data() for r in range(proxy.rowCount())]
    assert "Photo Indexer" in shown and "SuperTuxKart" not in shown


def test_state_changes_and_monitor_going_away(
    qtbot: Any, window: MainWindow, client: FakeMonitorClient
) -> None:
    client.announce(State="critical", EtaSeconds=12.0, Paused=True)
    assert window.headline.text() == "Out of memory: an app is about to be closed"
    assert "Runs out in 12 s" in window.figures.text()
    assert window.paused.isVisible()
    client.go_away()
    assert window.headline.text() == "Not guarding: the monitor is not running"
    assert "memwarden monitor" in window.figures.text()


def test_hiding_stops_refreshing_and_showing_refreshes(
    qtbot: Any, window: MainWindow, client: FakeMonitorClient
) -> None:
    assert window.controller.active
    window.hide()
    assert not window.controller.active
    qtbot.waitUntil(lambda: not window.controller.pending())
    before = len([c for c in client.calls if c[0] == "get_snapshot"])
    window.show()
    qtbot.waitUntil(lambda: len([c for c in client.calls if c[0] == "get_snapshot"]) == before + 1)
    window.close()  # closing only hides: the tray lives on
    assert not window.isVisible() and not window.controller.active


# -- history chart --------------------------------------------------------------------------------


def test_history_view_draws_free_memory_and_limits(qtbot: Any) -> None:
    t = [100.0]
    history = HistoryBuffer(span_s=60, clock=lambda: t[0])
    history.capacity_bytes = 1000 * MiB
    view = HistoryView(history)
    qtbot.addWidget(view)
    view.resize(400, 160)
    empty = view.grab().toImage()
    for free in (800, 700, 600, 500):
        history.add(free * MiB, 20.0, 2.0)
        t[0] += 10
    view.set_limits({"warn": 150 * MiB, "close": 100 * MiB, "kill": 50 * MiB, "hysteresis": 1})
    image = view.grab().toImage()
    assert image != empty
    # The filled area: the chart's bottom right is tinted with the free-memory colour.
    pixel = image.pixelColor(image.width() - 20, image.height() - 40)
    assert pixel.blue() > pixel.red()
    assert view.limit_label("kill") == "at once"


def test_history_view_without_data_says_so(qtbot: Any) -> None:
    view = HistoryView(HistoryBuffer())
    qtbot.addWidget(view)
    view.resize(300, 140)
    image: QImage = view.grab().toImage()
    assert not image.isNull()
    assert FREE_COLOUR.isValid()


# -- settings -------------------------------------------------------------------------------------


def announce_settings(client: FakeMonitorClient, **values: Any) -> None:
    """The monitor announces its settings: the defaults with ``values``."""
    client.announce(Settings={**saved_values(Settings()), **values})


def test_settings_page_shows_the_monitor_s_settings_and_the_helper(
    qtbot: Any, window: MainWindow, client: FakeMonitorClient
) -> None:
    page = window.settings_page
    path = Path(client.properties["ConfigPath"])
    announce_settings(client, warn_percent=20.0)
    client.announce(HelperStatus="applied", AppRules={"org.example.Keep": "protect"})
    assert page.warn_spin.value() == 20  # shown as announced, without a reload
    assert page.close_spin.value() == 10
    assert page.pause_check.isChecked()  # on by default
    announce_settings(client, warn_percent=20.0, pause_growing=False)
    assert not page.pause_check.isChecked()
    assert "pausing it to ask you first is off" in page.summary.text()
    assert str(path) in page.where.text()
    assert page.helper_headline.text() == "Protection reaches the kernel"
    assert page.rules.count() == 1 and "org.example.Keep" in page.rules.item(0).text()
    system = window.controller.system()
    warn = thresholds_for(Settings(warn_percent=20), system["mem_total"], system["swap_total"])
    assert f"You get a warning when less than {human_size(warn.warn_bytes)} of memory" in (
        page.summary.text()
    )
    assert page.in_force.text().startswith("In force now: warn below ")
    assert not path.exists()  # the window never writes the monitor's file

    client.announce(HelperStatus="not-activatable")
    assert page.helper_headline.text() == "The helper is not installed"
    assert "kernel's out-of-memory killer" in page.helper_text.text()


def test_settings_apply_asks_the_monitor(
    qtbot: Any, window: MainWindow, client: FakeMonitorClient
) -> None:
    page = window.settings_page
    announce_settings(client, kill_mib=300)
    page.load()
    page.warn_spin.setValue(25)
    page.horizon_spin.setValue(120)
    qtbot.mouseClick(page.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.result.text() == "Saved and in force.")
    # Only what changed, through SetSettings; what the page does not edit stays the monitor's.
    assert ("set_settings", {"warn_percent": 25.0, "horizon_seconds": 120.0}, []) in client.calls
    saved = client.properties["Settings"]
    assert (saved["warn_percent"], saved["horizon_seconds"], saved["kill_mib"]) == (25, 120, 300)
    assert "MiB" in page.summary.text()
    assert not Path(client.properties["ConfigPath"]).exists()


def test_settings_apply_sends_only_the_switch_that_changed(
    qtbot: Any, window: MainWindow, client: FakeMonitorClient
) -> None:
    page = window.settings_page
    announce_settings(client, warn_percent=20.0)
    page.load()
    assert page.pause_check.isChecked() and page.pause_check.isEnabled()
    assert "MemWarden pauses it instead and asks you" in page.summary.text()
    qtbot.mouseClick(page.pause_check, Qt.MouseButton.LeftButton)
    assert not page.pause_check.isChecked()
    assert "pausing it to ask you first is off" in page.summary.text()  # the preview follows
    qtbot.mouseClick(page.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.result.text() == "Saved and in force.")
    # Only the switch, as a bool (the double checks it with the table, as the monitor does).
    sent = [c for c in client.calls if c[0] == "set_settings"]
    assert sent == [("set_settings", {"pause_growing": False}, [])]
    assert sent[0][1]["pause_growing"] is False  # not a 0, which compares equal
    saved = client.properties["Settings"]
    assert (saved["pause_growing"], saved["warn_percent"]) == (False, 20.0)
    assert not page.pause_check.isChecked()  # the announcement shows what was saved
    page.restore_defaults()
    assert page.pause_check.isChecked()


def test_settings_refuse_limits_out_of_order(
    qtbot: Any, window: MainWindow, client: FakeMonitorClient
) -> None:
    page = window.settings_page
    page.load()
    page.kill_spin.setValue(12)  # above "close" (10)
    assert not page.apply_button.isEnabled()
    assert "must be in order" in page.result.text()
    page.restore_defaults()
    assert page.apply_button.isEnabled() and page.kill_spin.value() == 5


@pytest.mark.parametrize(
    ("failure", "says"),
    [
        (MonitorError("not-saved", "io.github.memwarden.Monitor1.Error.Failed"),
         "The monitor could not write its settings file; nothing was changed."),
        (MonitorError("out-of-order", "io.github.memwarden.Monitor1.Error.InvalidArgument",
                      "kill_percent,close_percent"),
         "The limits must be in order: warn first, then close, then close at once "
         "(warn ≥ close ≥ at once)."),
        (MonitorError("new-code", "io.github.memwarden.Monitor1.Error.InvalidArgument",
                      "warn_percent"),
         "The monitor refused the settings (new-code: warn_percent)."),
        (MonitorError("timeout"),
         "The settings were not changed: The monitor did not answer in time."),
    ],
    ids=["not-saved", "out-of-order", "unknown-code", "timeout"],
)  # fmt: skip
def test_settings_refusal_is_said(
    qtbot: Any, window: MainWindow, client: FakeMonitorClient, failure: MonitorError, says: str
) -> None:
    page = window.settings_page
    page.load()
    page.warn_spin.setValue(20)
    client.failures["set_settings"] = failure
    qtbot.mouseClick(page.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.result.text() != "")
    assert page.result.text() == says
    assert page.warn_spin.value() == 20  # the edit is kept, to try again
    assert client.properties["Settings"]["warn_percent"] == 15


def test_settings_without_a_file(qtbot: Any, window: MainWindow, client: FakeMonitorClient) -> None:
    client.announce(ConfigPath="", ConfigError="config.toml is not valid TOML")
    page = window.settings_page
    page.load()
    assert not page.apply_button.isEnabled() and not page.warn_spin.isEnabled()
    assert not page.pause_check.isEnabled()
    assert "--no-config" in page.where.text()
    assert not page.config_error.isHidden()
    assert "is not valid TOML" in page.config_error.text()


def test_settings_are_read_only_while_the_monitor_is_away(
    qtbot: Any, window: MainWindow, client: FakeMonitorClient
) -> None:
    page = window.settings_page
    announce_settings(client, grace_seconds=7.0)
    client.go_away()
    assert not page.apply_button.isEnabled() and not page.grace_spin.isEnabled()
    assert not page.pause_check.isEnabled()
    assert page.where.text().startswith("The monitor is not running")
    assert page.grace_spin.value() == 7  # the last it said
    client.come_back()
    assert page.apply_button.isEnabled() and page.grace_spin.isEnabled()
    assert page.pause_check.isEnabled()


def test_settings_say_which_the_command_line_sets(
    qtbot: Any, window: MainWindow, client: FakeMonitorClient
) -> None:
    client.announce(SettingsFromFlags=["close_mib", "kill_mib"])
    assert "The monitor's command line sets --close-mib, --kill-mib" in (
        window.settings_page.where.text()
    )


def test_settings_changed_elsewhere_show_unless_being_edited(
    qtbot: Any, window: MainWindow, client: FakeMonitorClient
) -> None:
    page = window.settings_page
    page.load()
    announce_settings(client, warn_percent=30.0)
    assert page.warn_spin.value() == 30
    page.close_spin.setValue(12)  # the person edits
    announce_settings(client, warn_percent=35.0)
    assert (page.warn_spin.value(), page.close_spin.value()) == (30, 12)


def test_settings_remove_rule(qtbot: Any, window: MainWindow, client: FakeMonitorClient) -> None:
    client.announce(AppRules={"steam": "prefer"})
    page = window.settings_page
    page.rules.setCurrentRow(0)
    qtbot.mouseClick(page.remove_rule, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: client.properties["AppRules"] == {})
    assert ("set_rule", "steam", "normal") in client.calls
    assert page.rules.count() == 1 and not page.rules.item(0).flags()  # "No rules yet"


# -- leftover files -------------------------------------------------------------------------------


def test_orphans_page_deletes_a_real_orphan(
    qtbot: Any, window: MainWindow, client: FakeMonitorClient, doc: dict[str, Any],
    tmp_path: Path,
) -> None:  # fmt: skip
    # A real file of ours in a tmpfs (the real scene's orphan is gone: its path is reused here).
    target = Path("/dev/shm") / f"memwarden-window-test-{os.getpid()}"
    target.write_bytes(b"\x01" * MiB)
    try:
        orphan = {"kind": "tmpfs", "path": str(target), "bytes": MiB, "uid": os.getuid()}
        client.snapshot["orphans"] = [orphan]
        window.controller.refresh()
        page = window.orphans_page
        qtbot.waitUntil(lambda: [r.path for r in page.rows] == [str(target)])
        assert page.table.rowCount() == 1 and page.table.item(0, 3).text() == str(target)
        assert page.table.item(0, 0).text() == "1.0 MiB"
        assert not page.delete_button.isEnabled()
        page.table.selectRow(0)
        assert page.delete_button.isEnabled() and page.copy_button.isEnabled()
        assert "Closing apps cannot free it" in page.advice.text()

        page.copy_selected()
        from PySide6.QtGui import QGuiApplication

        assert QGuiApplication.clipboard().text() == f"rm -- {target}"

        asked: list[str] = []
        page.confirm = lambda row: asked.append(row.path) is not None  # says no
        assert not page.delete_selected() and target.exists()
        page.confirm = lambda row: True
        client.snapshot["orphans"] = []
        assert page.delete_selected()
        assert not target.exists() and asked == [str(target)]
        qtbot.waitUntil(lambda: page.table.rowCount() == 0)
        assert page.summary.text().startswith("No memory is held")
        assert window.tabs.tabText(1) == "Leftover files"
    finally:
        target.unlink(missing_ok=True)


def test_orphans_page_cannot_delete_what_is_gone(
    qtbot: Any, window: MainWindow, client: FakeMonitorClient
) -> None:
    gone = {"kind": "tmpfs", "path": "/dev/shm/memwarden-never-there", "bytes": MiB,
            "uid": os.getuid()}  # fmt: skip
    client.snapshot["orphans"] = [gone]
    window.controller.refresh()
    page = window.orphans_page
    qtbot.waitUntil(lambda: [r.path for r in page.rows] == [gone["path"]])
    page.table.selectRow(0)
    page.confirm = lambda row: True
    assert not page.delete_selected()
    assert window.statusBar().currentMessage() == (
        "Could not delete /dev/shm/memwarden-never-there: No such file or directory"
    )


def test_model_index_helpers(window: MainWindow) -> None:
    assert window.controller.apps.rowCount(QModelIndex()) > 0
