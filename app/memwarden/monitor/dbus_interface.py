# SPDX-License-Identifier: GPL-3.0-or-later
"""The ``io.github.memwarden.Monitor1`` interface: its properties, signals and methods.

The tray (and any script) reads the guard's state as properties, gets the accounting snapshot,
hears warnings and kills as signals, and asks for protect / sacrifice first / close / free memory.
The API is documented in ``packaging/dbus/io.github.memwarden.Monitor1.xml``; a test compares that
file with what this interface exports.

The engine's events (state changes, warnings, kills, config and protection results) become
signals at once; the properties' values, and when their changes are announced, are
:mod:`~memwarden.monitor.dbus_properties`'s; the errors the methods answer with are
:mod:`~memwarden.monitor.dbus_errors`'.
"""

# No `from __future__ import annotations` here: dbus-fast reads these annotations at class
# creation, and a postponed `-> None` would reach it as the string "None", which it rejects.

import asyncio
import json
import logging
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

from dbus_fast import PropertyAccess
from dbus_fast import introspection as intr
from dbus_fast.annotations import (
    DBusBool,
    DBusDict,
    DBusDouble,
    DBusSignature,
    DBusStr,
    DBusUInt32,
    DBusUInt64,
)
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property, dbus_signal

from memwarden.core import reason_codes as codes
from memwarden.core.policy import TooManyRules
from memwarden.monitor import dbus_constants as c
from memwarden.monitor.app_calls import close_app_call, resume_app_call
from memwarden.monitor.dbus_errors import (
    InvalidArgument,
    map_errors,
    valid_name,
)
from memwarden.monitor.dbus_properties import PropertyPublisher
from memwarden.monitor.events import Event
from memwarden.monitor.free_memory import free_memory_now
from memwarden.monitor.settings_calls import apply_edits_by_hand, set_settings
from memwarden.monitor.snapshot_calls import SharedSnapshot

if TYPE_CHECKING:
    from memwarden.monitor.engine import Engine

log = logging.getLogger(__name__)

StrDict = Annotated[dict[str, str], DBusSignature("a{ss}")]
StrList = Annotated[list[str], DBusSignature("as")]
BytesDict = Annotated[dict[str, int], DBusSignature("a{st}")]
StateAndReasons = Annotated[tuple[str, list[str]], DBusSignature("sas")]
WarningArgs = Annotated[tuple[str, float, str, str], DBusSignature("sdss")]
KilledArgs = Annotated[tuple[str, int, str], DBusSignature("sts")]
AppAndReason = Annotated[tuple[str, str], DBusSignature("ss")]

# dbus-fast names no signal argument and no method result; these names go into the introspection
# so that clients (d-feet, busctl, generated proxies) and the committed XML can say what each is.
_OUT_ARG_NAMES: dict[str, tuple[str, ...]] = {
    "GetSnapshot": ("snapshot_json",),
    "CloseApp": ("result_json",),
    "FreeMemoryNow": ("result_json",),
}
_SIGNAL_ARG_NAMES: dict[str, tuple[str, ...]] = {
    "StateChanged": ("state", "reasons"),
    "Warning": ("app_json", "eta_seconds", "reason", "victim_reason"),
    "Killed": ("app_json", "freed_bytes", "reason"),
    "AppPaused": ("paused_json",),
    "AppResumed": ("app_id", "reason"),
}


def _json(doc: Any) -> str:
    return json.dumps(doc, separators=(",", ":"))


class MonitorInterface(ServiceInterface):
    """The ``io.github.memwarden.Monitor1`` interface, on top of the engine.

    Args:
        engine: The running engine; the interface reads its state and calls its methods.

    Attributes:
        publisher: The properties' values, and their ``PropertiesChanged`` announcements.
    """

    def __init__(self, engine: "Engine") -> None:
        super().__init__(c.INTERFACE)
        self._engine = engine
        self._free_lock = asyncio.Lock()
        self._send_failed = False
        self.publisher = PropertyPublisher(engine, announce=self._announce_properties)
        self._snapshots = SharedSnapshot(self._snapshot_text)

    # -- announcing -------------------------------------------------------------------------------

    def _announce_properties(self, changed: dict[str, Any]) -> None:
        self._send(lambda: self.emit_properties_changed(changed))

    def _send(self, emit: Callable[[], Any]) -> None:
        """Emit a signal; a dead connection is logged once, and never stops the guard."""
        try:
            emit()
            self._send_failed = False
        except Exception as exc:
            if not self._send_failed:
                log.warning("cannot send a D-Bus signal: %s", exc)
            self._send_failed = True

    def on_event(self, event: Event) -> None:
        """The engine listener: events become signals, then the properties are compared."""
        data = event.data
        if event.kind == "state":
            reasons = [str(r) for r in data.get("reasons") or ()]
            self._send(lambda: self.StateChanged(str(data["state"]), reasons))
        elif event.kind == "warning":
            eta = data.get("eta_s")
            self._send(
                lambda: self.Warning(
                    _json(data.get("app")),
                    -1.0 if eta is None else float(eta),
                    str(data.get("reason", "")),
                    str(data.get("victim_reason", "")),
                )
            )
        elif event.kind == "paused":
            self._send(lambda: self.AppPaused(_json(data)))
        elif event.kind == "resumed":
            self._send(lambda: self.AppResumed(str(data["app_id"]), str(data["reason"])))
        elif event.kind == "killed" and data.get("signalled") and not data.get("dry_run"):
            # A dry run, or a close that signalled nothing, killed nothing: no Killed signal.
            self._send(
                lambda: self.Killed(
                    _json(data.get("app")), int(data.get("freed_bytes", 0)), str(data["reason"])
                )
            )
        self.publisher.publish()

    # -- introspection ----------------------------------------------------------------------------

    def introspect(self) -> intr.Interface:
        """dbus-fast's introspection, with names for signal arguments and method results."""
        interface = super().introspect()
        for method in interface.methods:
            names = _OUT_ARG_NAMES.get(method.name, ())
            for arg, name in zip(method.out_args, names, strict=False):
                arg.name = name
        for sig in interface.signals:
            for arg, name in zip(sig.args, _SIGNAL_ARG_NAMES.get(sig.name, ()), strict=False):
                arg.name = name
        return interface

    # -- properties -------------------------------------------------------------------------------

    @dbus_property(access=PropertyAccess.READ)
    def State(self) -> DBusStr:
        return str(self.publisher.read("State"))

    @dbus_property(access=PropertyAccess.READ)
    def AvailableBytes(self) -> DBusUInt64:
        return int(self.publisher.read("AvailableBytes"))

    @dbus_property(access=PropertyAccess.READ)
    def EtaSeconds(self) -> DBusDouble:
        return float(self.publisher.read("EtaSeconds"))

    @dbus_property(access=PropertyAccess.READ)
    def PressureSomeAvg10(self) -> DBusDouble:
        return float(self.publisher.read("PressureSomeAvg10"))

    @dbus_property(access=PropertyAccess.READ)
    def PressureFullAvg10(self) -> DBusDouble:
        return float(self.publisher.read("PressureFullAvg10"))

    @dbus_property(access=PropertyAccess.READ)
    def NextVictim(self) -> DBusStr:
        return str(self.publisher.read("NextVictim"))

    @dbus_property(access=PropertyAccess.READ)
    def Thresholds(self) -> BytesDict:
        return dict(self.publisher.read("Thresholds"))

    @dbus_property(access=PropertyAccess.READ)
    def Paused(self) -> DBusBool:
        return bool(self.publisher.read("Paused"))

    @dbus_property(access=PropertyAccess.READ)
    def HelperStatus(self) -> DBusStr:
        return str(self.publisher.read("HelperStatus"))

    @dbus_property(access=PropertyAccess.READ)
    def ConfigError(self) -> DBusStr:
        return str(self.publisher.read("ConfigError"))

    @dbus_property(access=PropertyAccess.READ)
    def ConfigPath(self) -> DBusStr:
        return str(self.publisher.read("ConfigPath"))

    @dbus_property(access=PropertyAccess.READ)
    def AppRules(self) -> StrDict:
        return dict(self.publisher.read("AppRules"))

    @dbus_property(access=PropertyAccess.READ)
    def PausedApps(self) -> DBusStr:
        return str(self.publisher.read("PausedApps"))

    @dbus_property(access=PropertyAccess.READ)
    def Version(self) -> DBusStr:
        return str(self.publisher.read("Version"))

    @dbus_property(access=PropertyAccess.READ)
    def SelfGuard(self) -> StrDict:
        return dict(self.publisher.read("SelfGuard"))

    @dbus_property(access=PropertyAccess.READ)
    def Settings(self) -> DBusDict:
        return dict(self.publisher.read("Settings"))

    @dbus_property(access=PropertyAccess.READ)
    def SettingsFromFlags(self) -> StrList:
        return list(self.publisher.read("SettingsFromFlags"))

    # -- signals ----------------------------------------------------------------------------------

    @dbus_signal()
    def StateChanged(self, state: str, reasons: list[str]) -> StateAndReasons:
        return state, reasons

    @dbus_signal()
    def Warning(
        self, app_json: str, eta_seconds: float, reason: str, victim_reason: str
    ) -> WarningArgs:
        return app_json, eta_seconds, reason, victim_reason

    @dbus_signal()
    def AppPaused(self, paused_json: str) -> DBusStr:
        return paused_json

    @dbus_signal()
    def AppResumed(self, app_id: str, reason: str) -> AppAndReason:
        return app_id, reason

    @dbus_signal()
    def Killed(self, app_json: str, freed_bytes: int, reason: str) -> KilledArgs:
        return app_json, freed_bytes, reason

    # -- methods ----------------------------------------------------------------------------------

    @dbus_method()
    @map_errors
    async def GetSnapshot(self) -> DBusStr:
        return await self._snapshots.get()  # concurrent calls share one scan

    def _snapshot_text(self) -> str:
        doc = self._engine.snapshot_json()
        self.publisher.refresh_choice()
        self.publisher.publish()
        return _json(doc)

    @dbus_method()
    @map_errors
    async def SetAppRule(self, name: DBusStr, rule: DBusStr) -> None:
        name = valid_name(name)
        if rule not in c.RULES:
            raise InvalidArgument(codes.UNKNOWN_RULE)
        # After a settings change or reload in flight, and on top of an edit by hand: each
        # saves the whole file.
        async with self._engine.config_lock:
            await apply_edits_by_hand(self._engine)
            try:
                self._engine.set_rule(name, rule)
            except TooManyRules:
                raise InvalidArgument(codes.TOO_MANY_RULES) from None
        log.info("rule for %r: %s", name, rule)
        self.publisher.refresh_choice(force=True)
        self.publisher.publish()

    @dbus_method()
    @map_errors
    async def SetSettings(self, changes: DBusDict, reset: StrList) -> None:
        await set_settings(self._engine, changes, reset)  # monitor/settings_calls.py
        self.publisher.refresh_choice(force=self._engine.look.last_snapshot is not None)
        self.publisher.publish()

    @dbus_method()
    @map_errors
    async def CloseApp(self, app_id: DBusStr) -> DBusStr:
        result = await close_app_call(self._engine, app_id)  # monitor/app_calls.py
        self.publisher.publish()
        return _json(result)

    @dbus_method()
    @map_errors
    async def ResumeApp(self, app_id: DBusStr) -> None:
        resume_app_call(self._engine, app_id)  # monitor/app_calls.py
        self.publisher.publish()

    @dbus_method()
    @map_errors
    async def FreeMemoryNow(self) -> DBusStr:
        engine = self._engine
        protector = engine.protector
        async with self._free_lock:  # one at a time: a second would only repeat the work
            result = await free_memory_now(
                helper=getattr(protector, "helper", None),
                cgroup2=engine.killer.cgroup2,
                uid=engine.uid,
                proc_root=engine.proc_root,
            )
        log.info("free memory now: %s", _json(result))
        return _json(result)

    @dbus_method()
    @map_errors
    async def Pause(self, seconds: DBusUInt32) -> None:
        engine = self._engine
        engine.paused_until = math.inf if seconds == 0 else engine.clock() + seconds
        log.info("paused %s", f"for {seconds} s" if seconds else "until resumed")
        self.publisher.publish()

    @dbus_method()
    @map_errors
    async def Resume(self) -> None:
        self._engine.paused_until = None
        log.info("resumed")
        self.publisher.publish()

    @dbus_method()
    @map_errors
    async def ReloadConfig(self) -> None:
        store = self._engine.store
        # One at a time: each read takes a thread, and a flood of calls must not make hundreds;
        # and not while a settings or rule change saves the file.
        async with self._engine.config_lock:
            if store is not None:
                await store.read_ahead()  # in a worker thread; reload_config applies what it read
            self._engine.reload_config()
        self.publisher.refresh_choice(force=self._engine.look.last_snapshot is not None)
        self.publisher.publish()
