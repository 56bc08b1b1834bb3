# SPDX-License-Identifier: GPL-3.0-or-later
"""MonitorClient against the real monitor (``memwarden monitor --dry-run``) on a private session
bus: properties, changes, methods, errors, and following the monitor across a restart."""

from __future__ import annotations

from pathlib import Path

import pytest
from tray_testlib import MonitorProcess, dry_monitor_argv, run_until

from hogs import highest_threshold_mib
from memwarden.ui.link.monitor_calls import MonitorError
from memwarden.ui.link.monitor_client import MonitorClient


def test_reads_every_property_and_calls_the_monitor(aloop, dry_monitor):
    client = MonitorClient()
    seen: list[dict] = []
    client.propertiesChanged.connect(seen.append)
    connections: list[bool] = []
    client.connectionChanged.connect(connections.append)

    async def scenario() -> dict:
        await client.start()
        assert client.connected and connections == [True]
        props = client.properties
        assert props["State"] in ("calm", "warning", "critical")
        assert props["AvailableBytes"] > 0
        assert set(props["Thresholds"]) >= {"warn", "close", "kill"}
        assert props["HelperStatus"] == "no-helper"
        assert seen and set(seen[0]) == set(props)  # the first read announces everything
        snap = await client.get_snapshot()
        await client.set_rule("some-app", "prefer")
        await client.pause(0)
        return snap

    snap = aloop.run_until_complete(scenario())
    assert snap["schema"] == "memwarden.scan/1"
    assert snap["apps"] and all("bytes" in a for a in snap["apps"])
    # The changes come back as PropertiesChanged, into the cache and the signal.
    run_until(aloop, lambda: client.properties.get("Paused") is True
              and client.properties.get("AppRules") == {"some-app": "prefer"},
              what="Paused and AppRules announced")  # fmt: skip
    assert any("AppRules" in changed for changed in seen[1:])
    aloop.run_until_complete(client.resume())
    run_until(aloop, lambda: client.properties.get("Paused") is False, what="resumed")
    aloop.run_until_complete(client.close())


def test_errors_carry_the_monitors_reason_code(aloop, dry_monitor):
    client = MonitorClient()

    async def scenario() -> list[MonitorError]:
        await client.start()
        errors = []
        for call in (client.set_rule("x", "bogus"), client.set_rule("  ", "protect"),
                     client.close_app("no-such-app-id")):  # fmt: skip
            with pytest.raises(MonitorError) as info:
                await call
            errors.append(info.value)
        await client.close()
        return errors

    bogus, empty, missing = aloop.run_until_complete(scenario())
    assert (bogus.reason, bogus.error_name) == (
        "unknown-rule", "io.github.memwarden.Monitor1.Error.InvalidArgument"
    )
    assert empty.reason == "empty-name"
    assert missing.reason == "no-such-app" and not missing.refused


def test_free_memory_now_reports_what_was_measured(aloop, dry_monitor):
    client = MonitorClient()

    async def scenario() -> dict:
        await client.start()
        result = await client.free_memory_now()
        await client.close()
        return result

    result = aloop.run_until_complete(scenario())
    assert [s["step"] for s in result["steps"]] == ["reclaim-background", "drop-caches"]
    assert result["freed_bytes"] == max(
        0, result["available_after"] - result["available_before"]
    )


def test_follows_the_monitor_across_a_restart(aloop, session_bus, tmp_path: Path):
    first = MonitorProcess(session_bus, dry_monitor_argv(), tmp_path / "first.log")
    first.wait_owning()
    client = MonitorClient()
    connections: list[bool] = []
    client.connectionChanged.connect(connections.append)
    aloop.run_until_complete(client.start())
    owner = client.owner
    assert client.connected
    aloop.run_until_complete(client.set_rule("kept", "protect"))
    first.stop()
    run_until(aloop, lambda: not client.connected, what="the monitor gone")
    assert connections == [True, False]
    # The last values stay readable while disconnected; calls say there is no monitor.
    assert client.properties["State"]
    with pytest.raises(MonitorError) as info:
        aloop.run_until_complete(client.get_snapshot())
    assert info.value.reason == "no-monitor"
    second = MonitorProcess(session_bus, dry_monitor_argv(), tmp_path / "second.log")
    try:
        run_until(aloop, lambda: client.connected, 30, "the new monitor")
        assert connections == [True, False, True]
        assert client.owner != owner
        # A new monitor without config: the rule set on the first one is gone, and the cache
        # says so (re-read on connection, not kept from the old monitor).
        assert client.properties["AppRules"] == {}
        snap = aloop.run_until_complete(client.get_snapshot())
        assert snap["apps"]
    finally:
        aloop.run_until_complete(client.close())
        second.stop()


def test_without_a_monitor_start_works_and_calls_fail_cleanly(aloop, session_bus):
    client = MonitorClient()

    async def scenario() -> str:
        await client.start()
        assert not client.connected and client.properties == {}
        try:
            await client.pause(10)
        except MonitorError as exc:
            return exc.reason
        finally:
            await client.close()
        return "no error"

    assert aloop.run_until_complete(scenario()) == "no-monitor"


def test_signals_reach_qt_signals(aloop, session_bus, tmp_path: Path):
    """A Warning from a real monitor that warns at once (its warning level above what is
    available). Killed is covered with real hogs in test_tray_controller.py."""
    # The client listens first: the monitor warns on its first sample, then only every 30 s.
    client = MonitorClient()
    warnings: list[tuple] = []
    states: list[str] = []
    client.warning.connect(lambda *args: warnings.append(args))
    client.stateChanged.connect(states.append)
    aloop.run_until_complete(client.start())
    warn = str(highest_threshold_mib())  # above what is available: warning at once
    monitor = MonitorProcess(session_bus, dry_monitor_argv("--warn-below-mib", warn),
                             tmp_path / "warn.log")  # fmt: skip
    try:
        monitor.wait_owning()
        run_until(aloop, lambda: bool(warnings), 30, "a Warning")
        app, eta, reason, why = warnings[0]
        assert isinstance(app, dict) and isinstance(eta, float)
        assert reason == "below-warn-threshold"
        assert why in ("sacrifice-first", "hidden-memory", "growing", "largest", "no-candidate",
                       "orphan-tmpfs")  # fmt: skip
        assert client.state == "warning" and states[-1] == "warning"
        assert client.last_warning is not None and client.last_warning["reason"] == reason
    finally:
        aloop.run_until_complete(client.close())
        monitor.stop()
