# SPDX-License-Identifier: GPL-3.0-or-later
"""The caller shim on a real (private) bus: methods learn their caller, policy is enforced.

A small test interface is exported in the test's own event loop; clients are separate bus
connections, so every message goes through the bus daemon like in production.
"""

# No `from __future__ import annotations`: dbus-fast reads the method annotations at class
# creation (see memwarden/helper/service.py).

import asyncio
from collections.abc import Mapping
from typing import Any

import pytest
from dbus_fast import Message, MessageFlag, MessageType
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusInt32, DBusStr
from dbus_fast.service import ServiceInterface, dbus_method
from helper_private_bus import PrivateBus
from helper_testlib import run_async

from memwarden.helper import constants as c
from memwarden.helper.caller import (
    Caller,
    CallerShim,
    current_caller,
    method_policies,
    read_only,
    requires_action,
)
from memwarden.helper.errors import (
    AccessDenied,
    InteractiveAuthorizationRequired,
    NotOwner,
)

NAME = "io.github.memwarden.ShimTest"
PATH = "/io/github/memwarden/ShimTest"
IFACE = "io.github.memwarden.ShimTest1"
ACTION = "io.github.memwarden.test.guarded"


class ShimTestInterface(ServiceInterface):
    def __init__(self) -> None:
        super().__init__(IFACE)
        self.release = asyncio.Event()
        self.guarded_runs = 0

    @dbus_method()
    @read_only
    async def WhoAmI(self) -> DBusStr:
        return current_caller().bus_name

    @dbus_method()
    @read_only
    async def WhoAmIAfterRelease(self) -> DBusStr:
        await self.release.wait()
        return current_caller().bus_name

    @dbus_method()
    @requires_action(ACTION, details=lambda n: {"n": str(n)})
    async def Guarded(self, n: DBusInt32) -> DBusInt32:
        self.guarded_runs += 1
        return n + 1

    @dbus_method()
    @read_only
    async def Boom(self) -> None:
        raise RuntimeError("secret detail /usr/lib/python3/site.py line 3")

    @dbus_method()
    @read_only
    async def Named(self) -> None:
        raise NotOwner("not-owner", 42)


class RecordingAuthorizer:
    """Says yes, or no when ``deny``; a challenge when ``challenge`` and not interactive."""

    def __init__(self) -> None:
        self.calls: list[tuple[Caller, str, dict[str, str]]] = []
        self.deny = False
        self.challenge = False

    async def __call__(self, caller: Caller, action: str, details: Mapping[str, str]) -> None:
        self.calls.append((caller, action, dict(details)))
        if self.challenge and not caller.allow_interactive:
            raise InteractiveAuthorizationRequired("interactive-authorization-required")
        if self.deny:
            raise AccessDenied("not-authorized")


class Harness:
    def __init__(self, address: str) -> None:
        self.address = address
        self.interface = ShimTestInterface()
        self.authorize = RecordingAuthorizer()
        self.busy: list[bool] = []

    async def __aenter__(self) -> "Harness":
        self.service = await MessageBus(bus_address=self.address).connect()
        self.shim = CallerShim(
            PATH, self.interface, self.authorize, self.service.send, self.busy.append
        )
        self.service.add_message_handler(self.shim)
        self.service.export(PATH, self.interface)
        await self.service.request_name(NAME)
        self.clients = [await MessageBus(bus_address=self.address).connect() for _ in range(2)]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for bus in (*self.clients, self.service):
            bus.disconnect()

    async def call(
        self,
        member: str,
        signature: str = "",
        body: list[Any] | None = None,
        *,
        client: int = 0,
        interface: str | None = IFACE,
        flags: MessageFlag = MessageFlag.NONE,
    ) -> Message:
        return await self.clients[client].call(
            Message(
                destination=NAME,
                path=PATH,
                interface=interface,
                member=member,
                signature=signature,
                body=body or [],
                flags=flags,
            )
        )


def error_of(reply: Message) -> tuple[str | None, str]:
    assert reply.message_type is MessageType.ERROR, reply.body
    return reply.error_name, reply.body[0]


def test_method_learns_its_caller(private_bus: PrivateBus) -> None:
    async def scenario() -> None:
        async with Harness(private_bus.address) as h:
            for i, client in enumerate(h.clients):
                reply = await h.call("WhoAmI", client=i)
                assert reply.body == [client.unique_name]
            assert h.clients[0].unique_name != h.clients[1].unique_name

    run_async(scenario())


def test_concurrent_calls_keep_their_own_caller(private_bus: PrivateBus) -> None:
    async def scenario() -> None:
        async with Harness(private_bus.address) as h:
            first = asyncio.ensure_future(h.call("WhoAmIAfterRelease", client=0))
            second = asyncio.ensure_future(h.call("WhoAmIAfterRelease", client=1))
            # Both calls are in flight in the service before either may finish.
            while h.busy.count(True) < 2:
                await asyncio.sleep(0.01)
            h.interface.release.set()
            assert (await first).body == [h.clients[0].unique_name]
            assert (await second).body == [h.clients[1].unique_name]
            assert h.busy.count(True) == h.busy.count(False) == 2

    run_async(scenario())


def test_authorizer_sees_action_details_and_interaction_flag(private_bus: PrivateBus) -> None:
    async def scenario() -> None:
        async with Harness(private_bus.address) as h:
            reply = await h.call("Guarded", "i", [5])
            assert reply.body == [6]
            flag = MessageFlag.ALLOW_INTERACTIVE_AUTHORIZATION
            assert (await h.call("Guarded", "i", [7], client=1, flags=flag)).body == [8]
            (c0, a0, d0), (c1, a1, d1) = h.authorize.calls
            assert (c0.bus_name, c0.allow_interactive, a0, d0) == (
                h.clients[0].unique_name,
                False,
                ACTION,
                {"n": "5"},
            )
            assert (c1.bus_name, c1.allow_interactive, a1, d1) == (
                h.clients[1].unique_name,
                True,
                ACTION,
                {"n": "7"},
            )
            # Read-only methods are not authorized at all.
            await h.call("WhoAmI")
            assert len(h.authorize.calls) == 2

    run_async(scenario())


def test_refusal_is_named_and_the_method_does_not_run(private_bus: PrivateBus) -> None:
    async def scenario() -> None:
        async with Harness(private_bus.address) as h:
            h.authorize.deny = True
            assert error_of(await h.call("Guarded", "i", [1])) == (
                c.ERROR_ACCESS_DENIED,
                "not-authorized",
            )
            h.authorize.deny, h.authorize.challenge = False, True
            assert error_of(await h.call("Guarded", "i", [1])) == (
                c.ERROR_INTERACTIVE_AUTH_REQUIRED,
                "interactive-authorization-required",
            )
            assert h.interface.guarded_runs == 0
            flag = MessageFlag.ALLOW_INTERACTIVE_AUTHORIZATION
            assert (await h.call("Guarded", "i", [1], flags=flag)).body == [2]
            assert h.interface.guarded_runs == 1

    run_async(scenario())


def test_call_without_interface_field_is_still_authorized(private_bus: PrivateBus) -> None:
    async def scenario() -> None:
        async with Harness(private_bus.address) as h:
            h.authorize.deny = True
            reply = await h.call("Guarded", "i", [1], interface=None)
            assert error_of(reply) == (c.ERROR_ACCESS_DENIED, "not-authorized")
            assert h.interface.guarded_runs == 0

    run_async(scenario())


def test_wrong_signature_is_invalid_argument_before_authorization(
    private_bus: PrivateBus,
) -> None:
    async def scenario() -> None:
        async with Harness(private_bus.address) as h:
            for signature, body in (("s", ["1"]), ("", []), ("ii", [1, 2])):
                reply = await h.call("Guarded", signature, body)
                assert error_of(reply) == (c.ERROR_INVALID_ARGUMENT, "bad-signature")
            assert h.authorize.calls == []
            assert h.interface.guarded_runs == 0

    run_async(scenario())


def test_unexpected_exception_is_failed_without_traceback(private_bus: PrivateBus) -> None:
    async def scenario() -> None:
        async with Harness(private_bus.address) as h:
            assert error_of(await h.call("Boom")) == (c.ERROR_FAILED, "internal-error")
            assert error_of(await h.call("Named")) == (c.ERROR_NOT_OWNER, "not-owner pid=42")

    run_async(scenario())


def test_standard_interfaces_and_unknown_members_pass_through(private_bus: PrivateBus) -> None:
    async def scenario() -> None:
        async with Harness(private_bus.address) as h:
            std = "org.freedesktop.DBus."
            ping = await h.call("Ping", interface=std + "Peer")
            assert ping.message_type is MessageType.METHOD_RETURN
            xml = (await h.call("Introspect", interface=std + "Introspectable")).body[0]
            assert f'<interface name="{IFACE}">' in xml
            unknown = await h.call("NoSuchMethod")
            assert error_of(unknown)[0] == "org.freedesktop.DBus.Error.UnknownMethod"

    run_async(scenario())


def test_every_method_must_declare_its_policy() -> None:
    class Undeclared(ServiceInterface):
        def __init__(self) -> None:
            super().__init__("io.github.memwarden.Undeclared1")

        @dbus_method()
        async def Change(self) -> None:
            pass

    async def send(_msg: Message) -> None:
        pass

    with pytest.raises(ValueError, match="declare"):
        CallerShim("/x", Undeclared(), RecordingAuthorizer(), send)
    assert method_policies(ShimTestInterface())["Guarded"].action == ACTION
    assert method_policies(ShimTestInterface())["WhoAmI"].action is None


def test_outside_the_shim_there_is_no_caller() -> None:
    with pytest.raises(AccessDenied) as denied:
        current_caller()
    assert denied.value.reason == "no-caller"
