# SPDX-License-Identifier: GPL-3.0-or-later
"""The monitor's D-Bus session API, ``io.github.memwarden.Monitor1`` (dbus-fast): exporting it on
the session bus, owning its name, and taking it off again.

What the API offers is :mod:`~memwarden.monitor.dbus_interface`'s. One monitor per session: the
name is requested without queueing, so a second monitor fails at once (:class:`NameTaken`)
instead of racing the first for every kill.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dbus_fast import BusType, NameFlag, RequestNameReply
from dbus_fast.aio import MessageBus

from memwarden.monitor import dbus_constants as c
from memwarden.monitor.dbus_interface import MonitorInterface

if TYPE_CHECKING:
    from memwarden.monitor.engine import Engine

log = logging.getLogger(__name__)


class NameTaken(RuntimeError):
    """Another process (another monitor) owns the bus name on this session bus."""


@dataclass
class Served:
    """The exported API; :meth:`close` takes it off the bus.

    Attributes:
        bus: The session bus connection.
        interface: The exported interface.
    """

    bus: MessageBus
    interface: MonitorInterface
    engine: Engine
    _tasks: list[asyncio.Future[Any]] = field(default_factory=list)
    _closing: bool = False

    async def close(self) -> None:
        """Stop announcing, give the name back and disconnect (idempotent)."""
        if self._closing:
            return
        self._closing = True
        with contextlib.suppress(ValueError):
            self.engine.listeners.remove(self.interface.on_event)
        with contextlib.suppress(ValueError):
            self.engine.tick_hooks.remove(self.interface.publisher.after_tick)
        for task in self._tasks:
            task.cancel()
        if self.bus.connected:
            # Give the name back first, so a new monitor can take it as soon as we are gone.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.bus.release_name(c.BUS_NAME), 5.0)
            self.bus.unexport(c.OBJECT_PATH, self.interface)
            self.bus.disconnect()
        for task in self._tasks:
            with contextlib.suppress(BaseException):
                await task


async def serve(engine: Engine, *, stop: asyncio.Event, bus_address: str | None = None) -> Served:
    """Export the API on the session bus and own ``io.github.memwarden.Monitor1``.

    Args:
        engine: The engine (created, not yet running).
        stop: Set to stop the monitor; the API stops with it, and sets it when the session bus
            goes away (the session ended: a session service ends with its bus).
        bus_address: A D-Bus address; None means the session bus (``DBUS_SESSION_BUS_ADDRESS``).

    Raises:
        NameTaken: another monitor owns the name on this bus.
        Exception: no session bus to connect to (dbus-fast's errors, OSError).
    """
    bus = await MessageBus(bus_address=bus_address, bus_type=BusType.SESSION).connect()
    interface = MonitorInterface(engine)
    interface.publisher.publish(announce=False)  # the baseline later changes are compared with
    # Export first, name last: no call can arrive before we can answer it.
    bus.export(c.OBJECT_PATH, interface)
    try:
        reply = await bus.request_name(c.BUS_NAME, NameFlag.DO_NOT_QUEUE)
    except Exception:
        bus.disconnect()
        raise
    if reply is not RequestNameReply.PRIMARY_OWNER:
        bus.disconnect()
        raise NameTaken(f"{c.BUS_NAME} is owned by another process ({reply.name})")
    log.info("owning %s on the session bus as %s", c.BUS_NAME, bus.unique_name)
    served = Served(bus, interface, engine)
    engine.listeners.append(interface.on_event)
    engine.tick_hooks.append(interface.publisher.after_tick)
    served._tasks.append(asyncio.ensure_future(interface.publisher.watch(stop)))

    async def stop_with_the_bus() -> None:
        with contextlib.suppress(Exception):
            await bus.wait_for_disconnect()  # type: ignore[no-untyped-call]
        if not served._closing:
            log.warning("the session bus went away: stopping")
            stop.set()

    served._tasks.append(asyncio.ensure_future(stop_with_the_bus()))
    return served
