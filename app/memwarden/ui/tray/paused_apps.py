# SPDX-License-Identifier: GPL-3.0-or-later
"""The apps the monitor paused instead of closing them: their notifications and the person's three
choices (Resume, Close, Protect and resume).

The monitor pauses the app it would close when that app is growing at the close level, and asks
(docs/peers.md §2.14, macOS's "Your system has run out of application memory"). Such an app must
never be left paused behind the person's back: while the monitor lists it in ``PausedApps``, a
critical notification that does not expire names it, with the three choices. The notifications
follow the property (:meth:`PausedAppsTray.sync`), not the ``AppPaused`` signal alone, so that a
tray that starts, or a monitor that restarts, while an app is paused shows it too; the client
applies ``AppPaused``/``AppResumed`` to the property as they come.

A notification the server closes when an action is chosen is shown again when the call fails
and the app is still paused. The icon, the tooltip, the menu and the prompt show paused apps from
the same property (:mod:`menu_presenter`, :mod:`prompt_presenter`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject

from memwarden.core.rule_codes import PROTECT
from memwarden.ui.link.app_rules import rule_changes
from memwarden.ui.link.monitor_calls import MonitorError
from memwarden.ui.link.monitor_client import MonitorClient
from memwarden.ui.link.slot_tasks import run_logged
from memwarden.ui.tray import ui_events
from memwarden.ui.tray.notifications import Notifier
from memwarden.ui.words import messages, pause_words

log = logging.getLogger(__name__)

#: How many apps that stopped being paused are remembered, to name them when AppResumed says why.
_REMEMBERED = 16

#: The action keys of a paused app's notification (``default``: a click on it opens the prompt).
RESUME, CLOSE, PROTECT_RESUME = "resume", "close", "protect-resume"


def notification_key(app_id: str) -> str:
    """The notification of one paused app (one per app: each has its own choices)."""
    return f"paused:{app_id}"


class PausedAppsTray(QObject):
    """Keeps a critical notification up for every paused app and does the person's choices.

    Args:
        client: The monitor client.
        notifier: Where notifications go.
        close_app: Closes an app gracefully (the tray's Close, with its own error handling).
        show_prompt: Shows the prompt with this app selected.
        error: Makes the handler of a failed call about an app: it shows what failed (a
            sentence) and why, and the app's notification again while it is still paused.
        rules_changed: Called after a rule was saved (the tray fetches a snapshot that has it).
        parent: The QObject parent.
    """

    def __init__(
        self,
        client: MonitorClient,
        notifier: Notifier,
        *,
        close_app: Callable[[Mapping[str, Any]], object],
        show_prompt: Callable[[str], object],
        error: Callable[[str, Mapping[str, Any]], Callable[[MonitorError], None]],
        rules_changed: Callable[[], object],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.notifier = notifier
        self._close_app = close_app
        self._show_prompt = show_prompt
        self._error = error
        self._rules_changed = rules_changed
        # App id -> its entry, for each paused app whose notification was shown (and maybe
        # withdrawn since, by a Killed that came before AppResumed: not shown again).
        self._handled: dict[str, Mapping[str, Any]] = {}
        self._left: dict[str, Mapping[str, Any]] = {}

    # -- on screen --------------------------------------------------------------------------------

    def sync(self) -> list[str]:
        """Bring the notifications in step with ``PausedApps``: one for each app paused since,
        none for the apps no longer paused. Returns the ids of the newly paused apps."""
        entries = {pause_words.paused_id(e): e for e in pause_words.paused_entries(
            self.client.properties)}  # fmt: skip
        new = [app_id for app_id in entries if app_id not in self._handled]
        ended = [app_id for app_id in self._handled if app_id not in entries]
        for app_id in ended:
            self._left[app_id] = self._handled.pop(app_id)
            run_logged(self.notifier.withdraw(notification_key(app_id)))
        while len(self._left) > _REMEMBERED:
            self._left.pop(next(iter(self._left)))
        for app_id in new:
            self._handled[app_id] = entries[app_id]
            self._left.pop(app_id, None)
            self.show(entries[app_id])
        if new or ended:
            ui_events.record("paused-apps", apps=list(entries),
                             tooltip=[pause_words.paused_line(e) for e in entries.values()])
        return new

    def show(self, entry: Mapping[str, Any]) -> None:
        """The critical notification of a paused app, with its three choices; it stays until
        the app runs again."""
        app = dict(pause_words.paused_app(entry))
        text = pause_words.paused_text(entry)
        actions = [
            ("default", self.tr("Show apps")),
            (RESUME, self.tr("Resume")),
            (CLOSE, self.tr("Close")),
            (PROTECT_RESUME, self.tr("Protect and resume")),
        ]

        def on_action(action: str) -> None:
            if action == RESUME:
                self.resume(app)
            elif action == CLOSE:
                self._close_app(app)
            elif action == PROTECT_RESUME:
                self.protect_and_resume(app)
            elif action == "default":
                self._show_prompt(str(app.get("id", "")))

        run_logged(self.notifier.notify(
            notification_key(str(app.get("id", ""))), text, actions=actions,
            on_action=on_action, critical=True, persistent=True,
        ))  # fmt: skip

    def show_again(self, app_id: str) -> None:
        """Show an app's notification again if it is still paused (a choice whose call failed:
        the server may have closed the notification when the action was chosen)."""
        for entry in pause_words.paused_entries(self.client.properties):
            if pause_words.paused_id(entry) == app_id:
                self.show(entry)

    def withdraw(self, app_id: str) -> None:
        """Take an app's notification away now (it was killed: the after-kill message says so);
        it is not shown again while the monitor still lists it."""
        if app_id in self._handled:
            run_logged(self.notifier.withdraw(notification_key(app_id)))

    async def withdraw_all(self) -> None:
        """Take every paused app's notification away (the tray quits: the monitor resumes the
        apps it paused once no tray shows them, and choices nobody would hear must not stay)."""
        for app_id in list(self._handled):
            await self.notifier.withdraw(notification_key(app_id))

    def resumed(self, app_id: str, reason: str) -> None:
        """A paused app runs again (``AppResumed``): say why, where nothing else does. (Its
        notification went when the client dropped it from ``PausedApps``, before this signal.)"""
        entry = self._left.get(app_id) or self._handled.get(app_id) or {}
        app = pause_words.paused_app(entry) if entry else {"id": app_id}
        ui_events.record("app-resumed", app=app_id, reason=reason)
        text = pause_words.resumed_text(app, reason)
        if text is not None:
            run_logged(self.notifier.notify(f"resumed:{app_id}", text))

    # -- the person's choices ---------------------------------------------------------------------

    def resume(self, app: Mapping[str, Any]) -> asyncio.Task[Any]:
        """Let a paused app run again (ResumeApp)."""
        app_id = str(app.get("id", ""))
        what = self.tr("Could not resume %1").replace("%1", messages.app_name(app))

        async def run() -> None:
            await self.client.resume_app(app_id)
            ui_events.record("resume-app", app=app_id)

        return run_logged(run(), self._error(what, app))

    def protect_and_resume(self, app: Mapping[str, Any]) -> asyncio.Task[Any]:
        """Protect a paused app (its rule saved as the tray's Protect saves it), then let it run
        again. When protecting fails it stays paused: the person chooses again."""
        app_id = str(app.get("id", ""))
        what = self.tr("Could not protect and resume %1").replace("%1", messages.app_name(app))

        async def run() -> None:
            for name, change in rule_changes(app, PROTECT):
                await self.client.set_rule(name, change)
                ui_events.record("rule", app=app_id, name=name, rule=change)
            await self.client.resume_app(app_id)
            ui_events.record("resume-app", app=app_id, protected=True)
            self._rules_changed()

        return run_logged(run(), self._error(what, app))
