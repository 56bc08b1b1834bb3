# SPDX-License-Identifier: GPL-3.0-or-later
"""The guard never stops because of the bus: a flood of calls, a bus that restarts, no bus.

The real monitor in its sandbox (a PID namespace of its own), on a private session bus with the
stock session bus's limits, one bus per test here: these tests kill it. Whether the monitor
still guards is shown by what it does to a real hog, seen through the sandbox, not the bus.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest
from dbus_fast import BusType, Message, MessageType
from monitor_dbus_lib import (
    WAIT_S,
    MonitorClient,
    SessionBus,
    client_of,
    config_text,
    on_the_bus,
    run_async,
    wait_for_monitor,
    write_config,
)

from hogs import highest_threshold_mib
from memwarden.dbus_connect import connect_bus
from memwarden.monitor import dbus_constants as c

#: How many GetSnapshot calls one client sends at once (the attack that took the monitor off
#: the bus: it logged "session bus went away: stopping" and exited 0).
FLOOD_CALLS = 400


@pytest.fixture
def session_bus(tmp_path: Path) -> Any:
    """A bus of this test's own (replaces conftest's module-wide one): tests here kill it."""
    bus = SessionBus(tmp_path / "session-bus")
    bus.start()
    yield bus
    bus.stop()


async def flood(address: str, calls: int) -> list[str]:
    """Send ``calls`` GetSnapshot calls at once; what each got: ``ok``, or its error's name and
    text (``NoReply`` when the monitor fell off the bus before answering)."""
    bus = await connect_bus(BusType.SESSION, address)  # the client must not fall off either
    message = {"destination": c.BUS_NAME, "path": c.OBJECT_PATH, "interface": c.INTERFACE,
               "member": "GetSnapshot"}  # fmt: skip

    async def one() -> str:
        reply = await asyncio.wait_for(bus.call(Message(**message)), WAIT_S)
        if reply.message_type is MessageType.METHOD_RETURN:
            assert json.loads(reply.body[0])["schema"] == "memwarden.scan/1"
            return "ok"
        return f"{reply.error_name} {reply.body[0] if reply.body else ''}"

    try:
        return list(await asyncio.gather(*(one() for _ in range(calls))))
    finally:
        bus.disconnect()


def test_a_flood_of_snapshot_calls_is_answered_by_few_scans(monitor_sandbox: Any) -> None:
    sandbox = monitor_sandbox(monitor_args=("--kill-below-mib", "1", "--verbose"))

    async def scenario() -> tuple[list[str], bool, dict[str, Any]]:
        async with client_of(sandbox) as client:
            results = await flood(sandbox.bus.address, FLOOD_CALLS)
            owned = await client.name_has_owner()
            return results, owned, await client.snapshot()

    results, owned, after = run_async(scenario())
    answered = results.count("ok")
    others = {r for r in results if r != "ok"}
    assert others <= {f"{c.ERROR_FAILED} busy"}, others  # never NoReply: still on the bus
    assert answered >= 1 and owned and after["apps"]
    assert sandbox.monitor()["rc"] is None
    # Calls that arrived together shared a scan: far fewer scans than answers.
    scans = re.findall(r"GetSnapshot: one scan for (\d+) calls", sandbox.output())
    shared = [int(n) for n in scans]
    assert sum(shared) >= answered
    assert len(shared) < answered


@pytest.mark.memory
@pytest.mark.root
def test_after_the_bus_restarts_the_monitor_is_back_and_still_guards(
    monitor_sandbox: Any, session_bus: SessionBus
) -> None:
    sandbox = monitor_sandbox(
        needs_namespace=True, monitor_args=(), config_text=config_text(close_mib=1, kill_mib=0),
        hogs={"hog": {"kind": "memfd", "size_mib": 32, "name": "restarthog"}},
    )  # fmt: skip
    hog = sandbox.hogs["hog"]

    run_async(on_the_bus(sandbox))
    session_bus.stop(kill=True)  # a crash: the monitor's connection is cut
    session_bus.start()  # the same socket path: the same address

    async def after() -> tuple[list[Any], dict[str, Any]]:
        client = await MonitorClient(session_bus.address).connect()
        try:
            await wait_for_monitor(client, sandbox)  # the name is owned again
            props = await client.load_properties()
            # Guarding: close above what is available; the hog goes, and the new bus hears it.
            write_config(sandbox.config, config_text(close_mib=highest_threshold_mib(), kill_mib=1))
            killed = await client.wait_signal("Killed")
            return killed, props
        finally:
            client.close()

    killed, props = run_async(after())
    assert props["State"] in c.STATES and props["ConfigError"] == ""
    assert sorted(json.loads(killed[0])["pids"]) == sorted(hog.pids)
    assert sandbox.alive(hog.pids) == [False]
    assert sandbox.monitor()["rc"] is None
    assert "reconnecting" in sandbox.output()


@pytest.mark.memory
@pytest.mark.root
@pytest.mark.parametrize("bus_gone", ["before-start", "while-running"])
def test_the_kill_path_works_without_a_bus(
    monitor_sandbox: Any, session_bus: SessionBus, bus_gone: str
) -> None:
    if bus_gone == "before-start":
        session_bus.stop()  # its address stays in the monitor's environment: nothing answers
    sandbox = monitor_sandbox(
        needs_namespace=True, monitor_args=(), config_text=config_text(close_mib=1, kill_mib=0),
        hogs={"hog": {"kind": "memfd", "size_mib": 32, "name": "nobushog"}},
    )  # fmt: skip
    hog = sandbox.hogs["hog"]
    if bus_gone == "while-running":
        run_async(on_the_bus(sandbox))  # on the bus, then the bus goes for good
        session_bus.stop()
    write_config(sandbox.config, config_text(close_mib=highest_threshold_mib(), kill_mib=1))

    async def killed() -> None:
        for _ in range(int(WAIT_S / 0.1)):
            if sandbox.alive(hog.pids) == [False] or sandbox.monitor()["rc"] is not None:
                return
            await asyncio.sleep(0.1)

    run_async(killed())
    assert sandbox.monitor()["rc"] is None, sandbox.output()
    assert sandbox.alive(hog.pids) == [False]
    events = [json.loads(line) for line in sandbox.output().splitlines() if line.startswith("{")]
    assert any(e["event"] == "killed" and e["signalled"] for e in events)


def test_a_bus_gone_for_good_ends_the_monitor_without_spinning(
    session_bus: SessionBus, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In-process, with the session's end judged after 1 s instead of minutes. The engine is
    # created but never runs: it cannot close anything.
    from memwarden.monitor import dbus_service
    from memwarden.monitor.engine import Engine

    attempts: list[str] = []

    async def counted(bus_type: BusType, address: str | None = None) -> Any:
        attempts.append(str(address))
        return await connect_bus(bus_type, address)

    monkeypatch.setattr(dbus_service, "connect_bus", counted)
    engine = Engine(None, overrides={"close_mib": 1, "kill_mib": 0})

    async def scenario() -> int:
        stop = asyncio.Event()
        api = dbus_service.SessionApi(
            engine, stop=stop, bus_address=session_bus.address, session_ended_after_s=1.0
        )
        await api.start()
        assert api.bus is not None and len(engine.listeners) == 1
        session_bus.stop()
        try:
            await asyncio.wait_for(stop.wait(), WAIT_S)
        finally:
            await api.close()
        assert engine.listeners == [] and engine.tick_hooks == []  # nothing left to a dead bus
        return api.exit_status

    assert run_async(scenario()) == 0
    # Backoff: a handful of tries in that second (0.1, 0.2, 0.4, 0.8 s apart), not a spin.
    assert 2 <= len(attempts) <= 10
