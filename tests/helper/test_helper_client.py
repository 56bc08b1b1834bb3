# SPDX-License-Identifier: GPL-3.0-or-later
"""The monitor's client: named errors come back as exceptions, "no helper" is one clean error.

Runs on private buses (no root): a missing bus, a name nobody can activate, an activation that
fails, a helper that never answers or vanishes mid-call, and the real helper activated on demand.
The allow/deny paths through the client run as real users in test_helper_system_bus.py.
"""

# No `from __future__ import annotations`: the stand-in service below is read by dbus-fast.

import asyncio
import shutil
from pathlib import Path

import pytest
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusInt32
from dbus_fast.service import ServiceInterface, dbus_method
from helper_private_bus import PrivateBus
from helper_testlib import run_async

from memwarden import __version__
from memwarden.core.process import ProcessKey
from memwarden.helper import constants as c
from memwarden.helper import errors
from memwarden.helper.client import HelperClient
from memwarden.helper.errors import HelperError, HelperUnavailable
from memwarden.helper.service import ProcessList


def unavailable_reason(address: str, timeout_s: float = 30.0) -> str:
    async def scenario() -> str:
        client = HelperClient(bus_address=address, timeout_s=timeout_s)
        try:
            with pytest.raises(HelperUnavailable) as raised:
                await client.get_version()
            return raised.value.reason
        finally:
            client.close()

    return run_async(scenario())


def test_no_bus_is_unavailable(tmp_path: Path) -> None:
    assert unavailable_reason(f"unix:path={tmp_path}/no-socket") == "no-system-bus"

    async def connect() -> str:
        with pytest.raises(HelperUnavailable) as raised:
            await HelperClient(bus_address=f"unix:path={tmp_path}/no-socket").connect()
        return raised.value.reason

    assert run_async(connect()) == "no-system-bus"


def test_name_that_cannot_be_activated_is_unavailable(private_bus: PrivateBus) -> None:
    assert unavailable_reason(private_bus.address) == "not-activatable"

    async def installed() -> bool:
        async with HelperClient(bus_address=private_bus.address) as client:
            return await client.is_installed()

    assert run_async(installed()) is False


def test_failing_activation_is_unavailable(private_bus: PrivateBus) -> None:
    false = shutil.which("false")
    assert false is not None
    private_bus.add_service(c.BUS_NAME, false)
    assert unavailable_reason(private_bus.address) == "activation-failed"


def test_activation_on_demand_and_is_installed(private_bus: PrivateBus) -> None:
    private_bus.add_service(c.BUS_NAME, " ".join(private_bus.helper_command()))

    async def scenario() -> tuple[bool, str, bool]:
        async with HelperClient(bus_address=private_bus.address) as client:
            before = await client.is_installed()  # activatable, not started by asking
            version = await client.get_version()  # this starts it
            return before, version, await client.is_installed()

    assert run_async(scenario()) == (True, __version__, True)


class HungHelper(ServiceInterface):
    """Stands in for a helper that hangs: owns the name, never answers SetOomScoreAdj."""

    def __init__(self) -> None:
        super().__init__(c.INTERFACE)
        self.called = asyncio.Event()

    @dbus_method()
    async def SetOomScoreAdj(self, processes: ProcessList, score_adj: DBusInt32) -> None:
        self.called.set()
        await asyncio.Event().wait()


def test_helper_that_never_answers_is_unavailable(private_bus: PrivateBus) -> None:
    async def scenario() -> str:
        service = await MessageBus(bus_address=private_bus.address).connect()
        service.export(c.OBJECT_PATH, HungHelper())
        await service.request_name(c.BUS_NAME)
        client = HelperClient(bus_address=private_bus.address, timeout_s=0.5)
        try:
            with pytest.raises(HelperUnavailable) as raised:
                await client.set_oom_score_adj([ProcessKey(1, 1)], 0)
            return raised.value.reason
        finally:
            client.close()
            service.disconnect()

    assert run_async(scenario()) == "no-reply"


def test_helper_vanishing_mid_call_is_unavailable(private_bus: PrivateBus) -> None:
    async def scenario() -> str:
        service = await MessageBus(bus_address=private_bus.address).connect()
        hung = HungHelper()
        service.export(c.OBJECT_PATH, hung)
        await service.request_name(c.BUS_NAME)
        async with HelperClient(bus_address=private_bus.address) as client:
            call = asyncio.ensure_future(client.set_oom_score_adj([ProcessKey(1, 1)], 0))
            await hung.called.wait()
            service.disconnect()  # the bus answers for the vanished helper
            with pytest.raises(HelperUnavailable) as raised:
                await call
            return raised.value.reason

    assert run_async(scenario()) == "no-reply"


def test_client_reconnects_after_the_bus_restarts(private_bus: PrivateBus) -> None:
    private_bus.add_service(c.BUS_NAME, " ".join(private_bus.helper_command()))

    async def scenario() -> list[str]:
        seen = []
        async with HelperClient(bus_address=private_bus.address) as client:
            seen.append(await client.get_version())
            private_bus.stop()
            for _ in range(200):  # the client notices the closed socket on its own
                if not client.connected:
                    break
                await asyncio.sleep(0.05)
            assert not client.connected
            private_bus.start()
            private_bus.add_service(c.BUS_NAME, " ".join(private_bus.helper_command()))
            # The next call opens a new connection (and activates the helper again).
            seen.append(await client.get_version())
        return seen

    assert run_async(scenario()) == [__version__, __version__]


@pytest.mark.parametrize("cls", sorted(set(errors.ERRORS_BY_DBUS_NAME.values()), key=str))
def test_named_errors_round_trip(cls: type[HelperError]) -> None:
    sent = cls("some-reason", 1234)
    received = errors.error_from_dbus(sent.dbus_name, sent.dbus_message())
    assert type(received) is cls
    assert (received.reason, received.pid) == ("some-reason", 1234)
    without_pid = errors.error_from_dbus(cls.dbus_name, cls("other").dbus_message())
    assert without_pid is not None
    assert (without_pid.reason, without_pid.pid) == ("other", None)


def test_error_texts_that_are_not_reason_codes() -> None:
    # The bus daemon's own AccessDenied (policy) carries prose.
    prose = errors.error_from_dbus(c.ERROR_ACCESS_DENIED, "Rejected send message, 2 matched rules")
    assert isinstance(prose, errors.AccessDenied)
    assert prose.reason == "bus-policy"
    odd = errors.error_from_dbus(c.ERROR_NOT_OWNER, "Traceback (most recent call last):")
    assert isinstance(odd, errors.NotOwner)
    # Not "unknown": HelperStatus says that before anything was asked.
    assert odd.reason == "unexpected-error-text"
    assert errors.error_from_dbus("org.example.Other", "x") is None
