# SPDX-License-Identifier: GPL-3.0-or-later
"""The tray's words: reason codes from the monitor turned into sentences, and the texts of the
warning, the after-kill message and the "free memory now" result.

The monitor and the helper speak in reason codes (``hidden-memory``, ``below-warn-threshold``);
this module is where they become words, in the person's language. A code this version does not
know gets a generic sentence, never the bare code alone. Pure functions on QtCore (translations,
QLocale): presenters and tests use them without widgets.

Every string is a literal inside ``QCoreApplication.translate("Messages", …)`` so that
``pyside6-lupdate`` extracts it (a wrapper function would hide the literal from it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale

from memwarden.ui.formatting import human_size, time_left

_t = QCoreApplication.translate


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
        "below-warn-threshold": _t("Messages", "Available memory is below the warning level."),
        "forecast-under-horizon": _t("Messages", "Memory is filling up fast."),
        "psi-some-high": _t("Messages", "Apps are waiting for memory: the system is slowing down."),
        "below-close-threshold": _t("Messages", "Available memory has reached the closing level."),
        "below-kill-threshold": _t("Messages", "Memory is almost exhausted."),
        "psi-full-sustained": _t(
            "Messages", "The system has been stalling on memory for several seconds."
        ),
    }
    return reasons.get(code, _t("Messages", "Memory is running low."))


def victim_reason(code: str) -> str:
    """Why this app is the one that would be closed (``victim_reason``), as a sentence."""
    reasons = {
        "sacrifice-first": _t("Messages", "You chose to sacrifice it first."),
        "hidden-memory": _t(
            "Messages",
            "Most of its memory is shared memory or GPU buffers, which the kernel does not "
            "count: the kernel would have closed an innocent app instead.",
        ),
        "growing": _t("Messages", "Its memory is growing fast."),
        "largest": _t("Messages", "It uses the most memory."),
        "user-request": _t("Messages", "You asked to close it."),
        "no-candidate": _t("Messages", "No app can be closed: every app is protected or part of "
                                       "the desktop."),
        "orphan-tmpfs": _t(
            "Messages",
            "The memory is held by files in shared-memory folders that no app has open: closing "
            "apps will not free it.",
        ),
    }
    return reasons.get(code, _t("Messages", "It is the best app to close."))


def refusal(code: str) -> str:
    """Why the monitor refused or failed to do what was asked (a D-Bus error's reason code)."""
    reasons = {
        "protected": _t("Messages", "It is protected. Remove the protection to close it."),
        "session": _t("Messages", "It is part of the desktop session."),
        "other-user": _t("Messages", "It belongs to another user."),
        "init": _t("Messages", "It is the system's first process."),
        "self": _t("Messages", "It is MemWarden itself."),
        "not-ours": _t("Messages", "It belongs to another user."),
        "no-such-app": _t("Messages", "It is not running any more."),
        "gone": _t("Messages", "It is not running any more."),
        "empty-name": _t("Messages", "The app has no name to remember the rule by."),
        "name-too-long": _t("Messages", "The app's name is too long to remember a rule by."),
        "bad-name": _t("Messages", "The app's name cannot be used for a rule."),
        "no-monitor": _t("Messages", "The monitor is not running."),
        "timeout": _t("Messages", "The monitor did not answer in time."),
        "busy": _t("Messages", "The monitor is busy answering other requests. Try again in a "
                               "moment."),
        "too-many-rules": _t("Messages", "There are too many protected or sacrificed apps: "
                                         "remove a rule first."),
    }
    text = reasons.get(code)
    if text is not None:
        return text
    return _t("Messages", "The monitor could not do it (%1).").replace("%1", code)


def helper_problem(code: str) -> str | None:
    """A sentence when the privileged helper is missing, None when nothing needs saying.

    ``HelperStatus`` is ``applied``, ``no-helper`` (the monitor runs without one on purpose),
    ``unknown`` (nothing asked yet), or the helper's reason code for its last refusal.
    """
    # Busy: the monitor asks again on its next pass; nothing for the person to do.
    if code in ("applied", "unknown", "no-helper", "", "helper-busy", "sender-busy"):
        return None
    missing = {
        "not-activatable": _t("Messages", "The privileged helper is not installed: protected "
                                          "apps are protected by MemWarden only, not by the "
                                          "kernel."),
        "no-system-bus": _t("Messages", "The privileged helper cannot be reached (no system "
                                        "bus): protected apps are protected by MemWarden only."),
        "activation-failed": _t("Messages", "The privileged helper failed to start: protected "
                                            "apps are protected by MemWarden only."),
        "not-authorized": _t("Messages", "You are not allowed to protect apps from the kernel: "
                                         "protected apps are protected by MemWarden only."),
        "owner-changed": _t("Messages", "An app started a program of another user while it was "
                                        "being protected: the kernel was not told."),
    }
    return missing.get(code, _t("Messages", "The privileged helper refused (%1): protected apps "
                                            "are protected by MemWarden only.").replace("%1", code))


def helper_missing(code: str) -> bool:
    """True when the helper is not there at all (the tray shows the error icon)."""
    return code in ("not-activatable", "no-system-bus", "activation-failed")


def free_step(step: Mapping[str, Any]) -> str:
    """One step of "free memory now" and how it went."""
    name, result = str(step.get("step", "")), str(step.get("result", ""))
    if name == "reclaim-background":
        texts = {
            "done": _t("Messages", "Background apps were trimmed."),
            "partial": _t("Messages", "Background apps were trimmed partly."),
            "nothing-to-reclaim": _t("Messages", "Background apps had nothing to give back."),
            "no-cgroup-v2": _t("Messages", "Background apps could not be trimmed: this system "
                                           "does not use cgroup v2."),
            "not-delegated": _t("Messages", "Background apps could not be trimmed: the session "
                                            "does not let MemWarden manage them."),
            "no-background-slice": _t("Messages", "There are no background apps to trim."),
            "no-memory-controller": _t("Messages", "Background apps could not be trimmed: the "
                                                   "memory controller is off."),
        }
        return texts.get(result, _t("Messages", "Background apps could not be trimmed (%1).")
                         .replace("%1", result))
    if name == "drop-caches":
        texts = {
            "done": _t("Messages", "Caches were dropped and memory compacted."),
            "no-helper": _t("Messages", "Caches were not dropped: the privileged helper is not "
                                        "in use."),
            "not-activatable": _t("Messages", "Caches were not dropped: the privileged helper is "
                                              "not installed."),
            "access-denied": _t("Messages", "Caches were not dropped: not allowed."),
            "not-authorized": _t("Messages", "Caches were not dropped: not allowed."),
            "rate-limited": _t("Messages", "Caches were not dropped again: they were dropped "
                                           "less than a minute ago."),
            "helper-busy": _t("Messages", "Caches were not dropped: the privileged helper is "
                                          "busy. Try again in a moment."),
            "sender-busy": _t("Messages", "Caches were not dropped: the privileged helper is "
                                          "busy. Try again in a moment."),
        }
        return texts.get(result, _t("Messages", "Caches were not dropped (%1).")
                         .replace("%1", result))
    return _t("Messages", "A step MemWarden does not know finished with: %1.").replace("%1", result)


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
        if reason == "user-request":
            summary = _t("Messages", "Closed %1").replace("%1", name)
        else:
            summary = _t("Messages", "Closed %1 to keep your computer responsive") \
                .replace("%1", name)
        body = _t("Messages", "It was using %1.").replace("%1", size_with_breakdown(app, locale))
    if freed_bytes > 0:
        body += " " + _t("Messages", "Available memory rose by %1.").replace(
            "%1", human_size(freed_bytes, locale)
        )
    return Text(summary, body)


def free_result_text(result: Mapping[str, Any], locale: QLocale | None = None) -> Text:
    """The measured outcome of "free memory now": memory left before and after (the measure the
    tray and the thresholds show), and what went to swap; nothing more."""
    before = int(result.get("available_before", 0))
    after = int(result.get("available_after", 0))
    freed = max(0, int(result.get("freed_bytes", after - before)))
    swapped = max(0, int(result.get("swapped_out_bytes", 0)))
    if freed > 0:
        summary = _t("Messages", "Freed %1").replace("%1", human_size(freed, locale))
    else:
        summary = _t("Messages", "No memory could be freed without closing apps")
    measured = _t("Messages", "Available memory: %1 before, %2 after.") \
        .replace("%1", human_size(before, locale)).replace("%2", human_size(after, locale))
    if swapped > 0:
        measured += " " + _t("Messages", "%1 of idle memory was moved to swap.") \
            .replace("%1", human_size(swapped, locale))
    steps = [free_step(s) for s in result.get("steps") or ()]
    return Text(summary, " ".join([measured, *steps]))


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
