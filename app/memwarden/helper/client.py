# SPDX-License-Identifier: GPL-3.0-or-later
"""The async client of the privileged helper, for the monitor.

Usage::

    async with HelperClient() as helper:
        if FEATURE_LOWER_OOM_SCORE_ADJ in await helper.get_capabilities():
            await helper.set_oom_score_adj([ProcessKey.of(pid)], -500, interactive=True)

Every failure is a :class:`~memwarden.helper.errors.HelperError` subclass with a reason code:
the service's named D-Bus errors come back as the same classes (``NotOwner``, ``ProcessGone``,
``MissingCapability``, ``InvalidArgument``, ``Busy``, ``AccessDenied`` and its subclass
``InteractiveAuthorizationRequired``), and everything that means "there is no helper to talk to"
— no system bus, name not activatable, activation failed, no reply — is
:class:`~memwarden.helper.errors.HelperUnavailable`. The connection is opened lazily and reopened
after the bus went away.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from types import TracebackType
from typing import Any

from dbus_fast import BusType, Message, MessageFlag, MessageType
from dbus_fast.aio import MessageBus

from memwarden.core import reason_codes as codes
from memwarden.core.process import ProcessKey
from memwarden.helper import constants as c
from memwarden.helper.errors import Failed, HelperError, HelperUnavailable, error_from_dbus
from memwarden.helper.kernel import FreeMemoryResult

__all__ = ["FreeMemoryResult", "HelperClient"]

_DBUS = "org.freedesktop.DBus.Error."
# Error names that mean the helper is not there to answer, with our reason code.
_UNAVAILABLE = {
    _DBUS + "ServiceUnknown": codes.NOT_ACTIVATABLE,
    _DBUS + "NameHasNoOwner": codes.NOT_RUNNING,
    _DBUS + "NoReply": codes.NO_REPLY,
    _DBUS + "Timeout": codes.NO_REPLY,
    _DBUS + "TimedOut": codes.NO_REPLY,
    _DBUS + "Disconnected": codes.DISCONNECTED,
    _DBUS + "UnknownObject": codes.INCOMPATIBLE_HELPER,
    _DBUS + "UnknownInterface": codes.INCOMPATIBLE_HELPER,
    _DBUS + "UnknownMethod": codes.INCOMPATIBLE_HELPER,
}
# dbus-daemon's activation errors (Spawn.ChildExited, Spawn.ExecFailed, …) and systemd's.
_ACTIVATION_PREFIXES = (_DBUS + "Spawn.", "org.freedesktop.systemd1.")


class HelperClient:
    """Talks to ``io.github.memwarden.Helper1`` on the system bus.

    Args:
        bus_address: A D-Bus address; ``None`` means the system bus (``DBUS_SYSTEM_BUS_ADDRESS``
            or ``/run/dbus/system_bus_socket``).
        timeout_s: How long a non-interactive call may take before it counts as
            ``HelperUnavailable("no-reply")``.
        interactive_timeout_s: The same for interactive calls, which wait for a person to
            authenticate; ``None`` waits as long as the bus does.
    """

    def __init__(
        self,
        *,
        bus_address: str | None = None,
        timeout_s: float = 30.0,
        interactive_timeout_s: float | None = 600.0,
    ) -> None:
        self._bus_address = bus_address
        self._timeout_s = timeout_s
        self._interactive_timeout_s = interactive_timeout_s
        self._bus: MessageBus | None = None
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> HelperClient:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def connect(self) -> None:
        """Connect to the bus now (calls connect on demand anyway).

        Raises:
            HelperUnavailable: reason ``no-system-bus``.
        """
        await self._ensure_bus()

    @property
    def connected(self) -> bool:
        """True while the bus connection is open (calls reconnect when it is not)."""
        return self._bus is not None and self._bus.connected

    def close(self) -> None:
        """Disconnect (idempotent)."""
        if self._bus is not None:
            self._bus.disconnect()
            self._bus = None

    async def _ensure_bus(self) -> MessageBus:
        async with self._lock:
            if self._bus is not None and self._bus.connected:
                return self._bus
            try:
                # dbus-fast < 5 connects in the constructor, later versions in connect():
                # both are inside the try.
                bus = MessageBus(bus_address=self._bus_address, bus_type=BusType.SYSTEM)
                self._bus = await bus.connect()
            except Exception as exc:  # ENOENT, ECONNREFUSED, EACCES, auth errors, bad address
                raise HelperUnavailable(codes.NO_SYSTEM_BUS) from exc
            return self._bus

    async def is_installed(self) -> bool:
        """True when the helper runs or can be activated (asks the bus, starts nothing).

        Raises:
            HelperUnavailable: reason ``no-system-bus``.
        """
        bus = await self._ensure_bus()
        has_owner = await self._bus_call(bus, "NameHasOwner", "s", [c.BUS_NAME])
        if has_owner.message_type is MessageType.METHOD_RETURN and has_owner.body == [True]:
            return True
        names = await self._bus_call(bus, "ListActivatableNames", "", [])
        if names.message_type is not MessageType.METHOD_RETURN:
            raise HelperUnavailable(codes.NO_SYSTEM_BUS)
        return c.BUS_NAME in names.body[0]

    async def _bus_call(
        self, bus: MessageBus, member: str, signature: str, body: list[Any]
    ) -> Message:
        try:
            return await asyncio.wait_for(
                bus.call(
                    Message(
                        destination="org.freedesktop.DBus",
                        path="/org/freedesktop/DBus",
                        interface="org.freedesktop.DBus",
                        member=member,
                        signature=signature,
                        body=body,
                    )
                ),
                self._timeout_s,
            )
        except TimeoutError:
            raise HelperUnavailable(codes.NO_REPLY) from None
        except Exception as exc:
            raise HelperUnavailable(codes.DISCONNECTED) from exc

    async def get_version(self) -> str:
        """The helper's MemWarden version."""
        (version,) = await self._call("GetVersion", "", [], "s")
        return str(version)

    async def get_capabilities(self) -> frozenset[str]:
        """What the helper can do on this machine: ``constants.FEATURE_*`` codes.

        ``oom-score-adj-lower`` (protecting, i.e. negative values) is missing when the helper
        lacks CAP_SYS_RESOURCE; unknown codes from a newer helper are passed through.
        """
        (features,) = await self._call("GetCapabilities", "", [], "as")
        return frozenset(str(f) for f in features)

    async def set_oom_score_adj(
        self, processes: Iterable[ProcessKey], score_adj: int, *, interactive: bool = False
    ) -> None:
        """Set ``oom_score_adj`` of the caller's own processes: negative protects, 0 is normal,
        positive makes them preferred victims. All or nothing.

        Args:
            processes: The processes (thread-group leaders), each with the start time seen when
                it was chosen.
            score_adj: The value, in [-1000, 1000].
            interactive: Allow polkit to ask the person to authenticate (only for a direct
                request from them, e.g. a click).

        Raises:
            HelperError: ``NotOwner``, ``ProcessGone``, ``MissingCapability``,
                ``InvalidArgument``, ``AccessDenied``/``InteractiveAuthorizationRequired``,
                ``Busy`` (too many calls in flight: nothing was done, try again later),
                ``HelperUnavailable``, ``Failed``.
        """
        body = [[[p.pid, p.starttime_ticks] for p in processes], score_adj]
        await self._call("SetOomScoreAdj", "a(ut)i", body, "", interactive=interactive)

    async def free_memory(self, *, interactive: bool = False) -> FreeMemoryResult:
        """Drop clean caches and compact memory (the "free memory now" button).

        Returns:
            ``MemAvailable`` before and after, in KiB.

        Raises:
            HelperError: as :meth:`set_oom_score_adj`; ``Busy`` with reason ``rate-limited``
                when caches were dropped less than a minute ago (by anyone).
        """
        before, after = await self._call("FreeMemory", "", [], "tt", interactive=interactive)
        return FreeMemoryResult(int(before), int(after))

    async def _call(
        self,
        member: str,
        signature: str,
        body: list[Any],
        reply_signature: str,
        *,
        interactive: bool = False,
    ) -> list[Any]:
        bus = await self._ensure_bus()
        msg = Message(
            destination=c.BUS_NAME,
            path=c.OBJECT_PATH,
            interface=c.INTERFACE,
            member=member,
            signature=signature,
            body=body,
            flags=MessageFlag.ALLOW_INTERACTIVE_AUTHORIZATION if interactive else MessageFlag.NONE,
        )
        timeout = self._interactive_timeout_s if interactive else self._timeout_s
        try:
            reply = await asyncio.wait_for(bus.call(msg), timeout)
        except TimeoutError:
            raise HelperUnavailable(codes.NO_REPLY) from None
        except HelperError:
            raise
        except Exception as exc:  # the connection broke under the call
            raise HelperUnavailable(codes.DISCONNECTED) from exc
        if reply.message_type is MessageType.ERROR:
            raise _error_for(reply)
        if reply.signature != reply_signature:
            raise Failed(codes.UNEXPECTED_REPLY)
        return list(reply.body)


def _error_for(reply: Message) -> HelperError:
    name = reply.error_name or ""
    text = reply.body[0] if reply.body and isinstance(reply.body[0], str) else ""
    error = error_from_dbus(name, text)
    if error is not None:
        return error
    if name in _UNAVAILABLE:
        return HelperUnavailable(_UNAVAILABLE[name])
    if name.startswith(_ACTIVATION_PREFIXES):
        return HelperUnavailable(codes.ACTIVATION_FAILED)
    return Failed(codes.UNEXPECTED_ERROR)
