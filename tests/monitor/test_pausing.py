# SPDX-License-Identifier: GPL-3.0-or-later
"""Pause before kill, with the real monitor in its sandbox (a PID namespace of its own) on a
private session bus, real hogs, and this test as the tray (it owns the tray's bus name: the
monitor pauses only while a tray can show it).

A memfd leak at 100 MiB/s beside a 512 MiB game: at the close level the leak is paused (stopped,
state ``T``) before any signal that ends anything; its memory stops growing; the game lives.
ResumeApp lets it run; with no answer, the kill level ends it; stopping the monitor, or the tray
leaving, resumes it. A big app that is not growing is closed as before.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from monitor_dbus_lib import (
    MonitorClient,
    Sandbox,
    client_of,
    config_text,
    run_async,
    write_config,
)

from hogs import available_mib
from memwarden.core import reason_codes as codes
from memwarden.monitor import dbus_constants as c

pytestmark = [pytest.mark.memory, pytest.mark.root]

GAME_MIB = 512
#: The leak: 10 MiB every 100 ms, up to this much.
LEAK_CAP_MIB = 1536
#: The close level is this far below what is left once the game is in place: about 4 s of leak.
CLOSE_AFTER_MIB = 400
WAIT_PAUSE_S = 60.0


def leak_sandbox(
    monitor_sandbox: Any, apps: dict[str, list[str]] | None = None, game_dir: str = ""
) -> tuple[Sandbox, int]:
    """The game and the leak in place (the leak not growing yet); returns the close level."""
    close = available_mib() - GAME_MIB - CLOSE_AFTER_MIB
    sandbox = monitor_sandbox(
        needs_namespace=True, monitor_args=(),
        config_text=config_text(apps=apps, warn_mib=close + 300, close_mib=close, kill_mib=1),
        hogs={
            "game": {"kind": "anon", "size_mib": GAME_MIB, "name": "game", "directory": game_dir},
            "leak": {"kind": "leak-memfd", "size_mib": LEAK_CAP_MIB, "extra": "10:100",
                     "name": "leak"},
        },
    )  # fmt: skip
    return sandbox, close


async def tray_and_leak(client: MonitorClient, sandbox: Sandbox) -> dict[str, Any]:
    """Be the tray, let the leak grow, and wait for it to be paused; the AppPaused entry."""
    await client.own_name(c.TRAY_BUS_NAME)
    await asyncio.sleep(0.5)  # the monitor hears NameOwnerChanged
    sandbox.start_leak("leak")
    (paused_json,) = await client.wait_signal("AppPaused", timeout_s=WAIT_PAUSE_S)
    entry: dict[str, Any] = json.loads(paused_json)
    return entry


async def memory_left_mib(client: MonitorClient) -> int:
    """What the monitor counts as left now (AvailableBytes), in MiB."""
    props = await client.load_properties()
    return int(props["AvailableBytes"]) // (1024 * 1024)


def events(sandbox: Sandbox) -> list[dict[str, Any]]:
    """The monitor's events (``--json-events`` lines of its log), in order."""
    out = []
    for line in sandbox.output().splitlines():
        if line.startswith('{"event"'):
            out.append(json.loads(line))
    return out


def app_total(snapshot: dict[str, Any], pids: list[int]) -> int:
    (app,) = [a for a in snapshot["apps"] if set(pids) & set(a["pids"])]
    return int(app["bytes"]["total"])


def test_a_growing_leak_is_paused_not_closed_and_the_game_lives(monitor_sandbox: Any) -> None:
    sandbox, _close = leak_sandbox(monitor_sandbox)
    leak, game = sandbox.hogs["leak"], sandbox.hogs["game"]

    async def scenario() -> tuple[dict[str, Any], list[Any], str, int, int, list[Any], list[Any]]:
        async with client_of(sandbox) as client:
            entry = await tray_and_leak(client, sandbox)
            props = await client.load_properties()
            # A snapshot may be served from the last look (up to a second old): both after that.
            await asyncio.sleep(1.2)
            first = app_total(await client.snapshot(), leak.pids)
            await asyncio.sleep(1.5)
            second = app_total(await client.snapshot(), leak.pids)
            # Looked at while the tray is here: once it goes, the app runs again.
            states = sandbox.states(leak.pids)
            return (entry, json.loads(props["PausedApps"]), str(props["NextVictim"]), first,
                    second, client.signals, states)  # fmt: skip

    entry, paused_apps, next_victim, first, second, signals, states = run_async(scenario())
    assert sorted(entry["app"]["pids"]) == sorted(leak.pids)
    assert entry["method"] == "signal"  # no scope of its own here: SIGSTOP through pidfds
    assert entry["growth_bytes_per_s"] >= 1024 * 1024
    assert entry["reclaim"]["result"] == codes.NO_OWN_CGROUP  # why it could not be given back
    assert [p["app"]["id"] for p in paused_apps] == [entry["app"]["id"]]
    assert next_victim == entry["app"]["id"]  # what the kill level would end: not the game
    assert states == ["T"] * len(leak.pids)
    # Its memory stopped growing (100 MiB/s before).
    assert second - first < 1024 * 1024, (first, second)
    # Nothing was signalled to end it while the tray was there: no kill event, no Killed.
    kinds = [e["event"] for e in events(sandbox)]
    assert "paused" in kinds, kinds
    while_paused = kinds[: kinds.index("resumed")] if "resumed" in kinds else kinds
    assert "kill" not in while_paused, kinds
    assert "Killed" not in [name for name, _body in signals]
    assert sandbox.alive(game.pids) == [True]


def test_resume_lets_it_run_and_its_growth_is_warned_about_again(monitor_sandbox: Any) -> None:
    sandbox, _close = leak_sandbox(monitor_sandbox)
    leak = sandbox.hogs["leak"]

    async def scenario() -> tuple[list[Any], list[str | None], list[Any], list[Any]]:
        async with client_of(sandbox) as client:
            entry = await tray_and_leak(client, sandbox)
            start = len(client.signals)
            await client.call("ResumeApp", "s", entry["app"]["id"])
            resumed = await client.wait_signal("AppResumed", start=start)
            states = sandbox.states(leak.pids)
            # Still below the close level and growing again: warned, then paused again.
            warning = await client.wait_signal(
                "Warning", lambda body: json.loads(body[0] or "null") is not None
                and json.loads(body[0])["id"] == entry["app"]["id"], start=start,
            )  # fmt: skip
            again = await client.wait_signal("AppPaused", start=start, timeout_s=WAIT_PAUSE_S)
            return resumed, states, warning, again

    resumed, states, _warning, again = run_async(scenario())
    assert resumed[1] == codes.USER_REQUEST
    assert "T" not in states
    assert json.loads(again[0])["app"]["id"] == resumed[0]
    kinds = [e["event"] for e in events(sandbox)]
    assert kinds.count("paused") >= 2 and "kill" not in kinds


def test_while_an_app_is_paused_another_that_grows_is_left_alone(monitor_sandbox: Any) -> None:
    """Below the close level with the leak paused, an app that starts and grows (a screenshot
    tool, a game loading a level) is not paused, not closed and not warned about: the person
    is deciding about the one responsible. (On a real sway session the screenshot tool that
    grew by 9 MiB was paused.)"""
    close = available_mib() - GAME_MIB - CLOSE_AFTER_MIB
    sandbox = monitor_sandbox(
        needs_namespace=True, monitor_args=(),
        config_text=config_text(warn_mib=close + 300, close_mib=close, kill_mib=1),
        hogs={
            "game": {"kind": "anon", "size_mib": GAME_MIB, "name": "game"},
            "leak": {"kind": "leak-memfd", "size_mib": LEAK_CAP_MIB, "extra": "10:100",
                     "name": "leak"},
            # 20 MiB every 100 ms, to 400 MiB: ten seconds of that outweigh the paused leak.
            "later": {"kind": "leak-anon", "size_mib": 400, "extra": "20:100", "name": "later"},
        },
    )  # fmt: skip
    leak, later = sandbox.hogs["leak"], sandbox.hogs["later"]

    async def scenario() -> tuple[dict[str, Any], list[str | None], list[str | None], list[Any],
                                  str]:  # fmt: skip
        async with client_of(sandbox) as client:
            entry = await tray_and_leak(client, sandbox)
            start = len(client.signals)
            sandbox.start_leak("later")
            await asyncio.sleep(5.0)  # it grows to its cap, below the close level all along
            next_victim = str((await client.load_properties())["NextVictim"])
            return entry, sandbox.states(leak.pids), sandbox.states(later.pids), \
                client.signals[start:], next_victim

    entry, leak_states, later_states, signals, next_victim = run_async(scenario())
    assert sorted(entry["app"]["pids"]) == sorted(leak.pids)
    assert next_victim == entry["app"]["id"]  # the kill level would end the paused leak first
    assert leak_states == ["T"] * len(leak.pids)
    assert "T" not in later_states and None not in later_states  # running, not paused, alive
    assert [name for name, _body in signals if name in ("AppPaused", "Killed", "Warning")
            and any(str(p) in str(_body) for p in later.pids)] == [], signals
    kinds = [e["event"] for e in events(sandbox)]
    assert kinds.count("paused") == 1 and "kill" not in kinds, kinds


def test_close_of_the_paused_app_closes_it_and_nothing_else(monitor_sandbox: Any) -> None:
    """The person chooses Close (CloseApp): the leak runs again to handle its SIGTERM. This one
    takes its whole grace period (it ignores SIGTERM, as an app still saving would), growing
    again meanwhile: the engine pauses nothing, closes nothing and names no app while it goes,
    and the killer ends it. (On a real sway session a tick during such a close, before the
    leak's memory was back, closed the game.)"""
    close = available_mib() - GAME_MIB - CLOSE_AFTER_MIB
    sandbox = monitor_sandbox(
        needs_namespace=True, monitor_args=(),
        config_text=config_text(warn_mib=close + 300, close_mib=close, kill_mib=1),
        hogs={
            "game": {"kind": "anon", "size_mib": GAME_MIB, "name": "game"},
            "leak": {"kind": "leak-memfd", "size_mib": LEAK_CAP_MIB, "extra": "10:100",
                     "name": "leak", "on_term": "ignore"},
        },
    )  # fmt: skip
    leak, game = sandbox.hogs["leak"], sandbox.hogs["game"]

    async def scenario() -> tuple[dict[str, Any], list[Any]]:
        async with client_of(sandbox) as client:
            entry = await tray_and_leak(client, sandbox)
            start = len(client.signals)
            result = await client.call("CloseApp", "s", entry["app"]["id"])
            await asyncio.sleep(1.0)  # the ticks after it, memory coming back
            return json.loads(result), client.signals[start:]

    result, signals = run_async(scenario())
    assert sorted(result["exited"]) == sorted(leak.pids) and result["escalated"]
    assert sandbox.alive(leak.pids) == [False] * len(leak.pids)
    assert sandbox.alive(game.pids) == [True]
    kinds = [(e["event"], e.get("reason")) for e in events(sandbox)
             if e["event"] in ("paused", "kill", "killed")]  # fmt: skip
    assert kinds == [("paused", None), ("kill", "user-request"), ("killed", "user-request")]
    warned = [body for name, body in signals if name == "Warning" and json.loads(body[0] or "null")]
    assert warned == [], signals


def test_resume_of_an_app_that_is_not_paused_is_refused(monitor_sandbox: Any) -> None:
    sandbox = monitor_sandbox(monitor_args=("--kill-below-mib", "1"))

    async def scenario() -> str:
        async with client_of(sandbox) as client:
            try:
                await client.call("ResumeApp", "s", "no-such-app-42")
            except Exception as exc:  # CallError
                return str(exc)
            return "accepted"

    answer = run_async(scenario())
    assert answer == f"{c.ERROR_NO_SUCH_APP}: {codes.NOT_PAUSED}"


def test_with_no_answer_the_kill_level_ends_the_paused_app(
    monitor_sandbox: Any, tmp_path: Path
) -> None:
    # The game is protected here: once the kill level is moved up, only the paused leak is
    # the monitor's to end, however memory moves on this machine meanwhile.
    protect = {"protect": [str(tmp_path / "game" / "game.py")]}
    sandbox, _close = leak_sandbox(monitor_sandbox, apps=protect, game_dir=str(tmp_path / "game"))
    leak, game = sandbox.hogs["leak"], sandbox.hogs["game"]

    async def scenario() -> tuple[list[Any], list[Any]]:
        async with client_of(sandbox) as client:
            entry = await tray_and_leak(client, sandbox)
            start = len(client.signals)
            # Memory falls on to the kill level: the level comes up above what is left (the
            # monitor's own measure: it counts the free pages in per-CPU lists too).
            kill = await memory_left_mib(client) + 400
            write_config(sandbox.config, config_text(apps=protect, warn_mib=kill + 300,
                                                     close_mib=kill, kill_mib=kill))  # fmt: skip
            killed = await client.wait_signal("Killed", start=start)
            resumed = await client.wait_signal(
                "AppResumed", lambda body: body[0] == entry["app"]["id"], start=start
            )
            return killed, resumed

    killed, resumed = run_async(scenario())
    app = json.loads(killed[0])
    assert sorted(app["pids"]) == sorted(leak.pids) and app["paused"] is True
    assert killed[2] == codes.BELOW_KILL_THRESHOLD
    assert resumed[1] == codes.KILLED
    assert sandbox.alive(leak.pids) == [False] * len(leak.pids)
    assert sandbox.alive(game.pids) == [True]


def test_stopping_the_monitor_resumes_the_paused_app(monitor_sandbox: Any) -> None:
    sandbox, _close = leak_sandbox(monitor_sandbox)
    leak = sandbox.hogs["leak"]

    async def scenario() -> tuple[list[str | None], int | None]:
        async with client_of(sandbox) as client:
            await tray_and_leak(client, sandbox)
            paused = sandbox.states(leak.pids)
            return paused, sandbox.stop_monitor()  # with the tray still there

    paused, rc = run_async(scenario())
    assert paused == ["T"] * len(leak.pids) and rc == 0
    assert "T" not in sandbox.states(leak.pids) and None not in sandbox.states(leak.pids)
    resumed = [e for e in events(sandbox) if e["event"] == "resumed"]
    assert [e["reason"] for e in resumed] == [codes.STOPPING]


def test_when_the_tray_leaves_the_paused_app_runs_again(monitor_sandbox: Any) -> None:
    sandbox, _close = leak_sandbox(monitor_sandbox)
    leak = sandbox.hogs["leak"]

    async def scenario() -> list[Any]:
        async with client_of(sandbox) as client:
            entry = await tray_and_leak(client, sandbox)
            start = len(client.signals)
            await client.release_name(c.TRAY_BUS_NAME)  # nobody would see it paused
            return await client.wait_signal(
                "AppResumed", lambda body: body[0] == entry["app"]["id"], start=start
            )

    resumed = run_async(scenario())
    assert resumed[1] == codes.NO_TRAY
    assert "T" not in sandbox.states(leak.pids)


def test_a_big_app_that_is_not_growing_is_closed_as_before(monitor_sandbox: Any) -> None:
    sandbox = monitor_sandbox(
        needs_namespace=True, monitor_args=(), config_text=config_text(close_mib=1, kill_mib=0),
        hogs={"game": {"kind": "anon", "size_mib": GAME_MIB, "name": "game"},
              "big": {"kind": "anon", "size_mib": 900, "name": "bigidle"}},
    )  # fmt: skip
    big, game = sandbox.hogs["big"], sandbox.hogs["game"]

    async def scenario() -> list[Any]:
        async with client_of(sandbox) as client:
            await client.own_name(c.TRAY_BUS_NAME)
            await asyncio.sleep(0.5)
            # The close level comes up to just above what is left: nothing is growing there.
            close = await memory_left_mib(client) + 300
            write_config(sandbox.config, config_text(close_mib=close, kill_mib=1))
            return await client.wait_signal("Killed")

    killed = run_async(scenario())
    assert sorted(json.loads(killed[0])["pids"]) == sorted(big.pids)
    kinds = [e["event"] for e in events(sandbox)]
    assert "paused" not in kinds and "kill" in kinds
    assert sandbox.alive(game.pids) == [True]
