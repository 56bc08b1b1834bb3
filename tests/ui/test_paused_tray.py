# SPDX-License-Identifier: GPL-3.0-or-later
"""The tray controller (this process, offscreen) and an app the monitor paused: a real dunst on a
private bus shows the critical notification and invokes its actions; the pausing stand-in
(pausing_monitor.py) answers the calls as the monitor's API says.

An app paused gives a critical notification that does not expire, with Resume, Close and Protect
and resume; the icon is critical, the tooltip names it, the menu lists it first, the prompt comes
up with it selected. Each action reaches the monitor; once the app runs again the notification is
withdrawn and the tray is as before."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from dbus_fast.aio import MessageBus
from pausing_monitor import PausingMonitor, paused_entry
from PySide6.QtCore import QLocale
from tray_testlib import run_until

from desktop import TestDesktop
from memwarden.monitor import dbus_constants as c
from memwarden.ui.link.monitor_client import MonitorClient
from memwarden.ui.tray import ui_events
from memwarden.ui.tray.controller import TrayController
from memwarden.ui.tray.menu import menu_entries

APP_ID = "org.blender.Blender"
KEY = f"paused:{APP_ID}"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    yield
    QLocale.setDefault(before)


@pytest.fixture
def events(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "ui-events.jsonl"
    monkeypatch.setenv(ui_events.ENV, str(path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return path


def read_events(path: Path, kind: str, **match: object) -> list[dict]:
    if not path.exists():
        return []
    found = [e for e in map(json.loads, path.read_text().splitlines()) if e["event"] == kind]
    return [e for e in found if all(e.get(k) == v for k, v in match.items())]


@pytest.fixture
def monitor(aloop, x_bus: TestDesktop, dunst_on) -> Iterator[PausingMonitor]:
    dunst_on(x_bus, "no")
    stand_in = PausingMonitor(state="calm")  # no warning of its own on screen
    aloop.run_until_complete(stand_in.start(x_bus.address))
    yield stand_in
    aloop.run_until_complete(stand_in.stop())


def start_tray(aloop, address: str) -> TrayController:
    """The tray as the app starts it: one bus connection for the client and the notifications,
    the notification server looked for before the monitor is listened to."""
    bus = aloop.run_until_complete(MessageBus(bus_address=address).connect())
    controller = TrayController(MonitorClient(bus))
    controller.show()
    assert aloop.run_until_complete(controller.notifier.start())  # dunst
    aloop.run_until_complete(controller.client.start())
    assert controller.client.connected
    return controller


def stop_tray(aloop, controller: TrayController) -> None:
    controller.hide()
    aloop.run_until_complete(controller.client.close())
    bus = controller.client.bus
    assert bus is not None
    bus.disconnect()
    with contextlib.suppress(Exception):
        aloop.run_until_complete(asyncio.wait_for(bus.wait_for_disconnect(), 5))


@pytest.fixture
def tray(aloop, monitor, x_bus, events) -> Iterator[TrayController]:
    controller = start_tray(aloop, x_bus.address)
    yield controller
    stop_tray(aloop, controller)


def shown(bus: TestDesktop, summary: str) -> list[dict]:
    """What dunst showed with this summary (its logger's record)."""
    return [n for n in bus.notifications() if n["summary"] == summary]


def pause_and_see_it(aloop, tray: TrayController, monitor: PausingMonitor, bus: TestDesktop,
                     events: Path) -> int:  # fmt: skip
    """Pause Blender; the notification is on screen: its id."""
    monitor.pause(paused_entry())
    run_until(aloop, lambda: tray.notifier.shown_id(KEY) is not None, 10, "the notification")
    run_until(aloop, lambda: bool(shown(bus, "Blender was paused")), 10, "dunst showing it")
    nid = tray.notifier.shown_id(KEY)
    assert nid is not None
    return nid


def test_a_paused_app_is_on_screen_until_resumed(aloop, tray, monitor, x_bus, events):
    assert tray.icon_state == "calm"
    nid = pause_and_see_it(aloop, tray, monitor, x_bus, events)
    [seen] = shown(x_bus, "Blender was paused")
    assert seen["urgency"] == "CRITICAL"
    assert seen["body"].startswith("It was using 3.0 GiB and growing by 48 MiB/s. MemWarden "
                                   "moved its memory to swap: 1.2 GiB of RAM is free for your "
                                   "other apps.")  # fmt: skip
    [note] = read_events(events, "notification", key=KEY)
    assert note["actions"] == ["default", "resume", "close", "protect-resume"]
    # The icon, the tooltip, the menu and the prompt show it too.
    assert tray.icon_state == "critical"
    assert "Blender is paused: it was using 3.0 GiB and growing by 48 MiB/s." in (
        tray.icon.toolTip().splitlines()
    )
    run_until(aloop, lambda: bool(read_events(events, "prompt-shown")), 10, "the prompt")
    assert tray.prompt is not None and tray.prompt.selected_row().app_id == APP_ID
    assert read_events(events, "prompt")[-1]["rows"][0]["paused"]
    tray.rebuild_menu()
    entries = menu_entries(tray.menu)
    assert entries[0] == "Blender is paused and waits for your choice"
    assert entries[1] == {"Blender — 3.0 GiB (paused)": [
        "It was using 3.0 GiB and growing by 48 MiB/s.", "Resume", "Close", "Protect and resume",
    ]}  # fmt: skip

    x_bus.invoke_action(nid, "resume")
    run_until(aloop, lambda: ("ResumeApp", APP_ID) in monitor.calls, 10, "ResumeApp")
    run_until(aloop, lambda: tray.notifier.shown_id(KEY) is None, 10, "the notification gone")
    run_until(aloop, lambda: x_bus.displayed_count() == 0, 10, "nothing on screen")
    assert tray.icon_state == "calm"
    assert "paused" not in tray.icon.toolTip()
    assert read_events(events, "app-resumed") == [
        {**read_events(events, "app-resumed")[0], "app": APP_ID, "reason": "user-request"}
    ]
    assert tray.prompt.model is not None and not tray.prompt.model.paused_note
    # Resumed by the person: nothing more to tell.
    assert not any(n["summary"].startswith("Blender is no longer") for n in x_bus.notifications())


def test_the_warning_about_the_app_goes_when_it_is_paused(aloop, tray, monitor, x_bus, events):
    """"Blender will be closed in 20 s" is no longer true once it is paused: the paused app's
    notification replaces it (a real sway session showed both)."""
    monitor.warn(paused_entry()["app"], eta_s=20.0)
    run_until(aloop, lambda: tray.notifier.shown_id("warning") is not None, 10, "the warning")
    pause_and_see_it(aloop, tray, monitor, x_bus, events)
    run_until(aloop, lambda: tray.notifier.shown_id("warning") is None, 10, "the warning gone")
    run_until(aloop, lambda: x_bus.displayed_count() == 1, 10, "only the paused notification")


def test_the_prompt_comes_up_with_the_paused_app_selected(aloop, tray, monitor, x_bus, events):
    """Even where the person had chosen another app in it before."""
    aloop.run_until_complete(tray.show_prompt())
    assert tray.prompt is not None
    tray.prompt.select_app("editor")
    tray.prompt.hide()
    pause_and_see_it(aloop, tray, monitor, x_bus, events)
    run_until(aloop, lambda: tray.prompt.isVisible(), 10, "the prompt again")
    row = tray.prompt.selected_row()
    assert row is not None and (row.app_id, row.paused) == (APP_ID, True)


def test_protect_and_resume_saves_the_rule_then_resumes(aloop, tray, monitor, x_bus, events):
    nid = pause_and_see_it(aloop, tray, monitor, x_bus, events)
    x_bus.invoke_action(nid, "protect-resume")
    run_until(aloop, lambda: ("ResumeApp", APP_ID) in monitor.calls, 10, "ResumeApp")
    assert [call for call in monitor.calls if call[0] != "GetSnapshot"] == [
        ("SetAppRule", APP_ID, "protect"), ("ResumeApp", APP_ID),
    ]
    run_until(aloop, lambda: tray.notifier.shown_id(KEY) is None, 10, "the notification gone")


def test_close_closes_the_paused_app_and_the_after_kill_message_replaces_it(
    aloop, tray, monitor, x_bus, events
):
    nid = pause_and_see_it(aloop, tray, monitor, x_bus, events)
    x_bus.invoke_action(nid, "close")
    run_until(aloop, lambda: bool(shown(x_bus, "Closed Blender")), 10, "the after-kill message")
    assert ("CloseApp", APP_ID) in monitor.calls and ("ResumeApp", APP_ID) not in monitor.calls
    run_until(aloop, lambda: tray.notifier.shown_id(KEY) is None, 10, "the notification gone")
    assert read_events(events, "app-resumed")[-1]["reason"] == "closing"
    assert tray.icon_state == "calm"


@pytest.mark.parametrize("killed_first", [False, True], ids=["resumed-first", "killed-first"])
def test_killed_at_the_kill_level_replaces_it_and_says_it_was_paused(
    aloop, tray, monitor, x_bus, events, killed_first
):
    pause_and_see_it(aloop, tray, monitor, x_bus, events)
    monitor.kill(APP_ID, resumed=not killed_first)
    summary = "Closed Blender to keep your computer responsive"
    run_until(aloop, lambda: bool(shown(x_bus, summary)), 10, "the after-kill message")
    assert shown(x_bus, summary)[-1]["body"].startswith(
        "It was paused and memory kept running out."
    )
    # The after-kill message replaces it at once, AppResumed or not yet.
    run_until(aloop, lambda: x_bus.displayed_count() == 1, 10, "only the after-kill message")
    assert tray.notifier.shown_id(KEY) is None
    if killed_first:
        assert tray.icon_state == "critical"  # still listed as paused until AppResumed
        monitor.resume(APP_ID, "killed")
        run_until(aloop, lambda: tray.icon_state == "calm", 10, "the tray calm again")
        assert not shown(x_bus, "Blender is no longer paused")  # the after-kill message said it
    assert tray.icon_state == "calm" and x_bus.displayed_count() == 1
    assert len(read_events(events, "notification", key=KEY)) == 1  # never shown again


def test_a_failed_choice_leaves_the_app_paused_and_asks_again(aloop, tray, monitor, x_bus, events):
    nid = pause_and_see_it(aloop, tray, monitor, x_bus, events)
    monitor.fail["SetAppRule"] = (c.ERROR_INVALID_ARGUMENT, "too-many-rules")
    x_bus.invoke_action(nid, "protect-resume")
    run_until(aloop, lambda: bool(read_events(events, "error")), 10, "the error")
    assert read_events(events, "error")[-1]["summary"] == "Could not protect and resume Blender"
    # Not resumed, and its notification is up again (dunst closed it when the action was chosen).
    run_until(aloop, lambda: len(read_events(events, "notification", key=KEY)) == 2, 10,
              "the notification again")  # fmt: skip
    assert ("ResumeApp", APP_ID) not in monitor.calls
    run_until(aloop, lambda: tray.notifier.shown_id(KEY) is not None, 10, "it on screen")
    assert tray.icon_state == "critical"


def test_resumed_because_the_monitor_stops_is_told(aloop, tray, monitor, x_bus, events):
    pause_and_see_it(aloop, tray, monitor, x_bus, events)
    monitor.resume(APP_ID, "stopping")
    run_until(aloop, lambda: bool(shown(x_bus, "Blender is no longer paused")), 10, "the news")
    assert shown(x_bus, "Blender is no longer paused")[-1]["body"] == (
        "The monitor stopped, so it runs again."
    )
    run_until(aloop, lambda: tray.notifier.shown_id(KEY) is None, 10, "the notification gone")


def test_a_tray_that_starts_while_an_app_is_paused_shows_it(aloop, monitor, x_bus, events):
    monitor.paused.append(paused_entry())
    tray = start_tray(aloop, x_bus.address)
    try:
        run_until(aloop, lambda: tray.notifier.shown_id(KEY) is not None, 10, "the notification")
        assert tray.icon_state == "critical"
        # The property's announcement after the signal shows nothing twice.
        monitor.pause(paused_entry({**paused_entry()["app"], "id": "other", "name": "Other"}))
        run_until(aloop, lambda: tray.notifier.shown_id("paused:other") is not None, 10, "other")
        assert len(read_events(events, "notification", key=KEY)) == 1
    finally:
        stop_tray(aloop, tray)


def test_a_tray_that_quits_takes_its_choices_away(aloop, tray, monitor, x_bus, events):
    """Nobody would hear them: the monitor resumes what it paused once no tray shows it."""
    pause_and_see_it(aloop, tray, monitor, x_bus, events)
    aloop.run_until_complete(tray.paused_apps.withdraw_all())
    run_until(aloop, lambda: x_bus.displayed_count() == 0, 10, "nothing on screen")
