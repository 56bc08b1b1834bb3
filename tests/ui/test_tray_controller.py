# SPDX-License-Identifier: GPL-3.0-or-later
"""The tray controller in this process (offscreen) with the real monitor and real hogs in a PID
namespace: the menu lists the hogs with their real size, and its entries reach the monitor —
protect, close (the hog really exits; the after-kill message follows), pause and resume, free
memory now (then the prompt, memory being low), start at login, quit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu
from tray_testlib import EDITOR, GAME, run_until

from memwarden.ui.link.monitor_client import MonitorClient
from memwarden.ui.tray import ui_events
from memwarden.ui.tray.controller import TrayController


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    yield
    QLocale.setDefault(before)


@pytest.fixture
def events(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The UI event record, and a private XDG config (Start at login writes there)."""
    path = tmp_path / "ui-events.jsonl"
    monkeypatch.setenv(ui_events.ENV, str(path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "system-config"))
    return path


def read_events(path: Path, kind: str) -> list[dict]:
    if not path.exists():
        return []
    return [e for e in map(json.loads, path.read_text().splitlines()) if e["event"] == kind]


def action(menu: QMenu, text: str) -> QAction:
    """The menu entry whose text starts with ``text`` (submenus are entries too)."""
    found = [a for a in menu.actions() if a.text().startswith(text)]
    assert found, f"no {text!r} in {[a.text() for a in menu.actions()]}"
    return found[0]


def submenu(menu: QMenu, text: str) -> QMenu:
    sub = action(menu, text).menu()
    assert isinstance(sub, QMenu)
    return sub


@pytest.fixture
def tray(aloop, ns_monitor, events) -> Iterator[tuple[TrayController, object]]:
    # The tray first, as at login: it hears the monitor's very first warning.
    client = MonitorClient()
    aloop.run_until_complete(client.start())
    controller = TrayController(client)
    controller.show()
    aloop.run_until_complete(controller.notifier.start())  # no server here: the fallback
    assert controller.icon_state == "error"  # no monitor yet
    monitor = ns_monitor(GAME, EDITOR)
    run_until(aloop, lambda: controller.snapshot is not None, what="the first snapshot")
    yield controller, monitor
    controller.hide()
    aloop.run_until_complete(client.close())


def game_in(snapshot: dict) -> dict:
    return next(a for a in snapshot["apps"] if a["name"] == "SpaceGame.py")


def test_menu_lists_the_hogs_by_real_size_and_reaches_the_monitor(aloop, tray, events):
    controller, monitor = tray
    client = controller.client
    menu = controller.menu
    controller.rebuild_menu()
    assert menu.actions()[0].text() == "Memory is running low"
    assert controller.icon_state == "warning"
    game = submenu(menu, "SpaceGame.py")
    assert action(menu, "SpaceGame.py").text().endswith("(closed next)")
    # Its real size: the unmapped memfd the kernel does not count is in it, and said.
    assert "of which 400 MiB shared memory" in game.actions()[0].text()
    editor_id = next(a["id"] for a in controller.snapshot["apps"] if a["name"] == "notes.py")
    # A process-tree app: its rule goes by its program's path, which the monitor names.
    game_rule = next(a["rule_target"] for a in controller.snapshot["apps"]
                     if a["name"] == "SpaceGame.py")  # fmt: skip
    assert game_rule.startswith("/") and game_rule.endswith("/SpaceGame.py")

    # Protect, from the menu: the monitor saves the rule and chooses another app.
    protect = action(game, "Protect")
    assert not protect.isChecked()
    protect.trigger()
    run_until(aloop, lambda: client.properties.get("AppRules") == {game_rule: "protect"}
              and client.properties.get("NextVictim") == editor_id, what="the game protected")
    # The menu shows the rule once the monitor's next snapshot gives it (the tray asks for one).
    run_until(aloop, lambda: game_in(controller.snapshot)["rule"] == "protect",
              what="the snapshot's rule")  # fmt: skip
    assert game_in(controller.snapshot)["rule_source"] == game_rule
    controller.rebuild_menu()
    game = submenu(menu, "SpaceGame.py")
    assert action(game, "Protect").isChecked() and not action(game, "Close").isEnabled()
    assert action(menu, "notes.py").text().endswith("(closed next)")

    # Close, from the menu: the monitor closes exactly that app; the after-kill message says
    # what it was using.
    action(submenu(menu, "notes.py"), "Close").trigger()
    run_until(aloop, lambda: not monitor.alive("editor"), 30, "the editor hog to exit")
    assert monitor.alive("game")
    run_until(aloop, lambda: any(e["key"] == "killed" for e in read_events(events,
                                                                          "notification")),
              what="the after-kill message")  # fmt: skip
    killed = [e for e in read_events(events, "notification") if e["key"] == "killed"][-1]
    assert killed["summary"] == "Closed notes.py"
    assert killed["body"].startswith("It was using ")

    # The warning that came before it named the game as a game, with its real size.
    warnings = [e for e in read_events(events, "notification") if e["key"] == "warning"]
    assert warnings[0]["summary"] == "The game SpaceGame.py would be closed if memory runs out"
    assert warnings[0]["body"].startswith("It is using ")
    assert warnings[0]["actions"] == ["default", "protect", "close", "free"]


def test_pause_resume_free_memory_start_at_login_and_quit(aloop, tray, events, tmp_path):
    controller, _monitor = tray
    client = controller.client
    menu = controller.menu
    controller.rebuild_menu()
    action(submenu(menu, "Pause guarding"), "For 1 hour").trigger()
    run_until(aloop, lambda: client.properties.get("Paused") is True, what="paused")
    controller.rebuild_menu()
    action(menu, "Resume guarding").trigger()
    run_until(aloop, lambda: client.properties.get("Paused") is False, what="resumed")

    # Free memory now: the measured result, then — memory being below the warning level — the
    # prompt with the apps to close.
    controller.rebuild_menu()
    action(menu, "Free memory now").trigger()
    run_until(aloop, lambda: bool(read_events(events, "free-memory")), 60, "the result")
    result = read_events(events, "free-memory")[0]
    assert "Available memory: " in result["body"] and " before, " in result["body"]
    run_until(aloop, lambda: bool(read_events(events, "prompt-shown")), 30, "the prompt")
    rows = read_events(events, "prompt")[-1]["rows"]
    assert [r["name"] for r in rows[:2]] == ["SpaceGame.py", "notes.py"]
    assert rows[0]["next"]

    login = action(menu, "Start at login")
    assert not login.isChecked()
    login.trigger()
    assert (tmp_path / "config" / "autostart" / "io.github.memwarden.MemWarden.desktop").exists()

    quits: list[bool] = []
    controller.quitRequested.connect(quits.append)
    action(menu, "Quit and stop guarding").trigger()
    action(menu, "Quit").trigger()
    assert quits == [True, False]
