# SPDX-License-Identifier: GPL-3.0-or-later
"""Who the session bus says is who: the owners of the desktop's well-known names, and MemWarden's
tray, by pid.

The bus daemon knows the pid behind every connection (``GetConnectionUnixProcessID``, from the
socket's peer credentials: the process cannot choose it). So the process that owns
``org.freedesktop.Notifications``, ``org.kde.StatusNotifierWatcher`` or a tray host name is the
desktop (:mod:`memwarden.core.desktop_roles` adds that it must run a trusted program), and the
owner of the tray's name is MemWarden. Names come and go (a panel restarts): ``NameOwnerChanged``
keeps the picture current, at no cost while nothing changes.

The pids are the bus daemon's. A monitor in another PID namespace than its bus (a sandbox, a
container) would read them as other processes, so the bus is first asked for our own pid: when it
is not ours, no pid from that bus is used.

Whether a tray is there at all needs no pid: the tray's name has an owner or not. The monitor
pauses an app only while one is (monitor/pausing.py: a paused app is always on screen), and is
told at once when it goes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dbus_fast import Message, MessageType
from dbus_fast.aio import MessageBus

from memwarden.core.desktop_roles import SessionFacts, is_session_bus_name
from memwarden.core.errors import CoreError
from memwarden.core.process import ProcessKey
from memwarden.monitor.dbus_constants import TRAY_BUS_NAME

log = logging.getLogger(__name__)

_DBUS = "org.freedesktop.DBus"
_DBUS_PATH = "/org/freedesktop/DBus"
_MATCH = f"type='signal',sender='{_DBUS}',interface='{_DBUS}',member='NameOwnerChanged'"


def is_interesting(name: str) -> bool:
    """Whether the owner of this well-known name matters to who may be closed."""
    return name == TRAY_BUS_NAME or (not name.startswith(":") and is_session_bus_name(name))


class SessionPeers:
    """Keeps the engine's :class:`SessionFacts` in step with the session bus.

    Args:
        publish: Called with new facts whenever an owner changes (``Engine.set_session_facts``).
        own: MemWarden's processes the monitor knows without the bus (itself): pid -> start time.
        proc_root: Where to read the start time of an owner (the pid-reuse guard).
    """

    def __init__(
        self,
        publish: Callable[[SessionFacts], None],
        *,
        own: dict[int, int],
        proc_root: Path = Path("/proc"),
        tray: Callable[[bool], None] = lambda present: None,
    ) -> None:
        self._publish = publish
        self._tray = tray
        self._tray_present = False
        self._pids_usable = False
        self._own = dict(own)
        self._proc_root = proc_root
        self._owners: dict[str, ProcessKey] = {}  # well-known name -> its owner
        self._bus: MessageBus | None = None
        self._tasks: set[asyncio.Future[None]] = set()

    # -- the bus ----------------------------------------------------------------------------------

    async def _call(self, member: str, signature: str = "", body: list[Any] | None = None
                    ) -> list[Any] | None:  # fmt: skip
        bus = self._bus
        if bus is None:
            return None
        reply = await asyncio.wait_for(bus.call(Message(
            destination=_DBUS, path=_DBUS_PATH, interface=_DBUS, member=member,
            signature=signature, body=body or [],
        )), 5.0)  # fmt: skip
        if reply is None or reply.message_type is MessageType.ERROR:
            return None
        return list(reply.body)

    async def _pid_of(self, name: str) -> int | None:
        with contextlib.suppress(Exception):
            body = await self._call("GetConnectionUnixProcessID", "s", [name])
            if body:
                return int(body[0])
        return None

    async def attach(self, bus: MessageBus) -> None:
        """Learn the owners on a (new) connection, and follow their changes.

        Never raises: without these facts the guard still knows itself and the desktop's
        systemd units, sockets and trusted programs.
        """
        self._bus = bus
        self._owners.clear()
        self._pids_usable = False
        try:
            bus.add_message_handler(self._on_message)
            await self._call("AddMatch", "s", [_MATCH])
            has_tray = await self._call("NameHasOwner", "s", [TRAY_BUS_NAME])
            self._set_tray(bool(has_tray and has_tray[0]))
            me = await self._pid_of(bus.unique_name or "")
            if me != os.getpid():
                log.info("the session bus is in another PID namespace: its pids are not used")
                self._emit()
                return
            self._pids_usable = True
            body = await self._call("ListNames")
            names = [str(n) for n in body[0]] if body else []
            for name in names:
                if is_interesting(name):
                    await self._resolve(name)
        except Exception as exc:  # the facts are extra: never a reason to stop
            log.info("session bus peers unknown: %s", exc)
        self._emit()

    def detach(self) -> None:
        """The connection is gone: forget what it said (a new one will say it again)."""
        bus, self._bus = self._bus, None
        if bus is not None:
            with contextlib.suppress(Exception):
                bus.remove_message_handler(self._on_message)
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()
        self._owners.clear()
        self._pids_usable = False
        self._set_tray(False)  # nobody can show a paused app through a lost connection
        self._emit()

    def _set_tray(self, present: bool) -> None:
        if present != self._tray_present:
            self._tray_present = present
            self._tray(present)

    def _on_message(self, msg: Message) -> None:
        if not (
            msg.message_type is MessageType.SIGNAL
            and msg.member == "NameOwnerChanged"
            and msg.sender == _DBUS
            and len(msg.body) == 3
        ):
            return
        name = str(msg.body[0])
        if name == TRAY_BUS_NAME:
            self._set_tray(bool(msg.body[2]))  # the new owner; "" when it went
        if self._pids_usable and is_interesting(name):
            task = asyncio.ensure_future(self._changed(name))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _changed(self, name: str) -> None:
        self._owners.pop(name, None)
        await self._resolve(name)
        self._emit()

    async def _resolve(self, name: str) -> None:
        pid = await self._pid_of(name)
        if pid is None or pid <= 1:
            return
        try:
            self._owners[name] = ProcessKey.of(pid, self._proc_root)
        except CoreError:
            return

    # -- the facts --------------------------------------------------------------------------------

    def facts(self) -> SessionFacts:
        """What the bus says now, with MemWarden's own processes."""
        own = dict(self._own)
        names: dict[int, tuple[int, str]] = {}
        for name, (pid, start) in sorted(self._owners.items()):
            if name == TRAY_BUS_NAME:
                own[pid] = start
            else:
                names.setdefault(pid, (start, name))
        return SessionFacts(own=own, bus_names=names)

    def _emit(self) -> None:
        self._publish(self.facts())
