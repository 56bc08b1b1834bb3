# SPDX-License-Identifier: GPL-3.0-or-later
"""One tray per session, through the session bus: the first ``memwarden`` owns
``io.github.memwarden.MemWarden`` and serves ``org.freedesktop.Application`` on
``/io/github/memwarden/MemWarden``; a second one finds the name taken, calls ``Activate`` (the
first one raises its window) and exits.

Why the bus rather than a QLocalServer socket: the tray is on the session bus anyway (the monitor
client), the name dies with the process (no stale socket file after a crash), it is scoped to the
session like the monitor, and ``org.freedesktop.Application`` is the interface desktop launchers
already use for D-Bus-activatable apps named after their desktop file id, which this one is.
``ActivateAction`` takes ``open-window``, ``show-prompt``, ``free-memory`` and ``quit``, so
desktop actions and scripts can drive the running tray.
"""

# No `from __future__ import annotations`: dbus-fast reads these annotations at class creation.

import logging
from collections.abc import Callable
from typing import Annotated, Any

from dbus_fast import Message, MessageType, NameFlag, RequestNameReply, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusSignature, DBusStr
from dbus_fast.errors import DBusError
from dbus_fast.service import ServiceInterface, dbus_method

from memwarden.monitor.dbus_constants import TRAY_BUS_NAME

log = logging.getLogger(__name__)

BUS_NAME = TRAY_BUS_NAME  # the monitor knows the tray by the owner of this name
OBJECT_PATH = "/io/github/memwarden/MemWarden"
INTERFACE = "org.freedesktop.Application"
ACTIONS = ("open-window", "show-prompt", "free-memory", "quit")

PlatformData = Annotated[dict[str, Variant], DBusSignature("a{sv}")]
Uris = Annotated[list[str], DBusSignature("as")]
Parameters = Annotated[list[Variant], DBusSignature("av")]


class ApplicationInterface(ServiceInterface):
    """``org.freedesktop.Application`` for the running tray.

    Args:
        on_action: Called with ``open-window`` for Activate/Open, or the action's name.
    """

    def __init__(self, on_action: Callable[[str], None]) -> None:
        super().__init__(INTERFACE)
        self._on_action = on_action

    @dbus_method()
    def Activate(self, platform_data: PlatformData) -> None:
        self._on_action("open-window")

    @dbus_method()
    def Open(self, uris: Uris, platform_data: PlatformData) -> None:
        self._on_action("open-window")

    @dbus_method()
    def ActivateAction(
        self, action_name: DBusStr, parameter: Parameters, platform_data: PlatformData
    ) -> None:
        if action_name not in ACTIONS:
            raise DBusError("org.freedesktop.DBus.Error.InvalidArgs", "unknown-action")
        self._on_action(action_name)


async def claim(bus: MessageBus, on_action: Callable[[str], None]) -> bool:
    """Become the session's tray: True, or False when another tray runs (it was activated)."""
    interface = ApplicationInterface(on_action)
    bus.export(OBJECT_PATH, interface)
    reply = await bus.request_name(BUS_NAME, NameFlag.DO_NOT_QUEUE)
    if reply is RequestNameReply.PRIMARY_OWNER:
        return True
    bus.unexport(OBJECT_PATH, interface)
    log.info("MemWarden already runs in this session: asking it to show its window")
    answer: Any = await bus.call(Message(
        destination=BUS_NAME, path=OBJECT_PATH, interface=INTERFACE, member="Activate",
        signature="a{sv}", body=[{}],
    ))  # fmt: skip
    if answer is None or answer.message_type is MessageType.ERROR:
        log.warning("the running MemWarden did not answer: %s", getattr(answer, "body", None))
    return False
