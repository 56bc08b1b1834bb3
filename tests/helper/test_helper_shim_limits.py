# SPDX-License-Identifier: GPL-3.0-or-later
"""The caller shim's bounds and early checks, on a real (private) bus.

Calls that wait on an event stay in flight as long as the test wants, so the bounds are hit
deterministically; the flood on the real system bus is in test_helper_hardening.py.
"""

# No `from __future__ import annotations`: dbus-fast reads the method annotations at class
# creation (see memwarden/helper/service.py).

import asyncio
from collections.abc import Mapping
from typing import Any

from dbus_fast import Message, MessageType
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusInt32
from dbus_fast.service import ServiceInterface, dbus_method
from helper_private_bus import PrivateBus
from helper_testlib import run_async

from memwarden.helper import constants as c
from memwarden.helper.caller import Caller, CallerShim, read_only, requires_action
from memwarden.helper.errors import InvalidArgument

NAME = "io.github.memwarden.ShimLimitsTest"
PATH = "/io/github/memwarden/ShimLimitsTest"
IFACE = "io.github.memwarden.ShimLimitsTest1"
ACTION = "io.github.memwarden.test.normal"
STRONGER = "io.github.memwarden.test.stronger"


def _no_negatives(n: int) -> None:
    if n < 0:
        raise InvalidArgument("negative")


class LimitsInterface(ServiceInterface):
    def __init__(self) -> None:
        super().__init__(IFACE)
        self.release = asyncio.Event()
        self.runs = 0

    @dbus_method()
    @read_only
    async def Hold(self) -> None:
        self.runs += 1
        await self.release.wait()

    @dbus_method()
    @requires_action(ACTION, precheck=_no_negatives, stronger=(STRONGER, lambda n: n > 100))
    async def Checked(self, n: DBusInt32) -> DBusInt32:
        self.runs += 1
        return n


class Harness:
    def __init__(self, address: str, **limits: Any) -> None:
        self.address = address
        self.limits = limits
        self.interface = LimitsInterface()
        self.actions: list[str] = []

    async def authorize(self, caller: Caller, action: str, details: Mapping[str, str]) -> None:
        self.actions.append(action)

    async def __aenter__(self) -> "Harness":
        self.service = await MessageBus(bus_address=self.address).connect()
        self.shim = CallerShim(
            PATH, self.interface, self.authorize, self.service.send, **self.limits
        )
        self.service.add_message_handler(self.shim)
        self.service.export(PATH, self.interface)
        await self.service.request_name(NAME)
        self.clients = [await MessageBus(bus_address=self.address).connect() for _ in range(3)]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for bus in (*self.clients, self.service):
            bus.disconnect()

    def call(self, member: str, *args: int, client: int = 0) -> "asyncio.Future[Message]":
        msg = Message(
            destination=NAME,
            path=PATH,
            interface=IFACE,
            member=member,
            signature="i" * len(args),
            body=list(args),
        )
        return asyncio.ensure_future(self.clients[client].call(msg))

    async def in_flight(self, n: int) -> None:
        while self.shim.in_flight < n:
            await asyncio.sleep(0.01)


def answer(reply: Message) -> tuple[str | None, Any]:
    if reply.message_type is MessageType.ERROR:
        return reply.error_name, reply.body[0]
    return "return", reply.body


def test_calls_past_the_bounds_are_busy_at_once_and_the_rest_go_on(
    private_bus: PrivateBus,
) -> None:
    async def scenario() -> None:
        async with Harness(private_bus.address, max_in_flight=6, max_per_sender=4) as h:
            held = [h.call("Hold", client=0) for _ in range(4)]
            await h.in_flight(4)
            # A fifth call from the same caller: answered now, while its four are still held.
            assert answer(await h.call("Hold", client=0)) == (c.ERROR_BUSY, "sender-busy")
            held += [h.call("Hold", client=1) for _ in range(2)]
            await h.in_flight(6)
            # Six in all: another caller, under its own bound, is turned away too.
            assert answer(await h.call("Hold", client=2)) == (c.ERROR_BUSY, "helper-busy")
            assert h.interface.runs == 6
            h.interface.release.set()
            assert [answer(await r) for r in held] == [("return", [])] * 6
            # Answered calls no longer count.
            assert answer(await h.call("Hold", client=0)) == ("return", [])
            assert h.shim.in_flight == 0

    run_async(scenario())


def test_argument_checks_and_the_stronger_action(private_bus: PrivateBus) -> None:
    async def scenario() -> None:
        async with Harness(private_bus.address, max_in_flight=1, max_per_sender=1) as h:
            h.interface.release.clear()
            held = h.call("Hold")
            await h.in_flight(1)
            # Refused by the precheck: at once, before polkit, without counting as in flight.
            negative = await h.call("Checked", -1, client=1)
            assert answer(negative) == (c.ERROR_INVALID_ARGUMENT, "negative")
            assert h.actions == []
            h.interface.release.set()
            await held
            assert answer(await h.call("Checked", 5)) == ("return", [5])
            assert answer(await h.call("Checked", 500)) == ("return", [500])
            assert h.actions == [ACTION, STRONGER]

    run_async(scenario())


def test_a_call_whose_body_was_cut_is_too_large_and_never_runs(private_bus: PrivateBus) -> None:
    async def scenario() -> None:
        async with Harness(private_bus.address, was_cut=lambda m: m.member == "Checked") as h:
            reply = await h.call("Checked", 5)
            assert answer(reply) == (c.ERROR_INVALID_ARGUMENT, "message-too-large")
            assert h.interface.runs == 0 and h.actions == []

    run_async(scenario())
