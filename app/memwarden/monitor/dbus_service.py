# SPDX-License-Identifier: GPL-3.0-or-later
"""The monitor's D-Bus session API, ``io.github.memwarden.Monitor1`` (dbus-fast).

The tray (and any script) reads the guard's state as properties, gets the accounting snapshot,
hears warnings and kills as signals, and asks for protect / sacrifice first / close / free memory.
The API is documented in ``packaging/dbus/io.github.memwarden.Monitor1.xml``; a test compares that
file with what this module exports.

How state reaches clients: the engine's events (state changes, warnings, kills, config and
protection results) become signals at once. The properties are compared with the values last
announced after every event and call, and every second (every 5 s while calm);
``PropertiesChanged`` carries only those that changed *meaningfully* (``AvailableBytes`` by at
least 1 % of RAM + swap, ``EtaSeconds`` by 10 %, PSI by one point; the others on any change), so an
idle desktop is not woken every tick. ``Get`` always returns the engine's latest value.

``NextVictim``: once not calm the engine chooses on every tick. While calm it scans rarely (only
for rules, to keep its idle budget), so the choice is made here on each new snapshot: after
GetSnapshot, SetAppRule, ReloadConfig and the engine's own scans. It can be old while calm; a
client that shows it calls GetSnapshot first.

Errors: every method maps its failures to one of four named errors whose message is a reason code
(``dbus_constants.ERROR_*``); anything unexpected is logged here and answered with
``Failed("internal-error")``, never with a traceback.
"""

# No `from __future__ import annotations` here: dbus-fast reads these annotations at class
# creation, and a postponed `-> None` would reach it as the string "None", which it rejects.

import asyncio
import contextlib
import functools
import json
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypeVar

from dbus_fast import BusType, NameFlag, PropertyAccess, RequestNameReply
from dbus_fast import introspection as intr
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import (
    DBusBool,
    DBusDouble,
    DBusSignature,
    DBusStr,
    DBusUInt32,
    DBusUInt64,
)
from dbus_fast.errors import DBusError
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property, dbus_signal

from memwarden import __version__
from memwarden.core.policy import exclusion_reason
from memwarden.core.snapshot import AppRecord, Snapshot
from memwarden.core.watch_state import WatchState
from memwarden.monitor import dbus_constants as c
from memwarden.monitor.events import Event, app_summary
from memwarden.monitor.free_memory import free_memory_now, measure_available_bytes

if TYPE_CHECKING:
    from memwarden.monitor.engine import Engine

log = logging.getLogger(__name__)

StrDict = Annotated[dict[str, str], DBusSignature("a{ss}")]
BytesDict = Annotated[dict[str, int], DBusSignature("a{st}")]
StateAndReasons = Annotated[tuple[str, list[str]], DBusSignature("sas")]
WarningArgs = Annotated[tuple[str, float, str, str], DBusSignature("sdss")]
KilledArgs = Annotated[tuple[str, int, str], DBusSignature("sts")]

#: How often the properties are compared with what was last announced: once a second when not
#: calm; while calm every 5 s, since little changes then and the idle budget is small (about
#: 0.02 CPU-seconds a minute for the whole monitor).
PROPERTY_POLL_S = 1.0
CALM_PROPERTY_POLL_S = 5.0
#: ``AvailableBytes`` is announced when it moved by this share of RAM + swap.
AVAILABLE_STEP_FRACTION = 0.01
#: ``EtaSeconds`` is announced when it moved by this share (and at least a second).
ETA_STEP_FRACTION = 0.1
#: PSI averages are announced when they moved by this many percentage points.
PSI_STEP_PCT = 1.0
#: Longest accepted rule name (app ids, names and process names are far shorter).
MAX_NAME_LEN = 256

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
}


class ApiError(Exception):
    """A failure the caller should see as a named D-Bus error with a reason code."""

    dbus_name: ClassVar[str] = c.ERROR_FAILED

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InvalidArgument(ApiError):
    """An empty or malformed name, an unknown rule."""

    dbus_name = c.ERROR_INVALID_ARGUMENT


class NoSuchApp(ApiError):
    """No app has that id (or it exited before it could be closed)."""

    dbus_name = c.ERROR_NO_SUCH_APP


class Refused(ApiError):
    """The guard said no: ``protected``, ``session``, ``other-user``, ``init``, ``self``."""

    dbus_name = c.ERROR_REFUSED


class NameTaken(RuntimeError):
    """Another process (another monitor) owns the bus name on this session bus."""


_F = TypeVar("_F", bound=Callable[..., Awaitable[Any]])


def _mapped(fn: _F) -> _F:
    """Turn an ApiError into its named D-Bus error, and anything else into ``Failed``."""

    @functools.wraps(fn)
    async def wrapper(self: "MonitorInterface", *args: Any) -> Any:
        try:
            return await fn(self, *args)
        except ApiError as exc:
            log.info("D-Bus %s refused: %s %s", fn.__name__, exc.dbus_name, exc.reason)
            raise DBusError(exc.dbus_name, exc.reason) from None
        except DBusError:
            raise
        except Exception:
            log.exception("D-Bus %s failed", fn.__name__)
            raise DBusError(c.ERROR_FAILED, "internal-error") from None

    return wrapper  # type: ignore[return-value]


def _valid_name(name: str) -> str:
    """A rule name, stripped; raises InvalidArgument for an empty, long or control-laden one."""
    name = name.strip()
    if not name:
        raise InvalidArgument("empty-name")
    if len(name) > MAX_NAME_LEN:
        raise InvalidArgument("name-too-long")
    if not name.isprintable():
        raise InvalidArgument("bad-name")
    return name


def _find_app(snap: Snapshot, app_id: str, uid: int) -> AppRecord | None:
    """The app with this id; ids are unique per uid, so ours wins over another user's."""
    found = [app for app in snap.apps if app.id == app_id]
    found.sort(key=lambda app: app.identity.uid != uid)
    return found[0] if found else None


def _json(doc: Any) -> str:
    return json.dumps(doc, separators=(",", ":"))


class MonitorInterface(ServiceInterface):
    """The ``io.github.memwarden.Monitor1`` interface, on top of the engine.

    Args:
        engine: The running engine; the interface reads its state and calls its methods.
    """

    def __init__(self, engine: "Engine") -> None:
        super().__init__(c.INTERFACE)
        self._engine = engine
        self._published: dict[str, Any] = {}
        self._chosen_on: Snapshot | None = None
        self._free_lock = asyncio.Lock()
        self._send_failed = False
        self._readers: dict[str, Callable[[], Any]] = {
            "State": lambda: engine.machine.state.value,
            "AvailableBytes": self._available_bytes,
            "EtaSeconds": self._eta_seconds,
            "PressureSomeAvg10": lambda: self._pressure("some"),
            "PressureFullAvg10": lambda: self._pressure("full"),
            "NextVictim": self._next_victim,
            "Thresholds": self._thresholds,
            "Paused": self._paused,
            "HelperStatus": self._helper_status,
            "ConfigError": lambda: (engine.store.error or "") if engine.store else "",
            "ConfigPath": lambda: str(engine.store.path) if engine.store else "",
            "AppRules": self._app_rules,
            "Version": lambda: __version__,
            "SelfGuard": lambda: {str(k): str(v) for k, v in engine.self_guard.items()},
        }
        # What a property reads as when its reader fails (it never should): the right type.
        self._fallback: dict[str, Any] = {
            "State": "calm", "AvailableBytes": 0, "EtaSeconds": -1.0, "PressureSomeAvg10": 0.0,
            "PressureFullAvg10": 0.0, "NextVictim": "", "Thresholds": {}, "Paused": False,
            "HelperStatus": "unknown", "ConfigError": "", "ConfigPath": "", "AppRules": {},
            "Version": __version__, "SelfGuard": {},
        }  # fmt: skip

    # -- reading the engine -----------------------------------------------------------------------

    def _available_bytes(self) -> int:
        engine = self._engine
        if engine.last is not None:
            return engine.last.available_bytes
        return engine.available_bytes(engine.last_meminfo)

    def _eta_seconds(self) -> float:
        last = self._engine.last
        if last is None or last.eta_s is None or not math.isfinite(last.eta_s):
            return -1.0
        return round(max(0.0, last.eta_s), 1)

    def _pressure(self, which: str) -> float:
        pressure = self._engine.last_pressure
        if pressure is None:
            return 0.0
        line = pressure.some if which == "some" else pressure.full
        return float(line.avg10_pct) if line is not None else 0.0

    def _next_victim(self) -> str:
        choice = self._engine.last_choice
        return choice.victim.app.id if choice is not None and choice.victim is not None else ""

    def _thresholds(self) -> dict[str, int]:
        th = self._engine.thresholds
        return {
            "warn": th.warn_bytes,
            "close": th.close_bytes,
            "kill": th.kill_bytes,
            "hysteresis": th.hysteresis_bytes,
        }

    def _paused(self) -> bool:
        until = self._engine.paused_until
        return until is not None and self._engine.clock() < until

    def _helper_status(self) -> str:
        protector = self._engine.protector
        return protector.kernel_protection if protector is not None else "no-helper"

    def _app_rules(self) -> dict[str, str]:
        config = self._engine.config
        return {**{n: "prefer" for n in config.prefer}, **{n: "protect" for n in config.protect}}

    def _read(self, name: str) -> Any:
        try:
            return self._readers[name]()
        except Exception:
            log.exception("reading property %s", name)
            return self._published.get(name, self._fallback[name])

    def current(self) -> dict[str, Any]:
        """Every property's value now."""
        return {name: self._read(name) for name in self._readers}

    # -- announcing changes -----------------------------------------------------------------------

    def _significant(self, name: str, old: Any, new: Any) -> bool:
        if name == "AvailableBytes":
            meminfo = self._engine.last_meminfo
            total = (meminfo.mem_total_kib + meminfo.swap_total_kib) * 1024
            return bool(abs(new - old) >= max(1, int(total * AVAILABLE_STEP_FRACTION)))
        if name == "EtaSeconds":
            if (old < 0) != (new < 0):
                return True
            return bool(abs(new - old) >= max(1.0, abs(old) * ETA_STEP_FRACTION))
        if name in ("PressureSomeAvg10", "PressureFullAvg10"):
            return bool(abs(new - old) >= PSI_STEP_PCT or (old == 0) != (new == 0))
        return bool(old != new)

    def publish(self, *, announce: bool = True) -> dict[str, Any]:
        """Compare the properties with what was announced; announce what changed meaningfully.

        When ``State`` changes, the numbers go along whatever their change, so a client sees the
        state with the figures behind it. Returns what was announced.
        """
        now = self.current()
        changed = {
            name: value
            for name, value in now.items()
            if name not in self._published or self._significant(name, self._published[name], value)
        }
        if "State" in changed:
            for name in ("AvailableBytes", "EtaSeconds", "PressureSomeAvg10", "PressureFullAvg10"):
                changed[name] = now[name]
        if not changed:
            return {}
        self._published.update(changed)
        if announce:
            self._send(lambda: self.emit_properties_changed(changed))
        return changed

    def _send(self, emit: Callable[[], Any]) -> None:
        """Emit a signal; a dead connection is logged once, and never stops the guard."""
        try:
            emit()
            self._send_failed = False
        except Exception as exc:
            if not self._send_failed:
                log.warning("cannot send a D-Bus signal: %s", exc)
            self._send_failed = True

    def refresh_choice(self, *, force: bool = False) -> None:
        """Keep ``NextVictim`` current while calm, when the engine does not choose.

        The engine chooses on every tick once it is not calm; while calm it only rescans now and
        then (to apply rules) and a client may scan (GetSnapshot). Choose on each new snapshot, or
        now when the rules changed (``force``).
        """
        engine = self._engine
        snap = engine.last_snapshot
        if snap is None and force:
            snap = engine.scan()
        if snap is None or (snap is self._chosen_on and not force):
            return
        self._chosen_on = snap
        if force or engine.machine.state is WatchState.CALM:
            engine.choose(snap)

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
        elif event.kind == "killed" and data.get("signalled") and not data.get("dry_run"):
            # A dry run, or a close that signalled nothing, killed nothing: no Killed signal.
            self._send(
                lambda: self.Killed(
                    _json(data.get("app")), int(data.get("freed_bytes", 0)), str(data["reason"])
                )
            )
        self.publish()

    async def watch(self, stop: asyncio.Event) -> None:
        """Compare the properties now and then until ``stop`` (Served.close cancels it sooner)."""
        while not stop.is_set():
            calm = self._engine.machine.state is WatchState.CALM
            # A plain sleep: cheaper than waiting on ``stop`` with a timeout (no task each time).
            await asyncio.sleep(CALM_PROPERTY_POLL_S if calm else PROPERTY_POLL_S)
            try:
                self.refresh_choice()
                self.publish()
            except Exception:  # never let the API's bookkeeping end the API
                log.exception("publishing properties")

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
        return str(self._read("State"))

    @dbus_property(access=PropertyAccess.READ)
    def AvailableBytes(self) -> DBusUInt64:
        return int(self._read("AvailableBytes"))

    @dbus_property(access=PropertyAccess.READ)
    def EtaSeconds(self) -> DBusDouble:
        return float(self._read("EtaSeconds"))

    @dbus_property(access=PropertyAccess.READ)
    def PressureSomeAvg10(self) -> DBusDouble:
        return float(self._read("PressureSomeAvg10"))

    @dbus_property(access=PropertyAccess.READ)
    def PressureFullAvg10(self) -> DBusDouble:
        return float(self._read("PressureFullAvg10"))

    @dbus_property(access=PropertyAccess.READ)
    def NextVictim(self) -> DBusStr:
        return str(self._read("NextVictim"))

    @dbus_property(access=PropertyAccess.READ)
    def Thresholds(self) -> BytesDict:
        return dict(self._read("Thresholds"))

    @dbus_property(access=PropertyAccess.READ)
    def Paused(self) -> DBusBool:
        return bool(self._read("Paused"))

    @dbus_property(access=PropertyAccess.READ)
    def HelperStatus(self) -> DBusStr:
        return str(self._read("HelperStatus"))

    @dbus_property(access=PropertyAccess.READ)
    def ConfigError(self) -> DBusStr:
        return str(self._read("ConfigError"))

    @dbus_property(access=PropertyAccess.READ)
    def ConfigPath(self) -> DBusStr:
        return str(self._read("ConfigPath"))

    @dbus_property(access=PropertyAccess.READ)
    def AppRules(self) -> StrDict:
        return dict(self._read("AppRules"))

    @dbus_property(access=PropertyAccess.READ)
    def Version(self) -> DBusStr:
        return str(self._read("Version"))

    @dbus_property(access=PropertyAccess.READ)
    def SelfGuard(self) -> StrDict:
        return dict(self._read("SelfGuard"))

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
    def Killed(self, app_json: str, freed_bytes: int, reason: str) -> KilledArgs:
        return app_json, freed_bytes, reason

    # -- methods ----------------------------------------------------------------------------------

    @dbus_method()
    @_mapped
    async def GetSnapshot(self) -> DBusStr:
        doc = self._engine.snapshot_json()
        self.refresh_choice()
        self.publish()
        return _json(doc)

    @dbus_method()
    @_mapped
    async def SetAppRule(self, name: DBusStr, rule: DBusStr) -> None:
        name = _valid_name(name)
        if rule not in c.RULES:
            raise InvalidArgument("unknown-rule")
        self._engine.set_rule(name, rule)
        log.info("rule for %r: %s", name, rule)
        self.refresh_choice(force=True)
        self.publish()

    @dbus_method()
    @_mapped
    async def CloseApp(self, app_id: DBusStr) -> DBusStr:
        engine = self._engine
        if not app_id.strip():
            raise InvalidArgument("empty-app-id")
        snap = engine.scan()
        app = _find_app(snap, app_id, engine.uid)
        if app is None:
            raise NoSuchApp("no-such-app")
        procs = [snap.processes[p].identity for p in app.pids if p in snap.processes]
        rule = engine.config.rules().rule_for(app.identity, procs)
        why_not = exclusion_reason(app, rule, uid=engine.uid, own_pids=engine.own_pids)
        if why_not is not None:
            raise Refused(why_not)
        summary = app_summary(app)
        # The engine's measure plus the free pages in per-CPU lists: without them a close that
        # freed 256 MiB can read as 0 (core/zoneinfo.py).
        before = measure_available_bytes(engine.proc_root, with_swap=True)
        engine.emit(
            "kill", app=summary, reason=c.REASON_USER_REQUEST, victim_reason=c.REASON_USER_REQUEST,
            graceful=True, dry_run=engine.dry_run, available=before,
        )  # fmt: skip
        # The killer asks the engine's guard again for every pid it opens.
        outcome = await engine.close_app(app, graceful=True)
        after = measure_available_bytes(engine.proc_root, with_swap=True)
        result = {
            "app": summary,
            "dry_run": outcome.dry_run,
            "method": outcome.method,
            "signalled": outcome.signalled,
            "exited": sorted(outcome.exited),
            "escalated": outcome.escalated,
            "skipped": {str(k): v for k, v in outcome.skipped.items()},
            "available_before": before,
            "available_after": after,
            "freed_bytes": max(0, after - before),
        }
        engine.emit("killed", reason=c.REASON_USER_REQUEST, **result)
        if not outcome.signalled and not outcome.dry_run:
            refusals = sorted(set(outcome.skipped.values()) - {"gone", "reused"})
            if refusals:
                raise Refused(refusals[0])
            raise NoSuchApp("gone")
        self.publish()
        return _json(result)

    @dbus_method()
    @_mapped
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
    @_mapped
    async def Pause(self, seconds: DBusUInt32) -> None:
        engine = self._engine
        engine.paused_until = math.inf if seconds == 0 else engine.clock() + seconds
        log.info("paused %s", f"for {seconds} s" if seconds else "until resumed")
        self.publish()

    @dbus_method()
    @_mapped
    async def Resume(self) -> None:
        self._engine.paused_until = None
        log.info("resumed")
        self.publish()

    @dbus_method()
    @_mapped
    async def ReloadConfig(self) -> None:
        self._engine.reload_config()
        self.refresh_choice(force=self._engine.last_snapshot is not None)
        self.publish()


@dataclass
class Served:
    """The exported API; :meth:`close` takes it off the bus.

    Attributes:
        bus: The session bus connection.
        interface: The exported interface.
    """

    bus: MessageBus
    interface: MonitorInterface
    engine: "Engine"
    _tasks: list["asyncio.Future[Any]"] = field(default_factory=list)
    _closing: bool = False

    async def close(self) -> None:
        """Stop announcing, give the name back and disconnect (idempotent)."""
        if self._closing:
            return
        self._closing = True
        with contextlib.suppress(ValueError):
            self.engine.listeners.remove(self.interface.on_event)
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


async def serve(engine: "Engine", *, stop: asyncio.Event, bus_address: str | None = None) -> Served:
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
    interface.publish(announce=False)  # the baseline later changes are compared with
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
    served._tasks.append(asyncio.ensure_future(interface.watch(stop)))

    async def stop_with_the_bus() -> None:
        with contextlib.suppress(Exception):
            await bus.wait_for_disconnect()  # type: ignore[no-untyped-call]
        if not served._closing:
            log.warning("the session bus went away: stopping")
            stop.set()

    served._tasks.append(asyncio.ensure_future(stop_with_the_bus()))
    return served
