# SPDX-License-Identifier: GPL-3.0-or-later
"""Method calls to the monitor (``io.github.memwarden.Monitor1``) and to the bus itself, with their
timeouts, and the one error they raise.

Every failure becomes a :class:`MonitorError` with a reason code: the monitor's own (its
``Error.Refused`` replies carry one), or the client's when the call never reached a monitor.
:class:`memwarden.ui.link.monitor_client.MonitorClient` offers these calls as its API.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from dbus_fast import Message, MessageType
from dbus_fast.aio import MessageBus

from memwarden.core import reason_codes as codes
from memwarden.monitor import dbus_constants as c

DBUS_NAME = "org.freedesktop.DBus"
DBUS_PATH = "/org/freedesktop/DBus"
PROPERTIES_IFACE = "org.freedesktop.DBus.Properties"

#: How long a quick call may take before it counts as unanswered.
CALL_TIMEOUT_S = 10.0
#: CloseApp waits for the app to exit (the grace period, then SIGKILL) and FreeMemoryNow runs a
#: synchronous reclaim: both may take many seconds.
SLOW_CALL_TIMEOUT_S = 60.0

#: D-Bus errors that mean nobody answers for the name.
_NO_MONITOR_ERRORS = frozenset({
    "org.freedesktop.DBus.Error.ServiceUnknown",
    "org.freedesktop.DBus.Error.NameHasNoOwner",
    "org.freedesktop.DBus.Error.NoReply",
    "org.freedesktop.DBus.Error.Disconnected",
    "org.freedesktop.DBus.Error.Spawn.ChildExited",
    "org.freedesktop.DBus.Error.Spawn.ExecFailed",
})  # fmt: skip


class MonitorError(Exception):
    """A monitor call failed.

    Attributes:
        error_name: The D-Bus error name (``io.github.memwarden.Monitor1.Error.Refused``, …), or
            ``""`` when the call never reached a monitor.
        reason: A reason code: the monitor's (``protected``, ``no-such-app``, ``unknown-rule``, …)
            or the client's own: ``no-monitor`` (nobody owns the name), ``timeout``,
            ``disconnected`` (no session bus), ``bad-reply``.
        detail: What the monitor named after the code, or ``""``: the setting a ``SetSettings``
            error is about (its message is ``out-of-range: close_percent``).
    """

    def __init__(self, reason: str, error_name: str = "", detail: str = "") -> None:
        text = f"{reason}: {detail}" if detail else reason
        super().__init__(f"{error_name}: {text}" if error_name else text)
        self.reason = reason
        self.error_name = error_name
        self.detail = detail

    @property
    def refused(self) -> bool:
        """True when the guard said no (the reason says why)."""
        return self.error_name == c.ERROR_REFUSED


async def raw_call(
    bus: MessageBus | None, msg: Message, timeout_s: float = CALL_TIMEOUT_S
) -> Message:
    """Send ``msg`` and return the reply as it came, an error reply included."""
    if bus is None or not bus.connected:
        raise MonitorError(codes.DISCONNECTED)
    try:
        reply = await asyncio.wait_for(bus.call(msg), timeout_s)
    except TimeoutError as exc:
        raise MonitorError(codes.TIMEOUT) from exc
    except Exception as exc:  # the connection broke under the call
        raise MonitorError(codes.DISCONNECTED) from exc
    if reply is None:
        raise MonitorError(codes.BAD_REPLY)
    return reply


async def bus_call(bus: MessageBus | None, member: str, signature: str, body: list[Any]) -> Message:
    """Call the bus itself (``org.freedesktop.DBus``: AddMatch, …)."""
    reply = await raw_call(
        bus,
        Message(destination=DBUS_NAME, path=DBUS_PATH, interface=DBUS_NAME,
                member=member, signature=signature, body=body),
    )  # fmt: skip
    if reply.message_type is MessageType.ERROR:
        raise MonitorError(str(reply.body[0]) if reply.body else "", reply.error_name or "")
    return reply


async def name_owner(bus: MessageBus | None) -> str | None:
    """The monitor's unique bus name; None when the bus answers with an error (no owner)."""
    reply = await raw_call(
        bus,
        Message(destination=DBUS_NAME, path=DBUS_PATH, interface=DBUS_NAME,
                member="GetNameOwner", signature="s", body=[c.BUS_NAME]),
    )  # fmt: skip
    if reply.message_type is not MessageType.METHOD_RETURN:
        return None
    return str(reply.body[0])


async def monitor_call(
    bus: MessageBus | None,
    interface: str,
    member: str,
    signature: str = "",
    body: list[Any] | None = None,
    timeout_s: float = CALL_TIMEOUT_S,
) -> Message:
    """Call the monitor's object by its well-known name (so that D-Bus may activate it)."""
    reply = await raw_call(
        bus,
        Message(destination=c.BUS_NAME, path=c.OBJECT_PATH, interface=interface,
                member=member, signature=signature, body=body or []),
        timeout_s,
    )  # fmt: skip
    if reply.message_type is MessageType.ERROR:
        name = reply.error_name or ""
        if name in _NO_MONITOR_ERRORS:
            raise MonitorError(codes.NO_MONITOR, name)
        text = str(reply.body[0]) if reply.body and name.startswith(c.ERROR_PREFIX) else ""
        reason, _, detail = text.partition(": ")  # a code never holds ": " (the XML's conventions)
        code = reason or name.rsplit(".", 1)[-1].lower() or codes.UNNAMED_ERROR
        raise MonitorError(code, name, detail)
    return reply


async def json_call(
    bus: MessageBus | None,
    member: str,
    signature: str = "",
    body: list[Any] | None = None,
    timeout_s: float = CALL_TIMEOUT_S,
) -> dict[str, Any]:
    """Call a monitor method that answers with one JSON object, and decode it."""
    reply = await monitor_call(bus, c.INTERFACE, member, signature, body, timeout_s)
    try:
        doc = json.loads(reply.body[0])
    except (ValueError, IndexError, TypeError) as exc:
        raise MonitorError(codes.BAD_REPLY) from exc
    if not isinstance(doc, dict):
        raise MonitorError(codes.BAD_REPLY)
    return doc
