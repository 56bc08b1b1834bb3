# SPDX-License-Identifier: GPL-3.0-or-later
"""The tray's context menu as Qt widgets: filled anew from the menu presenter
(:mod:`menu_presenter`) each time it opens, its items wired to the tray controller's choices.

The words are the tray controller's: they are translated in its context (``TrayController`` in
i18n/*.ts), so the menu and the notifications it sits beside stay one context for translators.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from PySide6.QtCore import QCoreApplication, SignalInstance
from PySide6.QtWidgets import QMenu

from memwarden.core.rule_codes import NORMAL, PREFER, PROTECT
from memwarden.ui.link.app_rules import monitor_rule
from memwarden.ui.qt_compat import emit
from memwarden.ui.tray import autostart, menu_presenter
from memwarden.ui.words import messages, pause_words
from memwarden.ui.words.plain_text import menu_text

_t = QCoreApplication.translate

PAUSE_HOUR_S = 3600


class TrayChoices(Protocol):
    """What the menu's items do (:class:`memwarden.ui.tray.controller.TrayController` does it).

    Signals: ``quitRequested(bool)``: Quit was chosen; True when guarding should stop too.
    """

    @property
    def quitRequested(self) -> SignalInstance: ...

    def start_monitor(self) -> None: ...

    def free_memory(self) -> object: ...

    def open_window(self) -> None: ...

    def pause(self, seconds: int) -> object: ...

    def resume(self) -> object: ...

    def set_autostart(self, enabled: bool) -> None: ...

    def set_rule(self, app: Mapping[str, Any], rule: str) -> object: ...

    def close_app(self, app: Mapping[str, Any]) -> object: ...


class PausedChoices(Protocol):
    """What an app the monitor paused offers besides Close
    (:class:`memwarden.ui.tray.paused_apps.PausedAppsTray` does it)."""

    def resume(self, app: Mapping[str, Any]) -> object: ...

    def protect_and_resume(self, app: Mapping[str, Any]) -> object: ...


def fill_menu(
    menu: QMenu,
    choices: TrayChoices,
    props: Mapping[str, Any],
    *,
    connected: bool,
    snapshot: Mapping[str, Any] | None,
    can_start: bool,
    paused_choices: PausedChoices,
    last_warning: Mapping[str, Any] | None = None,
) -> None:
    """Clear ``menu`` and fill it: the state, the apps the monitor paused, the biggest apps, the
    monitor's commands.

    Args:
        menu: The tray's menu.
        choices: What the items do.
        props: The monitor client's property cache (D-Bus names).
        connected: A monitor is on the bus (its properties are live).
        snapshot: The last snapshot (``memwarden.scan/1``); None while the first is fetched.
        can_start: The tray can start the monitor (it has a launcher).
        paused_choices: What the apps the monitor paused offer.
        last_warning: The monitor's last Warning (it says when only a tab would be closed).
    """
    menu.clear()
    header = menu.addAction(_header_text(props, connected))
    header.setEnabled(False)
    menu.addSeparator()
    if connected:
        paused = menu_presenter.paused_items(props)
        for paused_item in paused:
            _add_paused_menu(menu, paused_item, choices, paused_choices)
        if paused:
            menu.addSeparator()
        items = menu_presenter.app_items(snapshot, props, last_warning=last_warning)
        for item in items:
            _add_app_menu(menu, item, choices)
        if not items:
            none = menu.addAction(_t("TrayController", "Looking at your apps…") if snapshot is None
                                  else _t("TrayController", "No apps to list"))  # fmt: skip
            none.setEnabled(False)
    else:
        down = menu.addAction(_t("TrayController", "The monitor is not running"))
        down.setEnabled(False)
        if can_start:
            menu.addAction(_t("TrayController", "Start guarding"), choices.start_monitor)
    menu.addSeparator()
    free = menu.addAction(_t("TrayController", "Free memory now"), choices.free_memory)
    free.setEnabled(connected)
    menu.addAction(_t("TrayController", "Open MemWarden"), choices.open_window)
    if props.get("Paused") and connected:
        menu.addAction(_t("TrayController", "Resume guarding"), choices.resume)
    else:
        pause = menu.addMenu(_t("TrayController", "Pause guarding"))
        pause.setEnabled(connected)
        pause.addAction(_t("TrayController", "For 1 hour"), lambda: choices.pause(PAUSE_HOUR_S))
        pause.addAction(_t("TrayController", "Until restart"), lambda: choices.pause(0))
    login = menu.addAction(_t("TrayController", "Start at login"))
    login.setCheckable(True)
    login.setChecked(autostart.is_enabled())
    login.toggled.connect(choices.set_autostart)
    menu.addSeparator()
    menu.addAction(_t("TrayController", "Quit"), lambda: emit(choices.quitRequested, False))
    menu.addAction(_t("TrayController", "Quit and stop guarding"),
                   lambda: emit(choices.quitRequested, True))  # fmt: skip


def _header_text(props: Mapping[str, Any], connected: bool) -> str:
    if not connected:
        return messages.state_title("error")
    paused = pause_words.paused_entries(props)
    if paused:
        return pause_words.paused_header(paused)
    title = messages.state_title("paused" if props.get("Paused") and
                                 props.get("State") == "calm" else str(props.get("State")))
    return title


def _add_app_menu(menu: QMenu, item: menu_presenter.AppItem, choices: TrayChoices) -> None:
    # The title names the app: "Tom & Jerry" must not lose its "&" to a shortcut marker.
    sub = menu.addMenu(menu_text(item.title))
    detail = sub.addAction(menu_text(item.detail))
    detail.setEnabled(False)
    sub.addSeparator()
    protect = sub.addAction(_t("TrayController", "Protect"))
    protect.setCheckable(True)
    protect.setChecked(item.rule == PROTECT)
    protect.triggered.connect(lambda on: choices.set_rule(item.app, PROTECT if on else NORMAL))
    prefer = sub.addAction(_t("TrayController", "Sacrifice first"))
    prefer.setCheckable(True)
    prefer.setChecked(item.rule == PREFER)
    prefer.triggered.connect(lambda on: choices.set_rule(item.app, PREFER if on else NORMAL))
    close = sub.addAction(_t("TrayController", "Close"), lambda: choices.close_app(item.app))
    close.setEnabled(item.rule != PROTECT)


def _add_paused_menu(
    menu: QMenu, item: menu_presenter.PausedItem, choices: TrayChoices, paused: PausedChoices
) -> None:
    """An app the monitor paused: what it was using, and the same three choices as its
    notification and the prompt."""
    sub = menu.addMenu(menu_text(item.title))
    detail = sub.addAction(menu_text(item.detail))
    detail.setEnabled(False)
    sub.addSeparator()
    sub.addAction(_t("TrayController", "Resume"), lambda: paused.resume(item.app))
    sub.addAction(_t("TrayController", "Close"), lambda: choices.close_app(item.app))
    sub.addAction(_t("TrayController", "Protect and resume"),
                  lambda: paused.protect_and_resume(item.app))  # fmt: skip


def menu_entries(menu: QMenu) -> list[Any]:
    """The menu as data (for the UI event record): labels, and submenus as lists."""
    out: list[Any] = []
    for action in menu.actions():
        if action.isSeparator():
            continue
        sub = action.menu()
        if isinstance(sub, QMenu):
            out.append({_shown(action.text()): menu_entries(sub)})
        else:
            out.append(_shown(action.text()))
    return out


def _shown(text: str) -> str:
    """What an entry reads: ``&&`` is an ``&``, a single ``&`` only marks the shortcut."""
    return "&".join(part.replace("&", "") for part in text.split("&&"))


def menu_key(snapshot: Mapping[str, Any] | None) -> list[tuple[str, int, str]]:
    """What of a snapshot the menu shows (to rebuild only when it changed): the apps, their
    sizes and their rules."""
    apps = menu_presenter.own_apps(snapshot)[: menu_presenter.MENU_APPS]
    return [
        (str(a.get("id")), messages.real_size(a) >> 20, monitor_rule(a)) for a in apps
    ]
