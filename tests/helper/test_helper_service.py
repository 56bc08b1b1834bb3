# SPDX-License-Identifier: GPL-3.0-or-later
"""The helper process on a private bus without polkitd: fail closed, lifecycle, exit codes.

No root needed. The helper is this checkout's ``memwarden.helper.service`` run as a real process
whose "system bus" is the private one.
"""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from dbus_fast import Message, MessageType
from dbus_fast.aio import MessageBus
from helper_private_bus import HelperProcess, PrivateBus
from helper_testlib import oom_score_adj, run_async, starttime

from memwarden import __version__
from memwarden.core.process import ProcessKey
from memwarden.helper import constants as c
from memwarden.helper.client import HelperClient
from memwarden.helper.errors import AccessDenied


@pytest.fixture
def helper(private_bus: PrivateBus) -> Iterator[HelperProcess]:
    proc = HelperProcess(private_bus, "--idle-timeout", "300")
    proc.wait_owning()
    yield proc
    proc.stop()


def test_read_only_calls_answer_without_polkit(
    private_bus: PrivateBus, helper: HelperProcess
) -> None:
    async def scenario() -> tuple[str, frozenset[str]]:
        async with HelperClient(bus_address=private_bus.address) as client:
            return await client.get_version(), await client.get_capabilities()

    version, features = run_async(scenario())
    assert version == __version__
    assert features <= {
        c.FEATURE_RAISE_OOM_SCORE_ADJ,
        c.FEATURE_LOWER_OOM_SCORE_ADJ,
        c.FEATURE_DROP_CACHES,
        c.FEATURE_COMPACT_MEMORY,
    }


def test_mutating_calls_fail_closed_without_polkit(
    private_bus: PrivateBus, helper: HelperProcess
) -> None:
    # Our own child: ownership would pass; only the missing polkitd stands in the way.
    with subprocess.Popen(["sleep", "300"]) as victim:
        try:
            target = ProcessKey(victim.pid, starttime(victim.pid))

            async def scenario() -> list[AccessDenied]:
                refusals = []
                async with HelperClient(bus_address=private_bus.address) as client:
                    for call in (
                        client.set_oom_score_adj([target], 500),
                        client.set_oom_score_adj([target], 500, interactive=True),
                        client.free_memory(),
                    ):
                        with pytest.raises(AccessDenied) as refused:
                            await call
                        refusals.append(refused.value)
                return refusals

            refusals = run_async(scenario())
            assert [(type(r), r.reason) for r in refusals] == [
                (AccessDenied, "polkit-unavailable")
            ] * 3
            assert oom_score_adj(victim.pid) == 0
        finally:
            victim.kill()
    assert "polkit" in helper.output()


def test_exits_when_idle_and_releases_the_name(private_bus: PrivateBus) -> None:
    proc = HelperProcess(private_bus, "--idle-timeout", "0.5")
    try:
        proc.wait_owning()
        assert proc.proc.wait(timeout=30) == 0
        assert not proc.owns_name()
        assert "releasing" in proc.output()
    finally:
        proc.stop()


def test_stops_cleanly_on_sigterm(helper: HelperProcess) -> None:
    helper.proc.send_signal(signal.SIGTERM)
    assert helper.proc.wait(timeout=30) == 0
    assert "Traceback" not in helper.output()


def test_exits_when_the_bus_goes_away(private_bus: PrivateBus, helper: HelperProcess) -> None:
    private_bus.stop()
    assert helper.proc.wait(timeout=30) == 0
    assert "went away" in helper.output()


def test_second_instance_gives_up_when_the_name_is_taken(
    private_bus: PrivateBus, helper: HelperProcess
) -> None:
    second = HelperProcess(private_bus)
    assert second.proc.wait(timeout=30) == 1
    assert "cannot own" in second.output()
    assert helper.proc.poll() is None


def test_no_system_bus_is_an_error_exit(tmp_path: Path) -> None:
    bus = PrivateBus(tmp_path)  # not started: its socket does not exist
    env = {**bus.service_env(), "DBUS_SYSTEM_BUS_ADDRESS": f"unix:path={bus.socket}"}
    proc = subprocess.run(
        bus.helper_command(), env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 1
    assert "cannot connect to the system bus" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_rejects_a_non_positive_idle_timeout(tmp_path: Path) -> None:
    bus = PrivateBus(tmp_path)
    proc = subprocess.run(
        bus.helper_command("--idle-timeout", "0"),
        env=bus.service_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert "--idle-timeout must be positive" in proc.stderr


def test_unknown_members_are_unknown_method(private_bus: PrivateBus, helper: HelperProcess) -> None:
    async def scenario() -> Message:
        bus = await MessageBus(bus_address=private_bus.address).connect()
        try:
            return await bus.call(
                Message(
                    destination=c.BUS_NAME,
                    path=c.OBJECT_PATH,
                    interface=c.INTERFACE,
                    member="KillEverything",
                )
            )
        finally:
            bus.disconnect()

    reply = run_async(scenario())
    assert reply.message_type is MessageType.ERROR
    assert reply.error_name == "org.freedesktop.DBus.Error.UnknownMethod"
