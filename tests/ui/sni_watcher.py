# SPDX-License-Identifier: GPL-3.0-or-later
"""A StatusNotifierWatcher for the tests: ``python sni_watcher.py RECORD``, on the session bus of
its environment.

With ``org.kde.StatusNotifierWatcher`` on the bus, Qt exports a tray icon as a
StatusNotifierItem (the D-Bus tray of KDE, swaybar, waybar and GNOME's AppIndicator extension)
instead of embedding it in an XEmbed tray; a test then reads the item's properties and its menu
over D-Bus. This watcher keeps no hosts and checks nothing: it writes the name of every item that
registers to RECORD, one a line. It prints ``ready`` once it owns its name, and runs until it is
terminated. A process of its own, so that a test waiting on something else never leaves Qt's
registration call unanswered.
"""

# No `from __future__ import annotations`: dbus-fast reads these annotations at class creation.

import asyncio
import sys
from pathlib import Path
from typing import Annotated

from dbus_fast import PropertyAccess
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusBool, DBusInt32, DBusSignature, DBusStr
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property, dbus_signal

NAME = "org.kde.StatusNotifierWatcher"
PATH = "/StatusNotifierWatcher"
Strings = Annotated[list[str], DBusSignature("as")]


class Watcher(ServiceInterface):
    """``org.kde.StatusNotifierWatcher``, as far as Qt uses it."""

    def __init__(self, record: Path) -> None:
        super().__init__(NAME)
        self.record = record
        self.items: list[str] = []

    @dbus_method()
    def RegisterStatusNotifierItem(self, service: DBusStr) -> None:
        self.items.append(service)
        with self.record.open("a") as out:
            out.write(service + "\n")
        self.StatusNotifierItemRegistered(service)

    @dbus_method()
    def RegisterStatusNotifierHost(self, service: DBusStr) -> None:
        pass

    @dbus_signal()
    def StatusNotifierItemRegistered(self, service: str) -> DBusStr:
        return service

    @dbus_signal()
    def StatusNotifierItemUnregistered(self, service: str) -> DBusStr:
        return service

    @dbus_signal()
    def StatusNotifierHostRegistered(self) -> None:
        pass

    @dbus_property(access=PropertyAccess.READ)
    def RegisteredStatusNotifierItems(self) -> Strings:
        return list(self.items)

    @dbus_property(access=PropertyAccess.READ)
    def IsStatusNotifierHostRegistered(self) -> DBusBool:
        return True

    @dbus_property(access=PropertyAccess.READ)
    def ProtocolVersion(self) -> DBusInt32:
        return 0


async def main(record: Path) -> None:
    bus = await MessageBus().connect()
    bus.export(PATH, Watcher(record))
    await bus.request_name(NAME)
    print("ready", flush=True)
    await bus.wait_for_disconnect()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
