# SPDX-License-Identifier: GPL-3.0-or-later
"""The tray's presenter: which icon, what the tooltip says, what the menu lists. No widgets.

Inputs are the monitor client's property cache (D-Bus names), whether the monitor is there, and
the last snapshot (``memwarden.scan/1``); outputs are plain data that the tray's controller
(:mod:`memwarden.ui.tray.controller`) puts on screen.

An app the monitor paused (``PausedApps``) is always on screen while it is paused: the icon is
urgent, the tooltip names it, the menu lists it first with its choices.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale

from memwarden.ui.link.app_rules import monitor_rule, rule_name
from memwarden.ui.words import messages, pause_words
from memwarden.ui.words.formatting import human_size, percent, time_left

_t = QCoreApplication.translate

#: Apps listed in the menu.
MENU_APPS = 5
ICON_STATES = ("calm", "warning", "critical", "paused", "error")


@dataclass(frozen=True, slots=True)
class AppItem:
    """One app in the menu (or the prompt).

    Attributes:
        app: The snapshot's entry for it (``id``, ``name``, ``kind``, ``pids``, ``bytes``, …).
        title: Its name and real size (``Firefox — 2.1 GiB``), marked when it is next.
        detail: Its size with what the kernel does not count (GPU, shared memory).
        rule: ``protect``, ``prefer`` or ``normal``: the monitor's, from the snapshot.
        rule_name: The name its rule is saved under.
        next_victim: It would be closed next.
    """

    app: Mapping[str, Any]
    title: str
    detail: str
    rule: str
    rule_name: str
    next_victim: bool

    @property
    def app_id(self) -> str:
        """The app's id (for CloseApp)."""
        return str(self.app.get("id", ""))


@dataclass(frozen=True, slots=True)
class PausedItem:
    """An app the monitor paused, in the menu.

    Attributes:
        app: The entry's app (``id``, ``name``, ``kind``, ``pids``, ``bytes``, ``rule_target``).
        title: Its name and size, marked paused (``Firefox — 2.1 GiB (paused)``).
        detail: What it was using and how fast it grew.
    """

    app: Mapping[str, Any]
    title: str
    detail: str

    @property
    def app_id(self) -> str:
        """The app's id (for ResumeApp, CloseApp)."""
        return str(self.app.get("id", ""))


def icon_state(props: Mapping[str, Any], connected: bool, launcher_status: str = "") -> str:
    """The tray icon: ``error`` (no monitor, or no helper), ``critical``, ``warning``,
    ``paused`` or ``calm``, in this order of precedence: an urgent state shows even while paused
    or without the helper (the tooltip says the rest). An app the monitor paused is critical
    whatever the memory does since: it waits for the person."""
    if not connected or launcher_status == "failed":
        return "error"
    if pause_words.paused_entries(props):
        return "critical"
    state = str(props.get("State", "calm"))
    if state in ("critical", "warning"):
        return state
    if props.get("Paused"):
        return "paused"
    if messages.helper_missing(str(props.get("HelperStatus", ""))):
        return "error"
    return "calm"


def own_apps(snapshot: Mapping[str, Any] | None, uid: int | None = None) -> list[Mapping[str, Any]]:
    """The person's apps that could be closed (not the desktop session), biggest first."""
    if not snapshot:
        return []
    uid = os.getuid() if uid is None else uid
    apps = [
        a for a in snapshot.get("apps") or ()
        if a.get("uid", uid) == uid and a.get("kind") != "session"
    ]  # fmt: skip
    return sorted(apps, key=lambda a: -messages.real_size(a))


def next_tab(
    props: Mapping[str, Any], last_warning: Mapping[str, Any] | None
) -> Mapping[str, Any] | None:
    """The tab that would be closed next instead of its whole app (``{pid, role, bytes}``), when
    the last Warning named one of the app that is ``NextVictim``."""
    app = (last_warning or {}).get("app") or {}
    tab = app.get("tab")
    if isinstance(tab, Mapping) and app.get("id") == props.get("NextVictim"):
        return tab
    return None


def app_items(
    snapshot: Mapping[str, Any] | None,
    props: Mapping[str, Any],
    *,
    limit: int | None = MENU_APPS,
    uid: int | None = None,
    locale: QLocale | None = None,
    last_warning: Mapping[str, Any] | None = None,
) -> list[AppItem]:
    """The apps for the menu: the biggest by real size (incl. GPU and shared memory); the one
    that would be closed next is always included (marked so, or its tab when only a tab of it
    would go)."""
    paused = {pause_words.paused_id(e) for e in pause_words.paused_entries(props)}
    # A paused app is listed above them, with its own choices (paused_items).
    apps = [a for a in own_apps(snapshot, uid) if str(a.get("id")) not in paused]
    victim = str(props.get("NextVictim", ""))
    chosen = apps[:limit] if limit is not None else apps
    if victim and all(a.get("id") != victim for a in chosen):
        chosen += [a for a in apps if a.get("id") == victim]
    items = []
    for app in chosen:
        size = human_size(messages.real_size(app), locale)
        is_next = bool(victim) and app.get("id") == victim
        title = _t("TrayMenu", "%1 — %2").replace("%1", messages.app_name(app)).replace("%2", size)
        if is_next and next_tab(props, last_warning) is not None:
            title = _t("TrayMenu", "%1 (a tab of it closed next)").replace("%1", title)
        elif is_next:
            title = _t("TrayMenu", "%1 (closed next)").replace("%1", title)
        items.append(AppItem(
            app=app, title=title, detail=messages.size_with_breakdown(app, locale),
            rule=monitor_rule(app), rule_name=rule_name(app), next_victim=is_next,
        ))  # fmt: skip
    return items


def paused_items(props: Mapping[str, Any], locale: QLocale | None = None) -> list[PausedItem]:
    """The apps the monitor paused, the longest paused first (listed above the others)."""
    items = []
    for entry in pause_words.paused_entries(props):
        app = pause_words.paused_app(entry)
        size = human_size(pause_words.paused_bytes(entry), locale)
        title = _t("TrayMenu", "%1 — %2 (paused)").replace("%1", messages.app_name(app)) \
            .replace("%2", size)
        items.append(PausedItem(app=app, title=title,
                                detail=pause_words.usage_sentence(entry, locale)))  # fmt: skip
    return items


def app_names(snapshot: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    """App id -> its snapshot entry."""
    return {str(a.get("id")): a for a in (snapshot or {}).get("apps") or ()}


def tooltip(
    props: Mapping[str, Any],
    connected: bool,
    *,
    snapshot: Mapping[str, Any] | None = None,
    launcher_status: str = "",
    log_path: str = "",
    locale: QLocale | None = None,
    last_warning: Mapping[str, Any] | None = None,
) -> str:
    """The tooltip: the state and the live numbers (available memory, pressure, what would be
    closed next), and what is wrong when something is."""
    lines = [_t("TrayMenu", "MemWarden: %1").replace("%1", messages.state_title(
        "error" if not connected else str(props.get("State", "calm"))
    ))]  # fmt: skip
    # Right below the state, connected or not: a monitor that went away without resuming them
    # (it stops by resuming every paused app) may have left them paused.
    lines += [pause_words.paused_line(e, locale) for e in pause_words.paused_entries(props)]
    if not connected:
        if launcher_status == "starting" and not props:
            lines = [_t("TrayMenu", "MemWarden: %1").replace("%1",
                                                              messages.state_title("connecting"))]
        elif launcher_status == "failed" and log_path:
            lines.append(_t("TrayMenu", "The monitor keeps stopping; its log: %1")
                         .replace("%1", log_path))
        return "\n".join(lines)
    lines.append(_t("TrayMenu", "Available memory: %1")
                 .replace("%1", human_size(int(props.get("AvailableBytes", 0)), locale)))
    eta = float(props.get("EtaSeconds", -1.0))
    if eta >= 0:
        lines.append(_t("TrayMenu", "Memory runs out %1").replace("%1", time_left(eta, locale)))
    lines.append(_t("TrayMenu", "Memory pressure: %1 (stalled: %2)")
                 .replace("%1", percent(float(props.get("PressureSomeAvg10", 0.0)), locale))
                 .replace("%2", percent(float(props.get("PressureFullAvg10", 0.0)), locale)))
    victim = str(props.get("NextVictim", ""))
    tab = next_tab(props, last_warning)
    if victim and tab is not None:
        app = app_names(snapshot).get(victim) or (last_warning or {}).get("app") or {}
        lines.append(_t("TrayMenu", "Would be closed next: a tab of %1 (%2)")
                     .replace("%1", messages.app_name(app))
                     .replace("%2", human_size(messages.real_size(tab), locale)))
    elif victim:
        app = app_names(snapshot).get(victim)
        name = messages.app_name(app) if app else victim
        size = f" ({human_size(messages.real_size(app), locale)})" if app else ""
        lines.append(_t("TrayMenu", "Would be closed next: %1").replace("%1", name + size))
    if props.get("Paused"):
        lines.append(_t("TrayMenu", "Guarding is paused: no app will be closed automatically."))
    helper = messages.helper_problem(str(props.get("HelperStatus", "")))
    if helper:
        lines.append(helper)
    if props.get("ConfigError"):
        lines.append(_t("TrayMenu", "Settings problem: %1").replace("%1",
                                                                   str(props["ConfigError"])))
    return "\n".join(lines)
