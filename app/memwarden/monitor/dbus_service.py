# SPDX-License-Identifier: GPL-3.0-or-later
"""The monitor's D-Bus session API, ``io.github.memwarden.Monitor1`` (dbus-fast): exporting it on
the session bus, owning its name, staying there, and taking it off again.

What the API offers is :mod:`~memwarden.monitor.dbus_interface`'s. One monitor per session: the
name is requested without queueing, so a second monitor fails at once (:class:`NameTaken`)
instead of racing the first for every kill.

The guard does not depend on the bus: the engine ticks, warns and closes apps whether or not the
API is on it. The API connects with :func:`memwarden.dbus_connect.connect_bus` (a full socket
buffer must not cost the connection: 400 concurrent GetSnapshot calls did, and the monitor then
stopped). If the connection is lost all the same (the bus daemon restarted, or dropped us), the
API reconnects: with backoff from :data:`RECONNECT_FIRST_S` up to :data:`RECONNECT_MAX_S`, it
connects, exports the interface and asks for the name again.

When the session bus is gone for good the session has ended: a bus that was there and stays away
for :data:`SESSION_ENDED_AFTER_S` stops the monitor (exit status 0). Under systemd the user unit
is stopped with the session anyway; without it (``Exec=`` activation by a plain dbus-daemon) this
is what keeps a guard of an ended session from running on, and from racing the next session's
monitor. Meanwhile it tries at most every :data:`RECONNECT_MAX_S`: no spinning. A monitor that
never had a bus (no session bus at start) keeps guarding without the API, as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from dbus_fast import BusType, NameFlag, RequestNameReply
from dbus_fast.aio import MessageBus
from dbus_fast.errors import InvalidAddressError

from memwarden.dbus_connect import connect_bus
from memwarden.monitor import dbus_constants as c
from memwarden.monitor.dbus_interface import MonitorInterface
from memwarden.monitor.session_peers import SessionPeers

if TYPE_CHECKING:
    from memwarden.monitor.engine import Engine

log = logging.getLogger(__name__)

#: The first retry after the bus went away, doubled after each failure up to RECONNECT_MAX_S. A
#: restarted bus daemon listens again within milliseconds, so most reconnections take one try.
RECONNECT_FIRST_S = 0.1
#: The longest wait between two tries (one failed connect(2) each: nothing measurable).
RECONNECT_MAX_S = 30.0
#: A session bus that was there and stays away this long is gone with its session.
SESSION_ENDED_AFTER_S = 300.0


class NameTaken(RuntimeError):
    """Another process (another monitor) owns the bus name on this session bus."""


class SessionApi:
    """The API on the session bus, kept there while the monitor runs.

    Args:
        engine: The engine (created, running or not).
        stop: Set to stop the monitor; set here when the session has ended, or when another
            monitor took the name while the bus was away (see :attr:`exit_status`).
        bus_address: A D-Bus address; None means the session bus (``DBUS_SESSION_BUS_ADDRESS``).
        session_ended_after_s: See :data:`SESSION_ENDED_AFTER_S`.
        clock: Monotonic seconds.

    Attributes:
        bus: The connection while the API is on the bus, else None.
        interface: The exported interface while on the bus (a fresh one per connection).
        exit_status: What the monitor should exit with after this set ``stop``.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        stop: asyncio.Event,
        bus_address: str | None = None,
        session_ended_after_s: float = SESSION_ENDED_AFTER_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.stop = stop
        self.bus_address = bus_address
        self.session_ended_after_s = session_ended_after_s
        self.clock = clock
        self.bus: MessageBus | None = None
        self.interface: MonitorInterface | None = None
        self.peers = SessionPeers(
            engine.look.set_session_facts, own=engine.own_processes(),
            tray=engine.pausing.set_tray_present,
        )  # fmt: skip
        self._peers_task: asyncio.Future[None] | None = None
        self.exit_status = 0
        self._watch: asyncio.Future[Any] | None = None
        self._keeper: asyncio.Future[Any] | None = None
        self._closing = False

    async def start(self) -> None:
        """Go on the bus, and stay there (in the background) until :meth:`close`.

        Raises:
            NameTaken: another monitor owns the name on this bus.
        """
        try:
            await self._attach()
        except NameTaken:
            raise
        except InvalidAddressError as exc:  # no session bus at all: headless use
            log.warning("D-Bus API not available: %s", exc)
            return
        except Exception as exc:
            log.warning("D-Bus API not available yet (%s): guarding without it; retrying", exc)
            self._keeper = asyncio.ensure_future(self._reconnect(had_bus=False))
            return
        self._keeper = asyncio.ensure_future(self._keep())

    async def _attach(self) -> None:
        """Connect, export a fresh interface, own the name, and hook into the engine."""
        bus = await connect_bus(BusType.SESSION, self.bus_address)
        interface = MonitorInterface(self.engine)
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
        self.bus, self.interface = bus, interface
        self.engine.listeners.append(interface.on_event)
        self.engine.tick_hooks.append(interface.publisher.after_tick)
        # Who the bus says is the desktop and MemWarden's tray; in the background: the guard
        # and the API do not wait for it.
        self._peers_task = asyncio.ensure_future(self.peers.attach(bus))
        self._watch = asyncio.ensure_future(interface.publisher.watch(self.stop))

    def _detach(self) -> None:
        """Unhook the interface from the engine (its connection is gone or going)."""
        if self._peers_task is not None:
            self._peers_task.cancel()
            self._peers_task = None
        self.peers.detach()
        interface, self.interface, self.bus = self.interface, None, None
        if interface is not None:
            with contextlib.suppress(ValueError):
                self.engine.listeners.remove(interface.on_event)
            with contextlib.suppress(ValueError):
                self.engine.tick_hooks.remove(interface.publisher.after_tick)
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None

    async def _keep(self) -> None:
        """Wait for the connection to end; then reconnect, unless we are closing."""
        while self.bus is not None:
            with contextlib.suppress(Exception):  # how it ended does not matter, only that it did
                await self.bus.wait_for_disconnect()  # type: ignore[no-untyped-call]
            if self._closing:
                return
            self._detach()
            log.warning("the session bus went away: guarding goes on; reconnecting")
            if not await self._reconnect(had_bus=True):
                return

    async def _reconnect(self, *, had_bus: bool) -> bool:
        """Try to get back on the bus until it works (True), or the monitor must stop (False)."""
        since = self.clock()
        delay = RECONNECT_FIRST_S
        while not self._closing:
            await asyncio.sleep(delay)
            if self._closing:
                return False
            try:
                await self._attach()
            except NameTaken as exc:
                # Someone owned the name while we were away: two monitors would race for every
                # kill, so this one leaves (status 1: a unit restarts it, and it finds out again).
                log.error("another monitor took the name while the bus was away: %s", exc)
                return self._stop_monitor(1)
            except Exception as exc:
                log.debug("session bus still away: %s", exc)
                if had_bus and self.clock() - since >= self.session_ended_after_s:
                    log.warning(
                        "the session bus has been away for %.0f s: the session has ended; "
                        "stopping", self.clock() - since,
                    )  # fmt: skip
                    return self._stop_monitor(0)
                delay = min(delay * 2, RECONNECT_MAX_S)
                continue
            log.info("back on the session bus after %.2f s", self.clock() - since)
            if not had_bus:
                self._keeper = asyncio.ensure_future(self._keep())
            return True
        return False

    def _stop_monitor(self, status: int) -> bool:
        self.exit_status = status
        self.stop.set()
        return False

    async def close(self) -> None:
        """Stop announcing, give the name back and disconnect (idempotent)."""
        if self._closing:
            return
        self._closing = True
        bus = self.bus
        interface = self.interface
        self._detach()
        if self._keeper is not None:
            self._keeper.cancel()
        if bus is not None and bus.connected:
            # Give the name back first, so a new monitor can take it as soon as we are gone.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(bus.release_name(c.BUS_NAME), 5.0)
            if interface is not None:
                bus.unexport(c.OBJECT_PATH, interface)
            bus.disconnect()
        if self._keeper is not None:
            with contextlib.suppress(BaseException):
                await self._keeper


async def serve(
    engine: Engine, *, stop: asyncio.Event, bus_address: str | None = None
) -> SessionApi:
    """Put the API on the session bus and keep it there (:class:`SessionApi`).

    Raises:
        NameTaken: another monitor owns the name on this bus.
    """
    api = SessionApi(engine, stop=stop, bus_address=bus_address)
    await api.start()
    return api
