# SPDX-License-Identifier: GPL-3.0-or-later
"""The tray's client of the monitor's session API (``io.github.memwarden.Monitor1``).

A :class:`MonitorClient` is a QObject: it turns the monitor's D-Bus signals and property changes
into Qt signals, keeps every property in a cache, and offers the monitor's methods as coroutines
(run them in the qasync loop: ``asyncio.ensure_future(client.set_rule(...))`` from a slot).

It follows the monitor across restarts: it watches the bus name's owner (``NameOwnerChanged``),
re-reads every property when a monitor appears and says so with ``connectionChanged(True)``; when
the monitor goes away it says ``connectionChanged(False)`` and keeps the last values (``connected``
tells whether they are live). Calls go to the well-known name, so where the monitor is
D-Bus-activatable a call starts it.

The API, stable for the tray and the main window:

Signals:
    stateChanged(str): ``calm``, ``warning`` or ``critical``; only when it really changed.
    propertiesChanged(dict): the changed properties by their D-Bus names (``AvailableBytes``,
        ``NextVictim``, ``AppRules``, …) with plain Python values; after a (re)connection every
        property.
    warning(dict, float, str, str): the app that would be closed (the monitor's ``app_json`` as
        a dict; ``{}`` when no app could be), the forecast seconds until then (-1: memory is not
        falling), the state reason code and the victim reason code. Slots taking only the first
        three arguments work too (PySide passes what a slot accepts).
    killed(dict, object, str): the app closed, the measured bytes freed (an ``int``; declared
        ``object`` because a Qt ``int`` is 32-bit), and the reason code (``user-request`` for
        :meth:`close_app`). Its app has ``"paused": true`` when it had been paused.
    appPaused(dict): the monitor paused an app instead of closing it: one entry of
        ``PausedApps`` (``app``, ``since``, ``bytes``, ``growth_bytes_per_s``, ``method``,
        ``reclaim``).
    appResumed(str, str): a paused app runs again: its id and why (a code of
        :data:`memwarden.core.reason_codes.RESUME_REASONS`).
    connectionChanged(bool): the monitor appeared (properties read) or went away.

Properties that the monitor sends as JSON text (``PausedApps``) are kept decoded: the cache holds
the list, never the text. ``PausedApps`` follows ``AppPaused`` and ``AppResumed`` at once, before
their Qt signals: the monitor's own PropertiesChanged then agrees (one sender's messages arrive in
order), and a monitor that resumes its apps as it stops leaves no paused app in the cache even if
it is gone before announcing the property.

Everything a method raises is a :class:`~memwarden.ui.link.monitor_calls.MonitorError` with a reason
code; the D-Bus calls themselves, their timeouts and error mapping are in :mod:`monitor_calls`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from dbus_fast import BusType, Message, MessageType, Variant
from dbus_fast.aio import MessageBus
from PySide6.QtCore import QObject, Signal

from memwarden.core import reason_codes as codes
from memwarden.monitor import dbus_constants as c
from memwarden.ui.link.monitor_calls import (
    DBUS_NAME,
    PROPERTIES_IFACE,
    SLOW_CALL_TIMEOUT_S,
    MonitorError,
    bus_call,
    json_call,
    monitor_call,
    name_owner,
)
from memwarden.ui.qt_compat import emit

log = logging.getLogger(__name__)


def unwrap(value: Any) -> Any:
    """A D-Bus value as plain Python (Variants opened, recursively)."""
    if isinstance(value, Variant):
        return unwrap(value.value)
    if isinstance(value, dict):
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


def _app_from_json(text: str) -> dict[str, Any]:
    try:
        doc = json.loads(text)
    except ValueError:
        log.warning("monitor sent an app that is not JSON: %.80r", text)
        return {}
    return doc if isinstance(doc, dict) else {}


def _entries_from_json(text: str) -> list[dict[str, Any]]:
    """A JSON array of objects (``PausedApps``); what is not an object is left out."""
    try:
        doc = json.loads(text)
    except ValueError:
        log.warning("monitor sent a list that is not JSON: %.80r", text)
        return []
    if not isinstance(doc, list):
        return []
    return [entry for entry in doc if isinstance(entry, dict)]


#: Properties the monitor sends as JSON text, and how each is decoded for the cache.
_JSON_PROPERTIES = {"PausedApps": _entries_from_json}


def _decoded(values: dict[str, Any]) -> dict[str, Any]:
    """Properties as the cache keeps them: JSON text decoded."""
    return {
        key: _JSON_PROPERTIES[key](str(value)) if key in _JSON_PROPERTIES else value
        for key, value in values.items()
    }


def _number_variant(value: float) -> Variant:
    """A setting's value on the bus: ``b`` for a switch's bool, ``d`` for a number, ``x`` for a
    whole one (the monitor takes any integer type; a signed one lets a negative value reach it,
    to be refused by name)."""
    if isinstance(value, bool):
        return Variant("b", value)  # a switch's; for a number the monitor refuses it: wrong-type
    return Variant("x", value) if isinstance(value, int) else Variant("d", float(value))


class MonitorClient(QObject):
    """The monitor, as the UI sees it (see the module doc for the signals).

    Args:
        bus: A connected session bus to share (the tray shares one connection between the
            client, the notifications and its own name). None: :meth:`start` connects one.
        parent: The QObject parent.
    """

    stateChanged = Signal(str)
    propertiesChanged = Signal(dict)
    warning = Signal(dict, float, str, str)
    killed = Signal(dict, object, str)
    appPaused = Signal(dict)
    appResumed = Signal(str, str)
    connectionChanged = Signal(bool)

    def __init__(self, bus: MessageBus | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bus = bus
        self._own_bus = bus is None
        self._owner = ""
        self._connected = False
        self._properties: dict[str, Any] = {}
        self._state_reasons: list[str] = []
        self._last_warning: dict[str, Any] | None = None
        self._refresh: asyncio.Task[None] | None = None
        self._started = False

    # -- state ------------------------------------------------------------------------------------

    @property
    def bus(self) -> MessageBus | None:
        """The session bus connection (None before :meth:`start`)."""
        return self._bus

    @property
    def connected(self) -> bool:
        """True while a monitor owns the name and its properties have been read."""
        return self._connected

    @property
    def properties(self) -> dict[str, Any]:
        """Every property last read or announced, by D-Bus name (kept while disconnected)."""
        return self._properties

    @property
    def state(self) -> str:
        """``calm``, ``warning``, ``critical``; ``""`` before the first read."""
        return str(self._properties.get("State", ""))

    @property
    def state_reasons(self) -> list[str]:
        """The reason codes of the last StateChanged signal (empty when calm)."""
        return list(self._state_reasons)

    @property
    def last_warning(self) -> dict[str, Any] | None:
        """The last Warning: ``{"app", "eta_seconds", "reason", "victim_reason"}``, or None."""
        return self._last_warning

    @property
    def owner(self) -> str:
        """The monitor's unique bus name (``""`` when none)."""
        return self._owner

    # -- connection -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect (if needed), subscribe to the monitor's signals and read its properties if it
        is running. Idempotent. Raises MonitorError("disconnected") without a session bus."""
        if self._started:
            return
        if self._bus is None:
            try:
                self._bus = await MessageBus(bus_type=BusType.SESSION).connect()
            except Exception as exc:
                raise MonitorError(codes.DISCONNECTED) from exc
        self._started = True
        bus = self._bus
        bus.add_message_handler(self._on_message)
        for rule in (
            f"type='signal',sender='{DBUS_NAME}',interface='{DBUS_NAME}',"
            f"member='NameOwnerChanged',arg0='{c.BUS_NAME}'",
            f"type='signal',sender='{c.BUS_NAME}',path='{c.OBJECT_PATH}'",
        ):
            await bus_call(bus, "AddMatch", "s", [rule])
        owner = await name_owner(bus)
        if owner is not None and self._set_owner(owner):
            await self._read_all(self._owner)

    async def close(self) -> None:
        """Stop listening; disconnect the bus if this client connected it."""
        if self._refresh is not None:
            self._refresh.cancel()
        if self._bus is not None:
            with contextlib.suppress(Exception):
                self._bus.remove_message_handler(self._on_message)
            if self._own_bus:
                self._bus.disconnect()
        self._started = False

    async def refresh(self) -> dict[str, Any]:
        """Read every property now (GetAll); announces the ones that changed."""
        reply = await monitor_call(self._bus, PROPERTIES_IFACE, "GetAll", "s", [c.INTERFACE])
        values: dict[str, Any] = _decoded(unwrap(reply.body[0]))
        changed = {k: v for k, v in values.items() if self._properties.get(k, object()) != v}
        self._apply(changed)
        return values

    def _set_owner(self, new_owner: str) -> bool:
        """Note the monitor's unique name at once (its signals are recognised by it from now
        on); returns whether it changed. A monitor that went away says connectionChanged(False)."""
        if new_owner == self._owner:
            return False
        self._owner = new_owner
        if self._connected:
            self._connected = False
            emit(self.connectionChanged, False)
        if not new_owner:
            log.info("the monitor left the bus")
        return True

    async def _read_all(self, owner: str) -> None:
        """Read every property of a monitor that appeared, then say it is connected."""
        if not owner:
            return
        log.info("monitor on the bus as %s", owner)
        try:
            reply = await monitor_call(self._bus, PROPERTIES_IFACE, "GetAll", "s", [c.INTERFACE])
        except MonitorError as exc:
            log.warning("cannot read the monitor's properties: %s", exc)
            return
        if self._owner != owner:  # it went away while we read
            return
        values: dict[str, Any] = _decoded(unwrap(reply.body[0]))
        old_state = self.state
        self._properties.update(values)
        self._connected = True
        emit(self.connectionChanged, True)
        emit(self.propertiesChanged, dict(values))
        if self.state != old_state:
            emit(self.stateChanged, self.state)

    def _apply(self, changed: dict[str, Any]) -> None:
        if not changed:
            return
        old_state = self.state
        self._properties.update(changed)
        emit(self.propertiesChanged, dict(changed))
        if self.state != old_state:
            emit(self.stateChanged, self.state)

    # -- incoming ---------------------------------------------------------------------------------

    def _on_message(self, msg: Message) -> None:
        """Every message of the connection passes here; ours are signals (never claimed)."""
        if msg.message_type is not MessageType.SIGNAL:
            return
        try:
            if msg.interface == DBUS_NAME and msg.member == "NameOwnerChanged":
                name, _old, new = msg.body
                if name == c.BUS_NAME and msg.sender == DBUS_NAME and self._set_owner(str(new)):
                    # A newer owner change wins over a read still running for an older one.
                    if self._refresh is not None:
                        self._refresh.cancel()
                    self._refresh = asyncio.ensure_future(self._read_all(str(new)))
                return
            if msg.path != c.OBJECT_PATH or not self._owner or msg.sender != self._owner:
                return
            if msg.interface == PROPERTIES_IFACE and msg.member == "PropertiesChanged":
                iface, changed, _invalidated = msg.body
                if iface == c.INTERFACE:
                    values = _decoded(unwrap(changed))
                    # Applied from AppPaused/AppResumed already: the same list is no change.
                    if values.get("PausedApps", ()) == self._properties.get("PausedApps"):
                        del values["PausedApps"]
                    self._apply(values)
            elif msg.interface == c.INTERFACE:
                self._on_monitor_signal(msg.member or "", list(msg.body))
        except (ValueError, TypeError, IndexError):
            log.warning("malformed %s.%s from %s", msg.interface, msg.member, msg.sender)

    def _on_monitor_signal(self, member: str, body: list[Any]) -> None:
        if member == "StateChanged":
            state, reasons = str(body[0]), [str(r) for r in body[1]]
            self._state_reasons = reasons
            self._apply({"State": state} if state != self.state else {})
        elif member == "Warning":
            app = _app_from_json(str(body[0]))
            eta, reason = float(body[1]), str(body[2])
            why = str(body[3]) if len(body) > 3 else ""
            self._last_warning = {
                "app": app, "eta_seconds": eta, "reason": reason, "victim_reason": why,
            }  # fmt: skip
            emit(self.warning, app, eta, reason, why)
        elif member == "Killed":
            emit(self.killed, _app_from_json(str(body[0])), int(body[1]), str(body[2]))
        elif member == "AppPaused":
            entry = _app_from_json(str(body[0]))
            paused = entry.get("app")
            if not isinstance(paused, dict) or not paused.get("id"):
                log.warning("AppPaused without an app: %.80r", body[0])
                return
            if entry not in (self._properties.get("PausedApps") or ()):
                self._apply({"PausedApps": [*self._paused_except(str(paused["id"])), entry]})
            emit(self.appPaused, entry)
        elif member == "AppResumed":
            app_id, reason = str(body[0]), str(body[1])
            kept = self._paused_except(app_id)
            if len(kept) != len(self._properties.get("PausedApps") or ()):
                self._apply({"PausedApps": kept})
            emit(self.appResumed, app_id, reason)

    def _paused_except(self, app_id: str) -> list[dict[str, Any]]:
        """The cached ``PausedApps`` without this app's entry."""
        return [e for e in self._properties.get("PausedApps") or ()
                if (e.get("app") or {}).get("id") != app_id]  # fmt: skip

    # -- calls ------------------------------------------------------------------------------------

    async def get_snapshot(self) -> dict[str, Any]:
        """A fresh accounting snapshot (schema ``memwarden.scan/1``, docs/scan-json.md): the
        system figures and every app, biggest first."""
        return await json_call(self._bus, "GetSnapshot", timeout_s=SLOW_CALL_TIMEOUT_S)

    async def set_rule(self, name: str, rule: str) -> None:
        """``protect``, ``prefer`` (sacrifice first) or ``normal`` for an app id, app name or
        process name (see :func:`memwarden.ui.link.app_rules.rule_name`); saved by the monitor."""
        await monitor_call(self._bus, c.INTERFACE, "SetAppRule", "ss", [name, rule])

    async def set_settings(self, changes: dict[str, float], reset: list[str]) -> None:
        """Change settings: key -> new value (the keys of the ``Settings`` property), and the keys
        in ``reset`` back to their default. The monitor checks the whole, saves it and puts it in
        force at once; a refusal is a MonitorError whose ``detail`` names the setting."""
        body = {key: _number_variant(value) for key, value in changes.items()}
        await monitor_call(self._bus, c.INTERFACE, "SetSettings", "a{sv}as", [body, list(reset)])

    async def close_app(self, app_id: str) -> dict[str, Any]:
        """Close an app gracefully (SIGTERM, then SIGKILL after the grace period).

        Returns the monitor's result: ``signalled``, ``exited``, ``available_before``/``_after``,
        ``freed_bytes`` (measured). Raises MonitorError ``protected``, ``session``, ``no-such-app``…
        """
        return await json_call(self._bus, "CloseApp", "s", [app_id], SLOW_CALL_TIMEOUT_S)

    async def resume_app(self, app_id: str) -> None:
        """Let an app the monitor paused run again (``ResumeApp``). Raises MonitorError
        ``not-paused`` when it is not paused (any more), ``empty-app-id``."""
        await monitor_call(self._bus, c.INTERFACE, "ResumeApp", "s", [app_id])

    async def free_memory_now(self) -> dict[str, Any]:
        """Trim background apps and drop caches, measured: ``steps``, ``available_before``,
        ``available_after``, ``freed_bytes``, ``swapped_out_bytes``."""
        return await json_call(self._bus, "FreeMemoryNow", timeout_s=SLOW_CALL_TIMEOUT_S)

    async def pause(self, seconds: int) -> None:
        """Pause guarding: close nothing by itself for ``seconds`` (0: until resumed or the
        monitor restarts). Not to be confused with an app the monitor paused
        (:meth:`resume_app`)."""
        await monitor_call(self._bus, c.INTERFACE, "Pause", "u", [max(0, int(seconds))])

    async def resume(self) -> None:
        """End a pause of guarding."""
        await monitor_call(self._bus, c.INTERFACE, "Resume")

    async def reload_config(self) -> None:
        """Make the monitor read its config file again."""
        await monitor_call(self._bus, c.INTERFACE, "ReloadConfig")
