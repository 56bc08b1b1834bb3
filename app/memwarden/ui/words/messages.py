# SPDX-License-Identifier: GPL-3.0-or-later
"""The tray's words: reason codes from the monitor turned into sentences, and the texts of the
warning and the after-kill message ("free memory now" has its own: :mod:`free_memory_words`).

The monitor and the helper speak in reason codes (``hidden-memory``, ``below-warn-threshold``),
every one of them listed in :mod:`memwarden.core.reason_codes`; this module is where they become
words, in the person's language, keyed by the registry's constants. A code this version does not
know gets a generic sentence, never the bare code alone. Pure functions on QtCore (translations,
QLocale): presenters and tests use them without widgets.

Every string is a literal inside ``QCoreApplication.translate("Messages", …)`` so that
``pyside6-lupdate`` extracts it (a wrapper function would hide the literal from it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale

from memwarden.core import reason_codes as codes
from memwarden.ui.words import code_words as words
from memwarden.ui.words.formatting import human_size, time_left

_t = QCoreApplication.translate
_REASON_CODE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True, slots=True)
class Text:
    """A message as a notification shows it: a short summary and a body."""

    summary: str
    body: str


# -- states and reasons ---------------------------------------------------------------------------


def state_title(state: str) -> str:
    """One line for the tray state (``calm``, ``warning``, ``critical``, ``paused``, ``error``)."""
    titles = {
        "calm": _t("Messages", "Memory is fine"),
        "warning": _t("Messages", "Memory is running low"),
        "critical": _t("Messages", "Out of memory: an app is about to be closed"),
        "paused": _t("Messages", "Guarding is paused"),
        "error": _t("Messages", "Not guarding: the monitor is not running"),
        "connecting": _t("Messages", "Starting the monitor…"),
    }
    return titles.get(state, _t("Messages", "Memory state unknown"))


def state_reason(code: str) -> str:
    """Why the monitor warns (the ``reason`` of a Warning, the reasons of StateChanged)."""
    reasons = {
        codes.BELOW_WARN_THRESHOLD: _t("Messages", "Available memory is below the warning level."),
        codes.FORECAST_UNDER_HORIZON: _t("Messages", "Memory is filling up fast."),
        codes.PSI_SOME_HIGH: _t("Messages", "Apps are waiting for memory: the system is slowing "
                                            "down."),
        codes.BELOW_CLOSE_THRESHOLD: _t("Messages", "Available memory has reached the closing "
                                                    "level."),
        codes.BELOW_KILL_THRESHOLD: _t("Messages", "Memory is almost exhausted."),
        codes.PSI_FULL_SUSTAINED: _t(
            "Messages", "The system has been stalling on memory for several seconds."
        ),
        codes.STILL_WARNING: _t("Messages", "Memory is coming back, but not yet above the "
                                            "warning level."),
        codes.USER_REQUEST: _t("Messages", "You asked to close it."),
    }
    return reasons.get(code, _t("Messages", "Memory is running low."))


def victim_reason(code: str) -> str:
    """Why this app is the one that would be closed (``victim_reason``), as a sentence."""
    reasons = {
        codes.SACRIFICE_FIRST: _t("Messages", "You chose to sacrifice it first."),
        codes.HIDDEN_MEMORY: _t(
            "Messages",
            "Most of its memory is shared memory or GPU buffers, which the kernel does not "
            "count: the kernel would have closed an innocent app instead.",
        ),
        codes.GROWING: _t("Messages", "Its memory is growing fast."),
        codes.LARGEST: _t("Messages", "It uses the most memory."),
        codes.USER_REQUEST: _t("Messages", "You asked to close it."),
        codes.VICTIM_CHOSEN: _t("Messages", "It is the app MemWarden chose to close."),
        codes.NO_CANDIDATE: _t("Messages", "No app can be closed: every app is protected or "
                                           "part of the desktop."),
        codes.ORPHAN_TMPFS: _t(
            "Messages",
            "The memory is held by files in shared-memory folders that no app has open: closing "
            "apps will not free it.",
        ),
    }
    return reasons.get(code, _t("Messages", "It is the best app to close."))


def refusal(code: str) -> str:
    """Why the monitor refused or failed to do what was asked (a D-Bus error's reason code)."""
    reasons = {
        codes.PROTECTED: _t("Messages", "It is protected. Remove the protection to close it."),
        codes.SESSION: _t("Messages", "It is part of the desktop session."),
        codes.OTHER_USER: _t("Messages", "It belongs to another user."),
        codes.INIT: _t("Messages", "It is the system's first process."),
        codes.SELF: _t("Messages", "It is MemWarden itself."),
        codes.NOT_OURS: _t("Messages", "It belongs to another user."),
        codes.NO_SNAPSHOT: _t("Messages", "The monitor has not looked at the apps yet. Try again "
                                          "in a moment."),
        codes.NO_SUCH_APP: _t("Messages", "It is not running any more."),
        codes.GONE: _t("Messages", "It is not running any more."),
        codes.UNKNOWN_RULE: _t("Messages", "The monitor does not know this rule."),
        codes.EMPTY_APP_ID: _t("Messages", "No app was named."),
        codes.EMPTY_NAME: _t("Messages", "The app has no name to remember the rule by."),
        codes.NAME_TOO_LONG: _t("Messages", "The app's name is too long to remember a rule by."),
        codes.BAD_NAME: _t("Messages", "The app's name cannot be used for a rule."),
        codes.NO_MONITOR: _t("Messages", "The monitor is not running."),
        codes.TIMEOUT: _t("Messages", "The monitor did not answer in time."),
        codes.DISCONNECTED: _t("Messages", "MemWarden is not connected to the session bus."),
        codes.BAD_REPLY: _t("Messages", "The monitor's answer could not be read."),
        codes.UNNAMED_ERROR: _t("Messages", "The monitor could not do it."),
        codes.INTERNAL_ERROR: _t("Messages", "Something went wrong inside the monitor; its log "
                                             "says what."),
        codes.BUSY: _t("Messages", "The monitor is busy answering other requests. Try again in a "
                                   "moment."),
        codes.TOO_MANY_RULES: _t("Messages", "There are too many protected or sacrificed apps: "
                                             "remove a rule first."),
        codes.NO_CONFIG_FILE: _t("Messages", "The monitor runs without a settings file."),
        codes.NOT_SAVED: _t("Messages", "The monitor could not write its settings file."),
        codes.NOT_PAUSED: _t("Messages", "It is not paused."),
    }
    text = reasons.get(code)
    if text is not None:
        return text
    return _t("Messages", "The monitor could not do it (%1).").replace("%1", code)


def helper_problem(code: str) -> str | None:
    """The tray's line about the privileged helper, or None when nothing needs saying.

    ``HelperStatus`` is ``applied``, ``no-helper`` (the monitor runs without one on purpose),
    ``unknown`` (nothing asked yet), or the helper's reason code for its last refusal. The line
    is the settings page's headline for the same code
    (:func:`memwarden.ui.words.code_words.helper_status`).
    """
    if not code or not words.helper_needs_attention(code):
        return None
    headline, _explanation = words.helper_status(code)
    return _t("Messages", "%1: the kernel's out-of-memory killer may still pick a protected app.") \
        .replace("%1", headline)


def helper_missing(code: str) -> bool:
    """True when no helper can be used at all: not installed, broken or out of reach for good
    (the tray shows the error icon)."""
    return words.helper_unusable(code)


def error_reason(exc: BaseException) -> str | None:
    """The reason code of a failed monitor call (``MonitorError.reason``), when it carries one."""
    value = getattr(exc, "reason", None)
    if isinstance(value, str) and _REASON_CODE.match(value):
        return value
    return None


def error_words(exc: BaseException) -> str:
    """A sentence for a failed monitor call."""
    code = error_reason(exc)
    if code is not None:
        return refusal(code)
    return _t("Messages", "Something went wrong while talking to the monitor.")


# -- apps -----------------------------------------------------------------------------------------


def app_name(app: Mapping[str, Any] | None) -> str:
    """The app's display name (its id when it has none)."""
    if not app:
        return _t("Messages", "an unknown app")
    return str(app.get("name") or app.get("id") or _t("Messages", "an unknown app"))


def app_phrase(app: Mapping[str, Any] | None) -> str:
    """The app as a sentence names it: a game or a browser is called one."""
    name = app_name(app)
    kind = str(app.get("kind", "")) if app else ""
    if kind == "game":
        return _t("Messages", "the game %1").replace("%1", name)
    if kind == "browser":
        return _t("Messages", "the browser %1").replace("%1", name)
    return name


def real_size(app: Mapping[str, Any] | None) -> int:
    """The app's real memory: ``bytes.total`` (kernel view + shared memory, DMA-BUF and GPU
    buffers in RAM; VRAM apart)."""
    if not app:
        return 0
    return int((app.get("bytes") or {}).get("total", 0))


def breakdown(app: Mapping[str, Any] | None, locale: QLocale | None = None) -> str:
    """What of an app's real size the kernel does not count: ``1.2 GiB GPU memory and 800 MiB
    shared memory``; empty when it is all ordinary memory."""
    b: Mapping[str, Any] = (app or {}).get("bytes") or {}
    parts = []
    gpu = int(b.get("gpu_system", 0)) + int(b.get("dmabuf", 0))
    if gpu:
        parts.append(_t("Messages", "%1 GPU memory").replace("%1", human_size(gpu, locale)))
    if int(b.get("shmem", 0)):
        parts.append(
            _t("Messages", "%1 shared memory").replace("%1", human_size(int(b["shmem"]), locale))
        )
    if len(parts) == 2:
        return _t("Messages", "%1 and %2").replace("%1", parts[0]).replace("%2", parts[1])
    return parts[0] if parts else ""


def size_with_breakdown(app: Mapping[str, Any] | None, locale: QLocale | None = None) -> str:
    """``3.1 GiB`` or ``3.1 GiB, of which 1.2 GiB GPU memory and 800 MiB shared memory``, plus
    VRAM (graphics-card memory, not RAM) when it holds some."""
    b: Mapping[str, Any] = (app or {}).get("bytes") or {}
    text = human_size(int(b.get("total", 0)), locale)
    hidden = breakdown(app, locale)
    if hidden:
        text = _t("Messages", "%1, of which %2").replace("%1", text).replace("%2", hidden)
    vram = int(b.get("gpu_vram", 0))
    if vram:
        text = _t("Messages", "%1 (and %2 on the graphics card)").replace("%1", text) \
            .replace("%2", human_size(vram, locale))
    return text


# -- whole messages -------------------------------------------------------------------------------


def warning_text(
    app: Mapping[str, Any] | None,
    eta_seconds: float,
    reason: str,
    why: str,
    locale: QLocale | None = None,
) -> Text:
    """The notification near the kill point: which app would be closed, its size, when, why."""
    if not app:
        summary = _t("Messages", "Memory is running low")
        return Text(summary, f"{state_reason(reason)} {victim_reason(why)}")
    if app.get("tab"):
        return _tab_warning_text(app, eta_seconds, reason, why, locale)
    name, kind = app_name(app), str(app.get("kind", ""))
    if eta_seconds >= 0:
        when = time_left(eta_seconds, locale)
        if kind == "game":
            summary = _t("Messages", "The game %1 will be closed %2")
        elif kind == "browser":
            summary = _t("Messages", "The browser %1 will be closed %2")
        else:
            summary = _t("Messages", "%1 will be closed %2")
        summary = summary.replace("%1", name).replace("%2", when)
    else:
        if kind == "game":
            summary = _t("Messages", "The game %1 would be closed if memory runs out")
        elif kind == "browser":
            summary = _t("Messages", "The browser %1 would be closed if memory runs out")
        else:
            summary = _t("Messages", "%1 would be closed if memory runs out")
        summary = summary.replace("%1", name)
    body = _t("Messages", "It is using %1. %2 %3").replace("%1", size_with_breakdown(app, locale)) \
        .replace("%2", state_reason(reason)).replace("%3", victim_reason(why))
    return Text(summary, body)


def _tab_warning_text(
    app: Mapping[str, Any], eta_seconds: float, reason: str, why: str, locale: QLocale | None
) -> Text:
    """The warning when only a tab (an expendable child) of the app would be closed."""
    name = app_name(app)
    if eta_seconds >= 0:
        summary = _t("Messages", "A tab of %1 will be closed %2").replace("%1", name) \
            .replace("%2", time_left(eta_seconds, locale))
    else:
        summary = _t("Messages", "A tab of %1 would be closed if memory runs out") \
            .replace("%1", name)
    body = _t("Messages", "The tab is using %1; the rest of %2 stays open. %3 %4") \
        .replace("%1", size_with_breakdown(app["tab"], locale)).replace("%2", name) \
        .replace("%3", state_reason(reason)).replace("%4", victim_reason(why))
    return Text(summary, body)


def killed_text(
    app: Mapping[str, Any] | None, freed_bytes: int, reason: str, locale: QLocale | None = None
) -> Text:
    """After a kill: what was closed, how big it was, and what came back (measured only)."""
    name = app_phrase(app)
    if app and app.get("tab"):
        summary = _t("Messages", "Closed a tab of %1 to keep your computer responsive") \
            .replace("%1", app_name(app))
        body = _t("Messages", "The tab was using %1; the rest of %2 stays open.") \
            .replace("%1", size_with_breakdown(app["tab"], locale)).replace("%2", app_name(app))
    else:
        if reason == codes.USER_REQUEST:
            summary = _t("Messages", "Closed %1").replace("%1", name)
        else:
            summary = _t("Messages", "Closed %1 to keep your computer responsive") \
                .replace("%1", name)
        body = _t("Messages", "It was using %1.").replace("%1", size_with_breakdown(app, locale))
        if app and app.get("paused") and reason != codes.USER_REQUEST:
            # Paused instead of closed, and nobody answered before memory ran out.
            body = _t("Messages", "It was paused and memory kept running out.") + " " + body
    if freed_bytes > 0:
        body += " " + _t("Messages", "Available memory rose by %1.").replace(
            "%1", human_size(freed_bytes, locale)
        )
    return Text(summary, body)


def orphan_text(orphans: list[Mapping[str, Any]], locale: QLocale | None = None) -> str:
    """Shared memory nobody holds: closing apps will not help, and where the files are."""
    if not orphans:
        return _t(
            "Messages",
            "The memory is held by files in shared-memory folders (such as /dev/shm) that no app "
            "has open. Closing apps will not free it: delete the files you do not need.",
        )
    total = sum(int(o.get("bytes", 0)) for o in orphans)
    ranked = sorted(orphans, key=lambda o: -int(o.get("bytes", 0)))
    where = ", ".join(
        f"{o.get('path', '?')} ({human_size(int(o.get('bytes', 0)), locale)})" for o in ranked[:3]
    )
    return _t(
        "Messages",
        "%1 is held by files that no app has open, so closing apps will not free it. Delete "
        "those you do not need: %2",
    ).replace("%1", human_size(total, locale)).replace("%2", where)
