# SPDX-License-Identifier: GPL-3.0-or-later
"""What the tray says about an app the monitor paused instead of closing it.

When the app it would close is growing at the close level, the monitor stops it (cgroup.freeze or
SIGSTOP) and asks, like macOS's "Your system has run out of application memory" (docs/peers.md
§2.14). The monitor lists the paused apps in its ``PausedApps`` property (JSON), one entry each:
``app`` (as in a Warning), ``since``, ``bytes`` (its total when paused), ``growth_bytes_per_s``,
``method`` and ``reclaim`` (``result``: a code of
:data:`memwarden.core.reason_codes.PAUSE_RECLAIM_RESULTS`, ``ram_freed_bytes``: the measured
rise of the RAM other apps can use). ``AppResumed`` says why one runs again
(:data:`~memwarden.core.reason_codes.RESUME_REASONS`).

Nothing here claims more than was measured: the only figure about giving memory back is the RAM
that came free, as the monitor measured it. Strings are literals in the ``Messages`` context (the
tray's words, as in :mod:`messages`) so that ``pyside6-lupdate`` extracts them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale

from memwarden.core import reason_codes as codes
from memwarden.ui.words import messages
from memwarden.ui.words.formatting import human_size, rate
from memwarden.ui.words.messages import Text

_t = QCoreApplication.translate

#: Why an app runs again, when something else already tells the person: they resumed it
#: themselves, or it is being closed (the close's result or the after-kill message follows).
TOLD_ELSEWHERE = frozenset({codes.USER_REQUEST, codes.CLOSING, codes.KILLED})


# -- reading the monitor's entries ----------------------------------------------------------------


def paused_entries(props: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The paused apps of the monitor's properties (``PausedApps``, decoded by the client), the
    longest paused first; entries without an app are left out (nothing could be said or done)."""
    entries = [
        e for e in props.get("PausedApps") or ()
        if isinstance(e, Mapping) and isinstance(e.get("app"), Mapping) and e["app"].get("id")
    ]  # fmt: skip
    return sorted(entries, key=lambda e: _number(e.get("since")))


def paused_app(entry: Mapping[str, Any]) -> Mapping[str, Any]:
    """The app of an entry (``id``, ``name``, ``kind``, ``pids``, ``bytes``, ``rule_target``)."""
    app = entry.get("app")
    return app if isinstance(app, Mapping) else {}


def paused_id(entry: Mapping[str, Any]) -> str:
    """The app id of an entry (for ResumeApp, CloseApp)."""
    return str(paused_app(entry).get("id", ""))


def paused_bytes(entry: Mapping[str, Any]) -> int:
    """What the app was using when it was paused (its real total)."""
    value = entry.get("bytes")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    return messages.real_size(paused_app(entry))


def growth(entry: Mapping[str, Any]) -> int:
    """How fast it was growing when it was paused, in bytes per second (0: unknown)."""
    return max(0, int(_number(entry.get("growth_bytes_per_s"))))


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


# -- sentences ------------------------------------------------------------------------------------


def paused_summary(app: Mapping[str, Any]) -> str:
    """``Blender was paused`` (a game or a browser is called one)."""
    kind = str(app.get("kind", ""))
    if kind == "game":
        text = _t("Messages", "The game %1 was paused")
    elif kind == "browser":
        text = _t("Messages", "The browser %1 was paused")
    else:
        text = _t("Messages", "%1 was paused")
    return text.replace("%1", messages.app_name(app))


def usage_sentence(entry: Mapping[str, Any], locale: QLocale | None = None) -> str:
    """``It was using 3.0 GiB and growing by 48 MiB/s.``"""
    size = human_size(paused_bytes(entry), locale)
    per_second = growth(entry)
    if per_second > 0:
        return _t("Messages", "It was using %1 and growing by %2.").replace("%1", size) \
            .replace("%2", rate(per_second, locale))
    return _t("Messages", "It was using %1.").replace("%1", size)


def reclaim_sentence(reclaim: Mapping[str, Any] | None, locale: QLocale | None = None) -> str:
    """What giving the paused app's memory back did (``""`` when the monitor did not say).

    With ``done`` and ``partial`` the only figure is the RAM that came free, measured; the other
    results say why it could not be tried."""
    if not reclaim:
        return ""
    result = str(reclaim.get("result", ""))
    freed = max(0, int(_number(reclaim.get("ram_freed_bytes"))))
    if result in (codes.DONE, codes.PARTIAL):
        if freed > 0:
            text = (_t("Messages", "MemWarden moved its memory to swap: %1 of RAM is free for your "
                                   "other apps.") if result == codes.DONE else
                    _t("Messages", "MemWarden moved part of its memory to swap: %1 of RAM is free "
                                   "for your other apps."))  # fmt: skip
            return text.replace("%1", human_size(freed, locale))
        if result == codes.DONE:
            return _t("Messages", "MemWarden moved its memory to swap, but no RAM came free.")
        return _t("Messages", "MemWarden moved part of its memory to swap, but no RAM came free.")
    texts = {
        codes.NOTHING_TO_RECLAIM: _t("Messages", "It had no memory that could be moved out of "
                                                 "RAM."),
        codes.NO_SWAP: _t("Messages", "Its memory could not be moved out of RAM: there is no "
                                      "swap space."),
        codes.NO_OWN_CGROUP: _t("Messages", "Its memory could not be moved out of RAM: it does "
                                            "not run in a cgroup of its own."),
        codes.NO_CGROUP_V2: _t("Messages", "Its memory could not be moved out of RAM: this "
                                           "system does not use cgroup v2."),
        codes.NO_MEMORY_CONTROLLER: _t("Messages", "Its memory could not be moved out of RAM: "
                                                   "the memory controller is off."),
        codes.NOT_DELEGATED: _t("Messages", "Its memory could not be moved out of RAM: the "
                                            "session does not let MemWarden manage it."),
        codes.FAILED: _t("Messages", "Its memory could not be moved out of RAM: something went "
                                     "wrong (the monitor's log says what)."),
    }  # fmt: skip
    known = texts.get(result)
    if known is not None:
        return known
    # A result this version does not know (a newer monitor): named, neither success nor failure.
    return _t("Messages", "Moving its memory out of RAM ended with: %1.").replace("%1", result)


def paused_text(entry: Mapping[str, Any], locale: QLocale | None = None) -> Text:
    """The notification when an app was paused: what it was using and how fast it grew, what
    giving its memory back did, what happens now, and the three choices."""
    app = paused_app(entry)
    reclaim = entry.get("reclaim")
    parts = [
        usage_sentence(entry, locale),
        reclaim_sentence(reclaim if isinstance(reclaim, Mapping) else None, locale),
        # A stopped app does not repaint: the desktop may offer to force-quit it, which would
        # lose what pausing kept.
        _t("Messages", "Its windows do not respond while it is paused. If memory runs out all "
                       "the same, it will be closed."),
        _t("Messages", "Resume it, close it, or protect it and resume it."),
    ]  # fmt: skip
    return Text(paused_summary(app), " ".join(p for p in parts if p))


def paused_line(entry: Mapping[str, Any], locale: QLocale | None = None) -> str:
    """One line for the tray's tooltip: ``Blender is paused: it was using 3.0 GiB and growing
    by 48 MiB/s.``"""
    name = messages.app_name(paused_app(entry))
    size = human_size(paused_bytes(entry), locale)
    per_second = growth(entry)
    if per_second > 0:
        return _t("Messages", "%1 is paused: it was using %2 and growing by %3.") \
            .replace("%1", name).replace("%2", size).replace("%3", rate(per_second, locale))
    return _t("Messages", "%1 is paused: it was using %2.").replace("%1", name) \
        .replace("%2", size)


def paused_header(entries: list[Mapping[str, Any]]) -> str:
    """The tray menu's first line while apps are paused."""
    if len(entries) == 1:
        return _t("Messages", "%1 is paused and waits for your choice").replace(
            "%1", messages.app_name(paused_app(entries[0]))
        )
    return _t("Messages", "Several apps are paused and wait for your choice")


def resume_reason(code: str) -> str:
    """Why a paused app runs again (``AppResumed``), as a sentence."""
    reasons = {
        codes.USER_REQUEST: _t("Messages", "You resumed it."),
        codes.CLOSING: _t("Messages", "It is being closed: it runs again first so that it can "
                                      "exit cleanly."),
        codes.KILLED: _t("Messages", "It was closed because memory kept running out."),
        codes.GONE: _t("Messages", "It is not running any more."),
        codes.NO_TRAY: _t("Messages", "MemWarden's tray is not running, so it runs again: no app "
                                      "stays paused where you cannot see it."),
        codes.STOPPING: _t("Messages", "The monitor stopped, so it runs again."),
    }  # fmt: skip
    text = reasons.get(code)
    if text is not None:
        return text
    return _t("Messages", "It runs again (%1).").replace("%1", code)


def resumed_text(app: Mapping[str, Any] | None, reason: str) -> Text | None:
    """The notification that a paused app is no longer paused, or None where something else
    tells the person (:data:`TOLD_ELSEWHERE`)."""
    if reason in TOLD_ELSEWHERE:
        return None
    summary = _t("Messages", "%1 is no longer paused").replace("%1", messages.app_name(app))
    return Text(summary, resume_reason(reason))
