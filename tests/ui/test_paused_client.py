# SPDX-License-Identifier: GPL-3.0-or-later
"""MonitorClient and the apps the monitor pauses, over a private session bus with the pausing
stand-in (pausing_monitor.py): ``PausedApps`` kept decoded, ``AppPaused``/``AppResumed`` as Qt
signals, ``ResumeApp`` and its errors."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from pausing_monitor import PausingMonitor, paused_app, paused_entry
from tray_testlib import run_until

from memwarden.ui.link.monitor_calls import MonitorError
from memwarden.ui.link.monitor_client import MonitorClient


@pytest.fixture
def monitor(aloop, session_bus) -> Iterator[PausingMonitor]:
    stand_in = PausingMonitor()
    aloop.run_until_complete(stand_in.start(session_bus.address))
    yield stand_in
    aloop.run_until_complete(stand_in.stop())


@pytest.fixture
def client(aloop, monitor) -> Iterator[MonitorClient]:
    listening = MonitorClient()
    aloop.run_until_complete(listening.start())
    assert listening.connected
    yield listening
    aloop.run_until_complete(listening.close())


def test_an_app_paused_before_the_client_came_is_read_decoded(aloop, session_bus):
    stand_in = PausingMonitor()
    aloop.run_until_complete(stand_in.start(session_bus.address))
    entry = paused_entry()
    stand_in.paused.append(entry)
    client = MonitorClient()
    try:
        aloop.run_until_complete(client.start())
        assert client.properties["PausedApps"] == [entry]
    finally:
        aloop.run_until_complete(client.close())
        aloop.run_until_complete(stand_in.stop())


@pytest.mark.parametrize("announce_first", [True, False], ids=["announced-first",
                                                                "signal-first"])  # fmt: skip
def test_paused_and_resumed_reach_qt_signals_and_the_cache_in_either_order(
    aloop, monitor, client, announce_first
):
    monitor.announce_first = announce_first
    paused: list[dict] = []
    resumed: list[tuple[str, str]] = []
    cached_at_signal: list[list] = []
    changes: list[dict] = []
    client.appPaused.connect(lambda e: (paused.append(e), cached_at_signal.append(
        list(client.properties["PausedApps"]))))  # fmt: skip
    client.appResumed.connect(lambda app_id, why: (resumed.append((app_id, why)),
                                                   cached_at_signal.append(
                                                       list(client.properties["PausedApps"]))))
    client.propertiesChanged.connect(
        lambda changed: changes.append(changed) if "PausedApps" in changed else None
    )
    entry = paused_entry()
    monitor.pause(entry)
    run_until(aloop, lambda: paused and client.properties["PausedApps"] == [entry],
              10, "AppPaused and PausedApps")  # fmt: skip
    assert paused == [entry]
    # Whichever came first, the cache already lists the app when the signal's slot runs.
    assert cached_at_signal == [[entry]]
    aloop.run_until_complete(client.resume_app(entry["app"]["id"]))
    run_until(aloop, lambda: resumed and client.properties["PausedApps"] == [], 10, "AppResumed")
    assert resumed == [("org.blender.Blender", "user-request")]
    assert cached_at_signal[-1] == []
    assert monitor.calls == [("ResumeApp", "org.blender.Blender")]
    # The cache announced each change once, not once per message.
    assert [c["PausedApps"] for c in changes] == [[entry], []]


def test_resume_app_errors_carry_the_monitors_reason(aloop, monitor, client):
    for app_id, code in (("org.blender.Blender", "not-paused"), ("  ", "empty-app-id")):
        with pytest.raises(MonitorError) as info:
            aloop.run_until_complete(client.resume_app(app_id))
        assert info.value.reason == code


def test_a_paused_list_that_is_not_json_is_an_empty_list(aloop, monitor, client):
    """A malformed value never reaches the tray as text: it reads as no paused app."""
    monitor.emit_properties_changed({"PausedApps": "[{not json"})
    monitor.emit_properties_changed({"State": "warning"})  # a marker that the first one came
    run_until(aloop, lambda: client.state == "warning", 10, "the marker")
    assert client.properties["PausedApps"] == []
    app = paused_app("other", "Other")
    monitor.emit_properties_changed({"PausedApps": f'[1, "x", {{"app": {json.dumps(app)}}}]'})
    run_until(aloop, lambda: client.properties["PausedApps"] != [], 10, "a list with junk")
    assert client.properties["PausedApps"] == [{"app": app}]
