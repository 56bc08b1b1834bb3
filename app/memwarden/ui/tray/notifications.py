# SPDX-License-Identifier: GPL-3.0-or-later
"""Desktop notifications with actions (``org.freedesktop.Notifications``, through dbus-fast), and
the tray icon's balloon messages as the fallback when no notification server is there.

Each notification has a *key* (``warning``, ``killed``, ``free-memory``, …): a new notification
with the same key replaces the one on screen instead of piling up, and :meth:`Notifier.withdraw`
takes it away (the warning, once memory is fine again). The action the person chooses comes back
to the callback given with the notification; clicking the notification itself is the ``default``
action. The fallback has no buttons: a click on the balloon is the ``default`` action.

The body names apps and files, which name themselves: it is escaped wherever it would be read as
markup: by a server with ``body-markup``, and in the fallback when Qt sends it on (a tray icon
exported as a StatusNotifierItem, see :meth:`Notifier.start`). The summary is plain text for
every server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from dbus_fast import Message, MessageType, Variant
from dbus_fast.aio import MessageBus
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QSystemTrayIcon

from memwarden.ui.qt_compat import emit
from memwarden.ui.tray import ui_events
from memwarden.ui.words.messages import Text
from memwarden.ui.words.plain_text import escape_markup

log = logging.getLogger(__name__)

NOTIFICATIONS = "org.freedesktop.Notifications"
NOTIFICATIONS_PATH = "/org/freedesktop/Notifications"
SNI_WATCHER = "org.kde.StatusNotifierWatcher"
APP_NAME = "MemWarden"
DESKTOP_ENTRY = "io.github.memwarden.MemWarden"
CALL_TIMEOUT_S = 5.0
#: How long a fallback balloon stays (the desktop may cap it).
BALLOON_MS = 15000

ActionCallback = Callable[[str], None]


@dataclass(slots=True)
class _Shown:
    key: str
    on_action: ActionCallback | None
    actions: dict[str, str] = field(default_factory=dict)


class Notifier(QObject):
    """Sends notifications; falls back to the tray icon's messages.

    Args:
        bus: The session bus (None: only the fallback).
        tray: The tray icon for the fallback (None: the message is only logged).
        icon: The notification icon: a theme name or an absolute file path.

    Signals:
        actionInvoked(str, str): the notification key and the action chosen.
    """

    actionInvoked = Signal(str, str)

    def __init__(
        self,
        bus: MessageBus | None,
        tray: QSystemTrayIcon | None = None,
        *,
        icon: str = DESKTOP_ENTRY,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._bus = bus
        self._tray = tray
        self._icon = icon
        self._server = False
        self._capabilities: list[str] = []
        self._by_id: dict[int, _Shown] = {}
        self._ids: dict[str, int] = {}
        self._balloon: _Shown | None = None
        self._tray_exported = False
        self._looking: asyncio.Event | None = None
        if tray is not None:
            tray.messageClicked.connect(self._balloon_clicked)

    @property
    def server(self) -> bool:
        """True when notifications go to a notification server (not the fallback)."""
        return self._server

    @property
    def capabilities(self) -> list[str]:
        """The server's capabilities (``actions``, ``body-markup``, …)."""
        return list(self._capabilities)

    async def start(self) -> bool:
        """Look for a notification server (running, or one the bus can start) and listen to it.
        Returns whether there is one.

        Call it right after the tray icon is made: it also notes how Qt shows the icon's
        messages. On an XEmbed tray Qt draws them in a balloon of its own, as plain text. When a
        StatusNotifierWatcher is on the session bus as the first tray icon is made, Qt exports
        the icon as a StatusNotifierItem instead, for the life of the process, and sends each
        message on, unescaped, to org.freedesktop.Notifications and into the item's tooltip;
        the fallback then escapes the body where it is read as markup.
        """
        self._looking = asyncio.Event()
        try:
            self._tray_exported = await self._tray_is_exported()
            return await self._start()
        finally:
            self._looking.set()

    async def _tray_is_exported(self) -> bool:
        if self._tray is None or self._bus is None or not self._bus.connected:
            return False
        try:
            return bool((await self._dbus("NameHasOwner", "s", [SNI_WATCHER])).body[0])
        except (RuntimeError, TimeoutError):
            return False

    async def _start(self) -> bool:
        bus = self._bus
        if bus is None or not bus.connected:
            return False
        try:
            owned = await self._dbus("NameHasOwner", "s", [NOTIFICATIONS])
            activatable = await self._dbus("ListActivatableNames")
            if not owned.body[0] and NOTIFICATIONS not in activatable.body[0]:
                log.info("no notification server: using the tray icon's messages")
                return False
            bus.add_message_handler(self._on_message)
            await self._dbus("AddMatch", "s", [
                f"type='signal',sender='{NOTIFICATIONS}',interface='{NOTIFICATIONS}',"
                f"path='{NOTIFICATIONS_PATH}'"
            ])  # fmt: skip
            reply = await self._call("GetCapabilities")
            self._capabilities = [str(c) for c in reply.body[0]]
        except (RuntimeError, TimeoutError) as exc:
            log.info("notification server not usable (%s): using the tray icon's messages", exc)
            return False
        self._server = True
        return True

    async def _dbus(self, member: str, signature: str = "", body: list[object] | None = None
                    ) -> Message:  # fmt: skip
        return await self._send(Message(
            destination="org.freedesktop.DBus", path="/org/freedesktop/DBus",
            interface="org.freedesktop.DBus", member=member, signature=signature,
            body=body or [],
        ))  # fmt: skip

    async def _call(self, member: str, signature: str = "", body: list[object] | None = None
                    ) -> Message:  # fmt: skip
        return await self._send(Message(
            destination=NOTIFICATIONS, path=NOTIFICATIONS_PATH, interface=NOTIFICATIONS,
            member=member, signature=signature, body=body or [],
        ))  # fmt: skip

    async def _send(self, msg: Message) -> Message:
        assert self._bus is not None
        reply = await asyncio.wait_for(self._bus.call(msg), CALL_TIMEOUT_S)
        if reply is None or reply.message_type is MessageType.ERROR:
            raise RuntimeError(f"{msg.member}: {reply.error_name if reply else 'no reply'}")
        return reply

    # -- sending ----------------------------------------------------------------------------------

    async def notify(
        self,
        key: str,
        text: Text,
        *,
        actions: Sequence[tuple[str, str]] = (),
        on_action: ActionCallback | None = None,
        critical: bool = False,
        persistent: bool = False,
    ) -> int:
        """Show a notification (replacing the one with the same key).

        Args:
            key: What it is about (one notification per key on screen).
            text: Summary and body.
            actions: (action key, label) pairs; ``default`` is a click on the notification.
            on_action: Called with the action key the person chose.
            critical: Urgency critical (the server keeps it up and may show it over fullscreen).
            persistent: Stays until the person or :meth:`withdraw` closes it.

        Returns:
            The server's notification id (0 for the fallback).
        """
        if self._looking is not None and not self._looking.is_set():
            # Still asking whether there is a server: the answer decides where this goes.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._looking.wait(), CALL_TIMEOUT_S * 3)
        ui_events.record("notification", key=key, summary=text.summary, body=text.body,
                         actions=[a for a, _ in actions], server=self._server)  # fmt: skip
        if self._server:
            try:
                return await self._notify_server(key, text, actions, on_action, critical,
                                                 persistent)  # fmt: skip
            except (RuntimeError, TimeoutError) as exc:
                log.warning("notification server failed (%s): using the tray icon", exc)
        markup = await self._fallback_reads_markup()
        self._notify_balloon(key, text, on_action, critical, markup=markup)
        return 0

    async def _notify_server(
        self,
        key: str,
        text: Text,
        actions: Sequence[tuple[str, str]],
        on_action: ActionCallback | None,
        critical: bool,
        persistent: bool,
    ) -> int:
        flat: list[str] = []
        if "actions" in self._capabilities:
            for action, label in actions:
                flat += [action, label]
        hints = {
            "urgency": Variant("y", 2 if critical else 1),
            "desktop-entry": Variant("s", DESKTOP_ENTRY),
        }
        replaces = self._ids.get(key, 0)
        body = text.body
        if "body-markup" in self._capabilities:
            body = escape_markup(body)
        reply = await self._call("Notify", "susssasa{sv}i", [
            APP_NAME, replaces, self._icon, text.summary, body, flat, hints,
            0 if persistent or critical else -1,
        ])  # fmt: skip
        nid = int(reply.body[0])
        if replaces and replaces != nid:
            self._by_id.pop(replaces, None)
        self._ids[key] = nid
        self._by_id[nid] = _Shown(key, on_action, dict(actions))
        ui_events.record("notification-shown", key=key, id=nid)
        return nid

    async def _fallback_reads_markup(self) -> bool:
        """Whether the tray icon's message will be read as markup: Qt sends it on over D-Bus
        (see :meth:`start`) to a server that reads markup, or, when there is none, only into the
        item's tooltip, whose text hosts read as markup too."""
        if not self._tray_exported:
            return False
        try:
            reply = await self._call("GetCapabilities")
        except (RuntimeError, TimeoutError):
            return True
        return "body-markup" in [str(c) for c in reply.body[0]]

    def _notify_balloon(
        self, key: str, text: Text, on_action: ActionCallback | None, critical: bool,
        *, markup: bool,
    ) -> None:  # fmt: skip
        if self._tray is None or not self._tray.isVisible():
            log.info("%s: %s", text.summary, text.body)
            return
        self._balloon = _Shown(key, on_action)
        icon = (QSystemTrayIcon.MessageIcon.Critical if critical
                else QSystemTrayIcon.MessageIcon.Warning)  # fmt: skip
        body = escape_markup(text.body) if markup else text.body
        self._tray.showMessage(text.summary, body, icon, BALLOON_MS)

    async def withdraw(self, key: str) -> None:
        """Close the notification with this key, if it is still up."""
        nid = self._ids.pop(key, None)
        if nid is None or not self._server:
            return
        self._by_id.pop(nid, None)
        with contextlib.suppress(RuntimeError, TimeoutError):
            await self._call("CloseNotification", "u", [nid])

    def shown_id(self, key: str) -> int | None:
        """The server id of the notification with this key, while it is up."""
        return self._ids.get(key)

    # -- receiving --------------------------------------------------------------------------------

    def _on_message(self, msg: Message) -> None:
        if (msg.message_type is not MessageType.SIGNAL or msg.interface != NOTIFICATIONS
                or msg.path != NOTIFICATIONS_PATH):  # fmt: skip
            return
        try:
            if msg.member == "ActionInvoked":
                nid, action = int(msg.body[0]), str(msg.body[1])
                shown = self._by_id.get(nid)
                if shown is not None:
                    self._invoke(shown, action)
            elif msg.member == "NotificationClosed":
                nid = int(msg.body[0])
                shown = self._by_id.pop(nid, None)
                if shown is not None and self._ids.get(shown.key) == nid:
                    del self._ids[shown.key]
        except (ValueError, TypeError, IndexError):
            log.warning("malformed %s from the notification server", msg.member)

    def _invoke(self, shown: _Shown, action: str) -> None:
        ui_events.record("notification-action", key=shown.key, action=action)
        emit(self.actionInvoked, shown.key, action)
        if shown.on_action is not None:
            try:
                shown.on_action(action)
            except Exception:
                log.exception("notification action %s failed", action)

    def _balloon_clicked(self) -> None:
        if self._balloon is not None:
            self._invoke(self._balloon, "default")
