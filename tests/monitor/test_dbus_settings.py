# SPDX-License-Identifier: GPL-3.0-or-later
"""The monitor keeps the settings: ``Settings``, ``SettingsFromFlags`` and ``SetSettings`` on the
real monitor, on a private session bus (monitor_dbus_lib.py).

What a change must reach, every time: the ``Settings`` property, the ``Thresholds`` in force and
the config file, all three agreeing; and a refused change must leave all three as they were. A
switch (``pause_growing``) is a ``b`` both ways; what the engine then uses is checked in-process.
"""

from __future__ import annotations

import asyncio
import os
import tomllib
from pathlib import Path
from typing import Any

import pytest
from dbus_fast import Variant
from monitor_dbus_lib import (
    BASE_CONFIG,
    CallError,
    MonitorClient,
    client_of,
    config_text,
    run_async,
    write_config,
)

from memwarden.core.meminfo import MeminfoReader
from memwarden.core.settings import Settings, saved_values, settings_from_values
from memwarden.core.settings_file import FORMAT_VERSION, settings_from_document
from memwarden.core.threshold_bytes import thresholds_dict, thresholds_for
from memwarden.monitor import dbus_constants as c

MiB = 1 << 20


def plain(settings: dict[str, Variant]) -> dict[str, Any]:
    return {key: variant.value for key, variant in settings.items()}


def machine() -> tuple[int, int]:
    """RAM and swap in bytes, as the monitor reads them."""
    meminfo = MeminfoReader(Path("/proc")).read()
    return meminfo.mem_total_kib * 1024, meminfo.swap_total_kib * 1024


def in_file(path: Path) -> tuple[Settings, int]:
    return settings_from_document(tomllib.loads(path.read_text()))


async def set_settings(
    client: MonitorClient, changes: dict[str, Variant], reset: list[str] | None = None
) -> None:
    await client.call("SetSettings", "a{sv}as", changes, reset or [])


def agree(props: dict[str, Any], path: Path) -> Settings:
    """Settings, Thresholds and the file say the same; returns the file's settings."""
    saved, version = in_file(path)
    assert version == FORMAT_VERSION
    assert plain(props["Settings"]) == saved_values(saved)
    assert props["Thresholds"] == thresholds_dict(thresholds_for(saved, *machine()))
    return saved


def test_a_change_reaches_the_property_the_thresholds_and_the_file(monitor_sandbox: Any) -> None:
    sandbox = monitor_sandbox(monitor_args=())  # no flags: the file's settings are in force

    async def scenario() -> tuple[Settings, Settings, Settings, list[str]]:
        async with client_of(sandbox) as client:
            at_start = agree(client.props, sandbox.config)
            flags = list(client.props["SettingsFromFlags"])
            # Every D-Bus integer type is a number; a double is one too, except for MiB.
            await set_settings(client, {
                "warn_percent": Variant("d", 20.0), "close_mib": Variant("t", 300),
                "kill_mib": Variant("u", 100), "grace_seconds": Variant("i", 3),
            })  # fmt: skip
            await client.wait_property("Settings", lambda v: "close_mib" in v)
            await client.wait_property("Thresholds", lambda v: v["close"] == 300 * MiB)
            changed = agree(client.props, sandbox.config)
            # Back to the percentages: the limits are unset, in the file too.
            await set_settings(client, {}, ["close_mib", "kill_mib"])
            await client.wait_property("Settings", lambda v: "close_mib" not in v)
            await client.wait_property("Thresholds", lambda v: v["close"] != 300 * MiB)
            return at_start, changed, agree(client.props, sandbox.config), flags

    at_start, changed, reset, flags = run_async(scenario())
    assert flags == []
    base = settings_from_document(tomllib.loads(BASE_CONFIG))[0]
    assert at_start == base
    assert changed == Settings(**{**vars_of(base), "warn_percent": 20.0, "close_mib": 300,
                                  "kill_mib": 100, "grace_seconds": 3.0})  # fmt: skip
    assert reset == Settings(**{**vars_of(base), "warn_percent": 20.0, "grace_seconds": 3.0})
    text = sandbox.config.read_text()
    assert "\nclose_mib" not in text and "\n# close_mib = <MiB>" in text


def vars_of(settings: Settings) -> dict[str, Any]:
    return {name: getattr(settings, name) for name in Settings.__dataclass_fields__}


BAD_CHANGES = [
    ({"warn_precent": Variant("d", 20.0)}, [], c.ERROR_INVALID_ARGUMENT,
     "unknown-setting: warn_precent"),
    ({}, ["nope"], c.ERROR_INVALID_ARGUMENT, "unknown-setting: nope"),
    ({"close_mib": Variant("d", 1.5)}, [], c.ERROR_INVALID_ARGUMENT, "wrong-type: close_mib"),
    ({"warn_percent": Variant("s", "20")}, [], c.ERROR_INVALID_ARGUMENT,
     "wrong-type: warn_percent"),
    ({"warn_percent": Variant("b", True)}, [], c.ERROR_INVALID_ARGUMENT,
     "wrong-type: warn_percent"),
    ({"warn_percent": Variant("d", 150.0)}, [], c.ERROR_INVALID_ARGUMENT,
     "out-of-range: warn_percent"),
    ({"close_mib": Variant("x", -1)}, [], c.ERROR_INVALID_ARGUMENT, "out-of-range: close_mib"),
    ({"close_percent": Variant("d", 100.0), "warn_percent": Variant("d", 100.0)}, [],
     c.ERROR_INVALID_ARGUMENT, "always-holds: close_percent"),
    ({"psi_full_percent": Variant("d", 0.0)}, [], c.ERROR_INVALID_ARGUMENT,
     "always-holds: psi_full_percent"),
    ({"kill_percent": Variant("d", 12.0)}, [], c.ERROR_INVALID_ARGUMENT,
     "out-of-order: kill_percent,close_percent"),
    ({"kill_mib": Variant("t", 1 << 40)}, [], c.ERROR_INVALID_ARGUMENT,
     "above-memory: kill_mib"),
    ({"kill_mib": Variant("t", 10)}, ["kill_mib"], c.ERROR_INVALID_ARGUMENT,
     "set-and-reset: kill_mib"),
    # A switch takes a b only: a number, even 0, is refused, as a b is for a number (above).
    ({"pause_growing": Variant("d", 0.0)}, [], c.ERROR_INVALID_ARGUMENT,
     "wrong-type: pause_growing"),
    ({"pause_growing": Variant("t", 0)}, [], c.ERROR_INVALID_ARGUMENT,
     "wrong-type: pause_growing"),
    ({"pause_growing": Variant("s", "false")}, [], c.ERROR_INVALID_ARGUMENT,
     "wrong-type: pause_growing"),
]  # fmt: skip


def test_a_bad_change_is_a_named_error_and_changes_nothing(monitor_sandbox: Any) -> None:
    sandbox = monitor_sandbox(monitor_args=())

    async def scenario() -> tuple[list[tuple[str, str]], dict[str, Any], dict[str, Any]]:
        nonlocal stamp, text
        async with client_of(sandbox) as client:
            before = dict(client.props)
            stamp, text = os.stat(sandbox.config), sandbox.config.read_text()  # once it started
            answers = []
            for changes, reset, _name, _text in BAD_CHANGES:
                with pytest.raises(CallError) as info:
                    await set_settings(client, changes, reset)
                answers.append((info.value.name, info.value.text))
            # Asked afresh: nothing was announced because nothing changed.
            return answers, before, await client.load_properties()

    stamp, text = os.stat(sandbox.config), ""
    answers, before, after = run_async(scenario())
    assert answers == [(name, text) for _c, _r, name, text in BAD_CHANGES]
    assert sandbox.config.read_text() == text
    assert os.stat(sandbox.config).st_mtime_ns == stamp.st_mtime_ns
    for name in ("Settings", "Thresholds", "ConfigError", "AppRules"):
        assert after[name] == before[name], name


def test_flags_win_and_say_so(monitor_sandbox: Any) -> None:
    sandbox = monitor_sandbox()  # --kill-below-mib 1: close_mib 1, kill_mib 0

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        async with client_of(sandbox) as client:
            before = dict(client.props)
            await set_settings(client, {"close_mib": Variant("t", 500)})
            await client.wait_property("Settings", lambda v: "close_mib" in v)
            return before, await client.load_properties()

    before, after = run_async(scenario())
    assert before["SettingsFromFlags"] == after["SettingsFromFlags"] == ["close_mib", "kill_mib"]
    # Saved, and shown as saved; the flag stays in force while this monitor runs.
    assert plain(after["Settings"])["close_mib"] == 500
    assert in_file(sandbox.config)[0].close_mib == 500
    assert after["Thresholds"] == before["Thresholds"]
    assert after["Thresholds"]["close"] == 1 * MiB


def test_without_a_config_file_settings_are_refused(monitor_sandbox: Any) -> None:
    sandbox = monitor_sandbox(monitor_args=("--no-config", "--warn-mib", "1"))

    async def scenario() -> tuple[dict[str, Any], CallError]:
        async with client_of(sandbox) as client:
            with pytest.raises(CallError) as info:
                await set_settings(client, {"warn_percent": Variant("d", 20.0)})
            return dict(client.props), info.value

    props, error = run_async(scenario())
    assert (error.name, error.text) == (c.ERROR_REFUSED, "no-config-file")
    assert props["ConfigPath"] == ""
    assert settings_from_values(plain(props["Settings"])) == Settings()  # no file: the defaults
    assert props["SettingsFromFlags"] == ["warn_mib"]


def test_a_file_that_cannot_be_written_refuses_the_change(monitor_sandbox: Any) -> None:
    sandbox = monitor_sandbox(monitor_args=())

    async def scenario() -> tuple[CallError, dict[str, Any]]:
        async with client_of(sandbox) as client:
            # Where the file was, a directory: never read, moved or written over.
            sandbox.config.unlink()
            sandbox.config.mkdir()
            with pytest.raises(CallError) as info:
                await set_settings(client, {"warn_percent": Variant("d", 20.0)})
            return info.value, await client.load_properties()

    error, props = run_async(scenario())
    assert (error.name, error.text) == (c.ERROR_FAILED, "not-saved")
    assert sandbox.config.is_dir() and not any(sandbox.config.iterdir())
    assert plain(props["Settings"])["warn_percent"] == Settings().warn_percent
    assert "is a directory" in props["ConfigError"]


def test_a_change_keeps_an_edit_by_hand_and_a_rule_set_at_the_same_time(
    monitor_sandbox: Any,
) -> None:
    sandbox = monitor_sandbox(monitor_args=())

    async def scenario() -> dict[str, Any]:
        async with client_of(sandbox) as client:
            # A person adds a rule by hand; a client changes a setting and sets a rule at once.
            write_config(sandbox.config, config_text(apps={"protect": ["by-hand"]}))
            await asyncio.gather(
                set_settings(client, {"warn_percent": Variant("d", 22.0)}),
                client.call("SetAppRule", "ss", "by-call", "prefer"),
                set_settings(client, {"grace_seconds": Variant("d", 4.0)}),
            )
            await client.wait_property(
                "AppRules", lambda v: v == {"by-hand": "protect", "by-call": "prefer"}
            )
            await client.wait_property("Settings", lambda v: v["grace_seconds"].value == 4.0)
            return await client.load_properties()

    props = run_async(scenario())
    saved = agree(props, sandbox.config)
    assert (saved.warn_percent, saved.grace_seconds) == (22.0, 4.0)
    assert (saved.protect, saved.prefer) == (("by-hand",), ("by-call",))


# -- the switch: pausing an app that grows at the close threshold ---------------------------------


def test_pausing_is_a_b_in_settings_and_is_switched_off_with_a_b(monitor_sandbox: Any) -> None:
    # Started with the "off" flag: it wins while this monitor runs, and SettingsFromFlags says so.
    sandbox = monitor_sandbox(monitor_args=("--no-pause-growing",))

    async def scenario() -> tuple[Variant, list[str], Variant, dict[str, Any]]:
        async with client_of(sandbox) as client:
            at_start = client.props["Settings"]["pause_growing"]
            flags = list(client.props["SettingsFromFlags"])
            await set_settings(client, {"pause_growing": Variant("b", False)})
            await client.wait_property("Settings", lambda v: v["pause_growing"].value is False)
            props = await client.load_properties()
            return at_start, flags, props["Settings"]["pause_growing"], props

    at_start, flags, after, props = run_async(scenario())
    # The saved value (the file has none: on), as a b, whatever the flag says.
    assert (at_start.signature, at_start.value) == ("b", True)
    assert flags == ["pause_growing"]
    assert (after.signature, after.value) == ("b", False)
    assert agree(props, sandbox.config).pause_growing is False
    assert "\npause_growing = false\n" in sandbox.config.read_text()


@pytest.mark.parametrize(
    ("argv", "in_force"),
    [((), False), (("--pause-growing",), True)],
    ids=["no-flag", "the-on-flag-wins"],
)
def test_the_switch_set_over_the_bus_is_what_the_engine_uses(
    session_bus: Any, tmp_path: Path, argv: tuple[str, ...], in_force: bool
) -> None:
    # In-process, to see engine.config; the engine is created but never runs: it closes nothing.
    from memwarden.cli import build_parser
    from memwarden.monitor import dbus_service
    from memwarden.monitor.config import ConfigStore
    from memwarden.monitor.engine import Engine
    from memwarden.monitor.options import overrides_from

    args = build_parser().parse_args(["monitor", *argv])
    store = ConfigStore(tmp_path / "config.toml")
    store.load()
    engine = Engine(store, overrides=overrides_from(args))
    before = engine.config.pause_growing

    async def scenario() -> dict[str, Any]:
        stop = asyncio.Event()
        served = await dbus_service.serve(engine, stop=stop, bus_address=session_bus.address)
        client = await MonitorClient(session_bus.address).connect()
        try:
            await set_settings(client, {"pause_growing": Variant("b", False)})
            return await client.load_properties()
        finally:
            client.close()
            await served.close()
            stop.set()

    props = run_async(scenario())
    assert before is True
    assert props["Settings"]["pause_growing"].value is False  # saved, and said so
    assert in_file(store.path)[0].pause_growing is False
    assert engine.saved_settings().pause_growing is False
    assert engine.config.pause_growing is in_force  # a flag wins while the monitor runs
    assert props["SettingsFromFlags"] == (["pause_growing"] if argv else [])
