# SPDX-License-Identifier: GPL-3.0-or-later
"""The settings page's apply path against the real monitor (``memwarden monitor --dry-run`` with
a config file, on a private session bus): a change goes through ``SetSettings``, is saved by the
monitor alone, survives rules set at the same moment, and a refusal comes back in words."""

from __future__ import annotations

import asyncio
import dataclasses
import sys
import tomllib
from pathlib import Path

from tray_testlib import MonitorProcess, run_until

from memwarden.core.meminfo import MeminfoReader
from memwarden.core.settings import settings_from_values
from memwarden.core.settings_file import FORMAT_VERSION, settings_from_document
from memwarden.core.threshold_bytes import thresholds_dict, thresholds_for
from memwarden.ui.link.monitor_calls import MonitorError
from memwarden.ui.link.monitor_client import MonitorClient
from memwarden.ui.window import settings_presenter as sp


def monitor_with_file(session_bus, tmp_path: Path) -> tuple[MonitorProcess, Path]:
    config = tmp_path / "config.toml"
    config.write_text("[thresholds]\npsi_full_percent = 100.0\npsi_some_warn_percent = 100.0\n")
    argv = [sys.executable, "-m", "memwarden", "monitor", "--no-helper", "--dry-run",
            "--config", str(config)]  # fmt: skip
    monitor = MonitorProcess(session_bus, argv, tmp_path / "monitor.log")
    monitor.wait_owning()
    return monitor, config


def test_a_change_from_the_page_survives_rules_set_at_the_same_time(
    aloop, session_bus, tmp_path: Path
):
    monitor, config = monitor_with_file(session_bus, tmp_path)
    client = MonitorClient()
    rounds = [(20.0 + i, f"org.example.App{i}", "protect" if i % 2 else "prefer") for i in range(5)]

    async def scenario() -> list[tuple[bool, str]]:
        await client.start()
        answers = []
        for warn, name, rule in rounds:
            # The page's Apply and a rule from the Apps tab (or the tray), in flight together.
            applied, _ = await asyncio.gather(
                sp.apply_settings(client, {"warn_percent": warn, "grace_seconds": 4.0}),
                client.set_rule(name, rule),
            )
            answers.append(applied)
        return answers

    try:
        answers = aloop.run_until_complete(scenario())
        assert answers == [(True, "Saved and in force.")] * len(rounds)
        rules = {name: rule for _warn, name, rule in rounds}
        run_until(aloop, lambda: client.properties.get("AppRules") == rules, what="AppRules")
        run_until(aloop, lambda: client.properties["Settings"]["warn_percent"] == 24.0,
                  what="Settings announced")  # fmt: skip
        # The file the monitor wrote holds the last settings and every rule.
        saved, version = settings_from_document(tomllib.loads(config.read_text()))
        assert version == FORMAT_VERSION
        assert (saved.warn_percent, saved.grace_seconds) == (24.0, 4.0)
        assert set(saved.protect) == {n for n, r in rules.items() if r == "protect"}
        assert set(saved.prefer) == {n for n, r in rules.items() if r == "prefer"}
        # ... shown as saved, and in force: the Thresholds are those of these settings.
        shown = settings_from_values(client.properties["Settings"])
        assert shown == dataclasses.replace(saved, protect=(), prefer=())
        meminfo = MeminfoReader(Path("/proc")).read()
        in_force = thresholds_for(saved, meminfo.mem_total_kib * 1024,
                                  meminfo.swap_total_kib * 1024)  # fmt: skip
        run_until(aloop, lambda: client.properties["Thresholds"] == thresholds_dict(in_force),
                  what="Thresholds announced")  # fmt: skip
    finally:
        aloop.run_until_complete(client.close())
        monitor.stop()


def test_the_page_s_pause_switch_reaches_the_monitor_as_a_bool(aloop, session_bus, tmp_path: Path):
    monitor, config = monitor_with_file(session_bus, tmp_path)
    client = MonitorClient()

    async def scenario() -> tuple[bool | None, dict[str, object], tuple[bool, str]]:
        await client.start()
        saved = sp.saved_settings(client.properties)
        assert saved is not None
        # The page's check box unticked: only that change is sent (a number would be refused).
        changed = sp.changes(saved, dataclasses.replace(saved, pause_growing=False))
        return saved.pause_growing, changed, await sp.apply_settings(client, changed)

    try:
        shown, changed, applied = aloop.run_until_complete(scenario())
        assert (shown, changed) == (True, {"pause_growing": False})
        assert applied == (True, "Saved and in force.")
        run_until(aloop, lambda: client.properties["Settings"]["pause_growing"] is False,
                  what="Settings announced")  # fmt: skip
        assert sp.saved_settings(client.properties).pause_growing is False  # type: ignore[union-attr]
        assert settings_from_document(tomllib.loads(config.read_text()))[0].pause_growing is False
    finally:
        aloop.run_until_complete(client.close())
        monitor.stop()


def test_a_refusal_comes_back_in_words_and_changes_nothing(aloop, session_bus, tmp_path: Path):
    monitor, config = monitor_with_file(session_bus, tmp_path)
    client = MonitorClient()

    async def scenario() -> tuple[tuple[bool, str], MonitorError, str, str]:
        await client.start()
        before = config.read_text()  # as the monitor wrote it when it started
        # What the page never sends, but a script may: a limit no machine state could clear.
        applied = await sp.apply_settings(client, {"kill_mib": 1 << 40})
        try:
            await client.set_settings({"warn_percent": 100.0}, [])
        except MonitorError as exc:
            error = exc
        return applied, error, before, config.read_text()

    try:
        applied, error, before, after = aloop.run_until_complete(scenario())
    finally:
        aloop.run_until_complete(client.close())
        monitor.stop()
    assert applied == (False, "A limit in MiB is at or above this computer's memory and swap.")
    assert (error.reason, error.detail) == ("always-holds", "warn_percent")
    assert error.error_name == "io.github.memwarden.Monitor1.Error.InvalidArgument"
    assert after == before
