# SPDX-License-Identifier: GPL-3.0-or-later
"""One way to connect to a D-Bus bus with dbus-fast, for the monitor, the helper and the UI.

Why not ``MessageBus(...).connect()`` alone: dbus-fast (5.2.0, the newest release on 2026-12-07)
writes to its non-blocking socket with ``sock.send`` and treats *every* exception as fatal, so
when the bus daemon is slower than we are and the socket buffer is full, ``EAGAIN`` closes the
connection (the same bug as dbus-next issue #153, whose fix, PR #154, was never merged). A flood of
calls that all get replies is enough: the root helper fell off the system bus that way.

The fix here is small and local: the writer's socket is wrapped so that ``EAGAIN`` on ``send``
means "nothing was written"; dbus-fast then keeps the rest of the message and waits for the
socket to become writable, which is exactly what it does after a short write. Only ``send`` is
wrapped: ``sendmsg`` (used only to pass file descriptors, which we never negotiate) keeps the
library's behaviour, because retrying it would lose the fds.
"""

from __future__ import annotations

import socket
from typing import Any

from dbus_fast import BusType
from dbus_fast.aio import MessageBus


class _EagainTolerantSocket:
    """The bus socket as dbus-fast's writer sees it: a full buffer is a write of 0 bytes."""

    __slots__ = ("_sock",)

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def send(self, data: Any, flags: int = 0) -> int:
        try:
            return self._sock.send(data, flags)
        except BlockingIOError:
            return 0  # the writer waits for POLLOUT and sends the rest then

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def tolerate_full_socket(bus: MessageBus) -> MessageBus:
    """Make a connected bus survive a full socket buffer (see the module doc).

    Raises:
        RuntimeError: The dbus-fast in use has no writer where this fix expects one (a release
            that changed its internals): better to fail loudly in the tests than to lose the fix.
    """
    writer = getattr(bus, "_writer", None)
    if writer is None or not isinstance(getattr(writer, "sock", None), socket.socket):
        raise RuntimeError("dbus-fast's message writer changed: review memwarden.dbus_connect")
    writer.sock = _EagainTolerantSocket(writer.sock)
    return bus


async def connect_bus(bus_type: BusType, bus_address: str | None = None) -> MessageBus:
    """Connect to a bus (the session or system bus, or ``bus_address``), EAGAIN-tolerant."""
    bus = await MessageBus(bus_address=bus_address, bus_type=bus_type).connect()
    return tolerate_full_socket(bus)
