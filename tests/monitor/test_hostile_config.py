# SPDX-License-Identifier: GPL-3.0-or-later
"""A hostile or impossible config never stops the guard, and the tray hears why.

What the tray shows is the ``ConfigError`` property (ui/tray/menu_presenter.py: "Settings problem:
…"; the settings page: "Your settings file could not be used, so the defaults are in force: …"),
so these tests read it over the bus, from the real monitor in its sandbox. The monitor's address
space is limited in the sandbox (monitor_dbus_sandbox.py): code that reads ``/dev/zero`` to the
end fails there with MemoryError instead of exhausting the test machine.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from monitor_dbus_lib import (
    BASE_CONFIG,
    Sandbox,
    client_of,
    config_text,
    run_async,
    write_config,
)

from hogs import highest_threshold_mib
from memwarden.core.settings import Settings
from memwarden.monitor.config_file import MAX_CONFIG_BYTES

MiB = 1024 * 1024


def fifo_behind_a_symlink(path: Path) -> None:
    fifo = path.with_name("pipe")
    os.mkfifo(fifo)
    path.symlink_to(fifo)


def dev_zero_behind_a_symlink(path: Path) -> None:
    path.symlink_to("/dev/zero")


def a_fifo(path: Path) -> None:
    os.mkfifo(path)


def a_device(path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("mknod needs root")
    os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 5))  # /dev/zero's numbers


def too_big(path: Path) -> None:
    path.write_text(BASE_CONFIG + "#" * MAX_CONFIG_BYTES)


HOSTILE: dict[str, tuple[Callable[[Path], None], str]] = {
    "symlink-to-fifo": (fifo_behind_a_symlink, "is a symbolic link"),
    "symlink-to-dev-zero": (dev_zero_behind_a_symlink, "is a symbolic link (to /dev/zero)"),
    "fifo": (a_fifo, "is a FIFO (named pipe), not a regular file"),
    "device": (a_device, "is a character device, not a regular file"),
    "too-big": (too_big, "is larger than 1 MiB"),
}


def default_thresholds(props: dict[str, Any]) -> bool:
    """Whether the Thresholds property is the defaults' (the percentages of Settings())."""
    total = props["Thresholds"]["hysteresis"] * 50  # 2 % of RAM + swap
    defaults = Settings()
    return abs(props["Thresholds"]["kill"] - total * defaults.kill_percent / 100) < total / 1000


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_a_hostile_file_at_start_leaves_the_defaults_and_says_why(
    session_bus: Any, tmp_path: Path, kind: str
) -> None:
    make, says = HOSTILE[kind]
    directory = tmp_path / "sandbox"
    directory.mkdir()
    make(directory / "config.toml")
    # Not monitor_sandbox: it would write its default config through what make() put there.
    sandbox = Sandbox(session_bus, directory, monitor_args=[], config_text=None, namespace=False)

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        async with client_of(sandbox) as client:  # it started, and owns its name
            return dict(client.props), await client.snapshot()

    try:
        props, snapshot = run_async(scenario())
    finally:
        stopped = sandbox.stop()
    assert says in props["ConfigError"] and "using defaults" in props["ConfigError"]
    assert default_thresholds(props), props
    assert snapshot["schema"] == "memwarden.scan/1"
    assert stopped == 0, sandbox.output()  # and SIGTERM still ends it


@pytest.mark.parametrize("kind", ["symlink-to-fifo", "symlink-to-dev-zero", "fifo"])
def test_a_hostile_file_at_runtime_never_stalls_the_guard(monitor_sandbox: Any, kind: str) -> None:
    sandbox = monitor_sandbox(monitor_args=(), config_text=config_text(warn_percent=20.0))
    make, says = HOSTILE[kind]

    async def scenario() -> tuple[str, dict[str, Any]]:
        async with client_of(sandbox) as client:
            staged = sandbox.config.with_name("staged")
            make(staged)
            os.replace(staged, sandbox.config)  # switched in one step, as an attacker would
            error = await client.wait_property("ConfigError", lambda v: says in v)
            return str(error), await client.snapshot()  # the loop still answers

    error, snapshot = run_async(scenario())
    assert "using defaults" in error and snapshot["apps"] is not None
    assert sandbox.monitor()["rc"] is None


@pytest.mark.memory
@pytest.mark.root
def test_thresholds_the_machine_cannot_have_are_a_config_error(monitor_sandbox: Any) -> None:
    # Inside the schema's maximum: this closed every app, one every half second.
    sandbox = monitor_sandbox(
        needs_namespace=True, monitor_args=(), config_text=config_text(kill_mib=1 << 40),
        hogs={"hog": {"kind": "memfd", "size_mib": 32, "name": "innocent"}},
    )  # fmt: skip
    hog = sandbox.hogs["hog"]

    async def scenario() -> tuple[dict[str, Any], str]:
        async with client_of(sandbox) as client:
            at_start = dict(client.props)
            # The same at runtime, as a percentage that always holds.
            write_config(sandbox.config, config_text(close_percent=100, warn_percent=100))
            await client.call("ReloadConfig")
            error = await client.wait_property("ConfigError", lambda v: "close_percent" in v)
            return at_start, str(error)

    at_start, at_runtime = run_async(scenario())
    error = at_start["ConfigError"]
    assert f"kill_mib = {1 << 40} is at or above this machine's memory and swap" in error
    assert default_thresholds(at_start) and at_start["State"] == "calm"
    assert "close_percent = 100 would always hold" in at_runtime
    assert sandbox.alive(hog.pids) == [True]


def over_the_top() -> str:
    return str(highest_threshold_mib() + 2)  # at least RAM + swap


@pytest.mark.parametrize(
    ("flag", "value", "says"),
    [
        ("--kill-below-mib", lambda: str(1 << 40), "is at or above this machine's memory"),
        ("--kill-below-mib", over_the_top, "is at or above this machine's memory"),
        ("--warn-below-mib", over_the_top, "is at or above this machine's memory"),
        ("--kill-below-percent", lambda: "100", "argument --kill-below-percent: 100.0 is not in"),
        ("--kill-below-mib", lambda: "-5", "argument --kill-below-mib: -5 is negative"),
        ("--grace-seconds", lambda: "1e9", "argument --grace-seconds: 1000000000.0 is not in"),
        ("--close-mib", over_the_top, "is at or above this machine's memory"),
        ("--kill-percent", lambda: "12", "--kill-percent: [thresholds] need kill_percent <= "
                                         "close_percent <= warn_percent"),
    ],
    ids=["kill-mib-huge", "kill-mib", "warn-mib", "percent", "negative", "grace", "close-mib",
         "out-of-order"],
)
def test_threshold_flags_the_machine_cannot_have_are_refused(
    monitor_sandbox: Any, flag: str, value: Callable[[], str], says: str
) -> None:
    sandbox = monitor_sandbox()
    # --no-dbus, so that nothing else stops it; --dry-run, so that old code, which ran with these
    # flags (and closed every app it saw), can only say what it would do.
    args = ["--no-helper", "--no-config", "--no-dbus", "--dry-run", flag, value()]
    refused = sandbox.request("run_monitor", args=args, timeout_s=20)
    assert refused["rc"] == 2, refused["output"]
    assert says in refused["output"]
