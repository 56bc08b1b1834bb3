# SPDX-License-Identifier: GPL-3.0-or-later
"""A stand-in for the monitor's pausing, on a test bus: the part of ``io.github.memwarden.Monitor1``
that the tray uses around a paused app, as the API describes it, and nothing that decides.

The real monitor pauses an app only when memory is low and the app grows; the tray's side of it
is tested against this stand-in, which pauses on request (:meth:`PausingMonitor.pause`) and
answers ResumeApp, CloseApp and SetAppRule as the API says: ``AppResumed`` with its reason,
``PausedApps`` announced, ``Killed`` with ``"paused": true`` for an app that had been paused.
Every method call is recorded in :attr:`PausingMonitor.calls`, in order.

It runs in the test's own event loop, on its own connection: the tray's client reaches it
through the bus like the real monitor.
"""

# No `from __future__ import annotations`: dbus-fast reads the annotations at class creation.

import asyncio
import contextlib
import json
import os
from typing import Annotated, Any

from dbus_fast import PropertyAccess
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusBool, DBusDouble, DBusSignature, DBusStr, DBusUInt64
from dbus_fast.errors import DBusError
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property, dbus_signal

from memwarden.monitor import dbus_constants as c

MiB = 1024 * 1024
GiB = 1024 * MiB

StrDict = Annotated[dict[str, str], DBusSignature("a{ss}")]
BytesDict = Annotated[dict[str, int], DBusSignature("a{st}")]
StateAndReasons = Annotated[tuple[str, list[str]], DBusSignature("sas")]
KilledArgs = Annotated[tuple[str, int, str], DBusSignature("sts")]
ResumedArgs = Annotated[tuple[str, str], DBusSignature("ss")]
WarningArgs = Annotated[tuple[str, float, str, str], DBusSignature("sdss")]


def paused_app(app_id: str = "org.blender.Blender", name: str = "Blender", *,
               total: int = 3 * GiB, kind: str = "other") -> dict[str, Any]:  # fmt: skip
    """An app as the monitor's signals carry it (its ``app_json``)."""
    return {
        "id": app_id, "name": name, "kind": kind, "icon": None, "pids": [4242],
        "rule_target": app_id,
        "bytes": {"resident": total, "swap": 0, "page_tables": 0, "shmem": 0, "dmabuf": 0,
                  "gpu_system": 0, "gpu_vram": 0, "kernel_view": total, "total": total},
    }  # fmt: skip


def paused_entry(app: dict[str, Any] | None = None, *, growth: int = 48 * MiB,
                 reclaim: str = "done", freed: int = 1200 * MiB) -> dict[str, Any]:  # fmt: skip
    """One entry of ``PausedApps`` (and the argument of ``AppPaused``)."""
    app = app or paused_app()
    return {
        "app": app, "since": 1_760_000_000.5, "bytes": app["bytes"]["total"],
        "growth_bytes_per_s": growth, "method": "cgroup",
        "reclaim": {"result": reclaim, "ram_freed_bytes": freed},
    }  # fmt: skip


class PausingMonitor(ServiceInterface):
    """The stand-in's interface (see the module doc).

    Attributes:
        calls: ``(method, *args)`` of every method call, in order.
        fail: Method name -> ``(D-Bus error name, reason code)`` it answers with instead.
        announce_first: Announce ``PausedApps`` before the signal (True) or after it: the API
            does not say which, and the tray must not care.
    """

    def __init__(self, state: str = "critical") -> None:
        super().__init__(c.INTERFACE)
        self.state = state
        self.paused: list[dict[str, Any]] = []
        #: Apps that are not paused, for the snapshot.
        self.others: list[dict[str, Any]] = [paused_app("editor", "Editor", total=GiB)]
        self.rules: dict[str, str] = {}
        self.calls: list[tuple[Any, ...]] = []
        self.fail: dict[str, tuple[str, str]] = {}
        self.announce_first = True
        self.bus: MessageBus | None = None

    async def start(self, address: str) -> None:
        """Connect to the bus at ``address`` and take the monitor's name."""
        self.bus = await MessageBus(bus_address=address).connect()
        self.bus.export(c.OBJECT_PATH, self)
        await self.bus.request_name(c.BUS_NAME)

    async def stop(self) -> None:
        """Leave the bus (without resuming anything: a monitor that died)."""
        bus, self.bus = self.bus, None
        if bus is not None:
            bus.disconnect()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(bus.wait_for_disconnect(), 5)

    # -- what the real monitor does by itself -----------------------------------------------------

    def pause(self, entry: dict[str, Any]) -> None:
        """Pause an app: ``AppPaused`` and ``PausedApps``."""
        self.paused.append(entry)
        self._signal_and_announce(lambda: self.AppPaused(json.dumps(entry)))

    def resume(self, app_id: str, reason: str) -> dict[str, Any]:
        """An app runs again for ``reason``: ``AppResumed`` and ``PausedApps``."""
        entry = next(e for e in self.paused if e["app"]["id"] == app_id)
        self.paused.remove(entry)
        self._signal_and_announce(lambda: self.AppResumed(app_id, reason))
        return entry

    def kill(self, app_id: str, reason: str = "below-kill-threshold", *,
             resumed: bool = True) -> None:  # fmt: skip
        """Memory reached the kill level while it was paused: resumed (``killed``), then
        ``Killed`` with ``"paused": true``. With ``resumed=False`` only ``Killed`` (the API lets
        it come first): :meth:`resume` with ``killed`` later."""
        entry = next(e for e in self.paused if e["app"]["id"] == app_id)
        if resumed:
            self.resume(app_id, "killed")
        self.Killed(json.dumps({**entry["app"], "paused": True}), 900 * MiB, reason)

    def warn(self, app: dict[str, Any], eta_s: float) -> None:
        """The warning the real monitor sends before the close level: ``Warning``."""
        self.Warning(json.dumps(app), eta_s, "forecast-under-horizon", "growing")

    def _signal_and_announce(self, signal: Any) -> None:
        if not self.announce_first:
            signal()
        self.emit_properties_changed({"PausedApps": json.dumps(self.paused)})
        if self.announce_first:
            signal()

    def _check(self, name: str, *args: Any) -> None:
        self.calls.append((name, *args))
        if name in self.fail:
            error, code = self.fail[name]
            raise DBusError(error, code)

    # -- properties (those the tray reads) --------------------------------------------------------

    @dbus_property(access=PropertyAccess.READ)
    def State(self) -> DBusStr:
        return self.state

    @dbus_property(access=PropertyAccess.READ)
    def AvailableBytes(self) -> DBusUInt64:
        return 400 * MiB

    @dbus_property(access=PropertyAccess.READ)
    def EtaSeconds(self) -> DBusDouble:
        return -1.0

    @dbus_property(access=PropertyAccess.READ)
    def NextVictim(self) -> DBusStr:
        return ""

    @dbus_property(access=PropertyAccess.READ)
    def Thresholds(self) -> BytesDict:
        return {"warn": GiB, "close": 500 * MiB, "kill": 250 * MiB}

    @dbus_property(access=PropertyAccess.READ)
    def Paused(self) -> DBusBool:
        return False

    @dbus_property(access=PropertyAccess.READ)
    def HelperStatus(self) -> DBusStr:
        return "no-helper"

    @dbus_property(access=PropertyAccess.READ)
    def AppRules(self) -> StrDict:
        return dict(self.rules)

    @dbus_property(access=PropertyAccess.READ)
    def PausedApps(self) -> DBusStr:
        return json.dumps(self.paused)

    # -- signals ----------------------------------------------------------------------------------

    @dbus_signal()
    def AppPaused(self, paused_json: str) -> DBusStr:
        return paused_json

    @dbus_signal()
    def Warning(self, app_json: str, eta_s: float, reason: str, victim_reason: str) -> WarningArgs:
        return app_json, eta_s, reason, victim_reason

    @dbus_signal()
    def AppResumed(self, app_id: str, reason: str) -> ResumedArgs:
        return app_id, reason

    @dbus_signal()
    def Killed(self, app_json: str, freed_bytes: int, reason: str) -> KilledArgs:
        return app_json, freed_bytes, reason

    @dbus_signal()
    def StateChanged(self, state: str, reasons: list[str]) -> StateAndReasons:
        return state, reasons

    # -- methods ----------------------------------------------------------------------------------

    @dbus_method()
    def GetSnapshot(self) -> DBusStr:
        self.calls.append(("GetSnapshot",))
        apps = [{**app, "uid": os.getuid(), "rule": self.rules.get(app["id"], "normal"),
                 "rule_source": ""}
                for app in [e["app"] for e in self.paused] + self.others]  # fmt: skip
        return json.dumps({"schema": "memwarden.scan/1", "system": {}, "apps": apps,
                           "orphans": []})  # fmt: skip

    @dbus_method()
    def SetAppRule(self, name: DBusStr, rule: DBusStr) -> None:
        self._check("SetAppRule", name, rule)
        self.rules[name] = rule
        self.emit_properties_changed({"AppRules": dict(self.rules)})

    @dbus_method()
    def ResumeApp(self, app_id: DBusStr) -> None:
        self._check("ResumeApp", app_id)
        if not app_id.strip():
            raise DBusError(c.ERROR_INVALID_ARGUMENT, "empty-app-id")
        if all(e["app"]["id"] != app_id for e in self.paused):
            raise DBusError(c.ERROR_NO_SUCH_APP, "not-paused")
        self.resume(app_id, "user-request")

    @dbus_method()
    def CloseApp(self, app_id: DBusStr) -> DBusStr:
        self._check("CloseApp", app_id)
        if all(e["app"]["id"] != app_id for e in self.paused):
            raise DBusError(c.ERROR_NO_SUCH_APP, "no-such-app")
        # Continued so that it can handle SIGTERM, then closed.
        entry = self.resume(app_id, "closing")
        self.Killed(json.dumps({**entry["app"], "paused": True}), 2 * GiB, "user-request")
        return json.dumps({"signalled": [4242], "exited": True, "freed_bytes": 2 * GiB})
