# SPDX-License-Identifier: GPL-3.0-or-later
"""Codes from the snapshot and the monitor that the window shows, as translated words: app kinds,
rules, hidden-object kinds and what the helper's status means for protection.

Core, monitor and helper speak in codes (``"memfd"``, ``"no-helper"``); the UI owns the words.
The reasons behind warnings, kills and refusals are in :mod:`memwarden.ui.words.messages`, shared
with the tray; which codes exist, and what a helper's code means, is in
:mod:`memwarden.core.reason_codes`. Each table below is marked with ``QT_TRANSLATE_NOOP`` so
lupdate extracts it, and translated when looked up. A code the UI does not know yet gets a
generic sentence that still names the code, so a newer monitor never leaves a blank.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from memwarden.core.reason_codes import HelperGroup, helper_group
from memwarden.core.rule_codes import NORMAL, PREFER, PROTECT

_CONTEXT = "Words"


def _lookup(table: dict[str, object], code: str, fallback: str) -> str:
    """The translated words for ``code``; ``fallback`` (translated, with ``%1``) when unknown."""
    source = table.get(code)
    if source is None:
        return fallback.replace("%1", code)
    return QCoreApplication.translate(_CONTEXT, str(source))


_APP_KINDS: dict[str, object] = {
    "browser": QT_TRANSLATE_NOOP("Words", "Browser"),
    "game": QT_TRANSLATE_NOOP("Words", "Game"),
    "session": QT_TRANSLATE_NOOP("Words", "Desktop"),
    "other": QT_TRANSLATE_NOOP("Words", "App"),
}


def app_kind(kind: str) -> str:
    """``browser`` → ``Browser``; ``session`` (the desktop itself) → ``Desktop``."""
    return _lookup(_APP_KINDS, kind, QCoreApplication.translate("Words", "Other (%1)"))


_RULES: dict[str, object] = {
    PROTECT: QT_TRANSLATE_NOOP("Words", "Protect"),
    PREFER: QT_TRANSLATE_NOOP("Words", "Sacrifice first"),
    NORMAL: QT_TRANSLATE_NOOP("Words", "Normal"),
}

# The rules in the order the UI offers them.
RULES = (NORMAL, PROTECT, PREFER)


def rule(code: str) -> str:
    """The name of a rule as the UI offers it."""
    return _lookup(_RULES, code, QCoreApplication.translate("Words", "Unknown rule (%1)"))


_RULE_HINTS: dict[str, object] = {
    PROTECT: QT_TRANSLATE_NOOP(
        "Words", "MemWarden never closes this app; when memory runs out it closes another one."
    ),
    PREFER: QT_TRANSLATE_NOOP(
        "Words", "When memory runs out, this app is closed before any other."
    ),
    NORMAL: QT_TRANSLATE_NOOP(
        "Words", "Closed only if it is the app that really holds the memory."
    ),
}


def rule_hint(code: str) -> str:
    """What a rule does, in one sentence (tooltips)."""
    return _lookup(_RULE_HINTS, code, QCoreApplication.translate("Words", "Unknown rule (%1)"))


_OBJECT_KINDS: dict[str, object] = {
    "memfd": QT_TRANSLATE_NOOP("Words", "memory file (memfd)"),
    "tmpfs": QT_TRANSLATE_NOOP("Words", "file in RAM (tmpfs)"),
    "sysv": QT_TRANSLATE_NOOP("Words", "shared memory segment (System V)"),
    "dmabuf": QT_TRANSLATE_NOOP("Words", "graphics or camera buffer (DMA-BUF)"),
    "drm": QT_TRANSLATE_NOOP("Words", "GPU buffers"),
}


def object_kind(kind: str) -> str:
    """The kind of a hidden object (``top_objects[].kind``, ``orphans[].kind``)."""
    return _lookup(_OBJECT_KINDS, kind, QCoreApplication.translate("Words", "other (%1)"))


# -- the helper: whether protection reaches the kernel ---------------------------------------------

# Keyed by what a HelperStatus code means for the person: core/reason_codes.py gives every code
# its group, so the settings page (headline and explanation) and the tray (the headline in its
# tooltip, the error icon) cannot disagree about one code.
_G = HelperGroup
_HELPER_HEADLINES: dict[HelperGroup, object] = {
    _G.APPLIED: QT_TRANSLATE_NOOP("Words", "Protection reaches the kernel"),
    _G.NOT_ASKED_YET: QT_TRANSLATE_NOOP("Words", "Protection not tried yet"),
    _G.OFF: QT_TRANSLATE_NOOP("Words", "The monitor runs without the helper"),
    _G.RETRYING: QT_TRANSLATE_NOOP("Words", "The helper is busy: protection will be tried again"),
    _G.MISSING: QT_TRANSLATE_NOOP("Words", "The helper is not installed"),
    _G.BROKEN: QT_TRANSLATE_NOOP("Words", "The helper is installed but does not work"),
    _G.NO_SYSTEM_BUS: QT_TRANSLATE_NOOP("Words", "There is no system bus to reach the helper"),
    _G.UNREACHABLE: QT_TRANSLATE_NOOP("Words", "The helper did not answer"),
    _G.DENIED: QT_TRANSLATE_NOOP("Words", "The helper is not allowed to protect your apps"),
    _G.CAPABILITY: QT_TRANSLATE_NOOP("Words", "The helper lacks a capability"),
    _G.PROCESS_GONE: QT_TRANSLATE_NOOP("Words", "An app's process exited before it was protected"),
    _G.OTHER_USER: QT_TRANSLATE_NOOP("Words", "A protected app runs a program of another user"),
    _G.FAULT: QT_TRANSLATE_NOOP("Words", "The helper failed"),
}

_HELPER_EXPLANATIONS: dict[HelperGroup, object] = {
    _G.APPLIED: QT_TRANSLATE_NOOP(
        "Words",
        "Protected apps are shielded from MemWarden and also from the kernel's own out-of-memory "
        "killer: the helper lowered their score.",
    ),
    _G.NOT_ASKED_YET: QT_TRANSLATE_NOOP(
        "Words",
        "No app has been protected since the monitor started, so the helper has not been asked "
        "yet. MemWarden itself never closes a protected app.",
    ),
    _G.OFF: QT_TRANSLATE_NOOP(
        "Words",
        "The monitor was started without the privileged helper (--no-helper), so the kernel "
        "does not know about protection. MemWarden never closes a protected app, but the "
        "kernel's out-of-memory killer may still pick it.",
    ),
    _G.RETRYING: QT_TRANSLATE_NOOP(
        "Words",
        "The helper had too many requests at once and did nothing this time; the monitor asks "
        "it again on its next pass. MemWarden itself never closes a protected app.",
    ),
    _G.MISSING: QT_TRANSLATE_NOOP(
        "Words",
        "MemWarden never closes a protected app, but the kernel does not know about protection: "
        "if memory runs out completely before MemWarden acts, the kernel's out-of-memory killer "
        "may still pick it. Install the memwarden-helper package to tell the kernel too.",
    ),
    _G.BROKEN: QT_TRANSLATE_NOOP(
        "Words",
        "The helper failed to start, or it does not match this version of MemWarden. MemWarden "
        "never closes a protected app, but the kernel's out-of-memory killer may still pick it. "
        "Install the memwarden-helper package of the same version as MemWarden; the system log "
        "(journalctl -u memwarden-helper) says why it failed.",
    ),
    _G.NO_SYSTEM_BUS: QT_TRANSLATE_NOOP(
        "Words",
        "MemWarden reaches its helper over the system bus (D-Bus), and this session cannot "
        "connect to it, as in some containers and sandboxes. MemWarden never closes a protected "
        "app, but the kernel's out-of-memory killer may still pick it.",
    ),
    _G.UNREACHABLE: QT_TRANSLATE_NOOP(
        "Words",
        "The helper did not answer in time, or the connection to it broke: it may have been "
        "stopping, or stalled for lack of memory. It is asked again when a protected app starts a "
        "new process or a rule changes; until then MemWarden never closes a protected app, but "
        "the kernel's out-of-memory killer may still pick it.",
    ),
    _G.DENIED: QT_TRANSLATE_NOOP(
        "Words",
        "The system's policy (polkit, or the system bus's own rules) did not allow the helper to "
        "act for you, or could not be asked. MemWarden never closes a protected app, but the "
        "kernel's out-of-memory killer may still pick it.",
    ),
    _G.CAPABILITY: QT_TRANSLATE_NOOP(
        "Words",
        "The helper runs without a right the kernel asks for (CAP_SYS_RESOURCE to lower "
        "scores), for example in a container. MemWarden never closes a protected app, but the "
        "kernel's out-of-memory killer may still pick it.",
    ),
    _G.PROCESS_GONE: QT_TRANSLATE_NOOP(
        "Words",
        "The helper was asked about a process that had exited in the meantime: nothing was lost. "
        "The app's new processes are protected as they start. MemWarden itself never closes a "
        "protected app.",
    ),
    _G.OTHER_USER: QT_TRANSLATE_NOOP(
        "Words",
        "The helper changes only your own processes, and a protected app runs a program as "
        "another user (through sudo or a setuid program), so the kernel was not told about that "
        "program. MemWarden never closes a protected app, but the kernel's out-of-memory killer "
        "may still pick that program.",
    ),
    _G.FAULT: QT_TRANSLATE_NOOP(
        "Words",
        "Something unexpected went wrong between the monitor and the helper; the system log "
        "(journalctl) has the details. MemWarden never closes a protected app, but the kernel's "
        "out-of-memory killer may still pick it.",
    ),
}

# Nothing for the person to do or to worry about: the tray keeps quiet about these.
_HELPER_QUIET = frozenset({_G.APPLIED, _G.NOT_ASKED_YET, _G.OFF, _G.RETRYING, _G.PROCESS_GONE})
# No helper can be used at all until someone changes the system (installs or fixes the package,
# gives the session a system bus): the tray shows its error icon, as for a missing monitor.
_HELPER_UNUSABLE = frozenset({_G.MISSING, _G.BROKEN, _G.NO_SYSTEM_BUS})


def helper_status(code: str) -> tuple[str, str]:
    """A headline and an explanation for the ``HelperStatus`` property (the settings page; the
    tray's tooltip shows the same headline)."""
    group = helper_group(code)
    if group is None:
        return (
            QCoreApplication.translate("Words", "The helper reported a problem (%1)").replace(
                "%1", code
            ),
            QCoreApplication.translate(
                "Words",
                "MemWarden never closes a protected app, but the kernel's out-of-memory killer may "
                "still pick it.",
            ),
        )
    return (
        QCoreApplication.translate(_CONTEXT, str(_HELPER_HEADLINES[group])),
        QCoreApplication.translate(_CONTEXT, str(_HELPER_EXPLANATIONS[group])),
    )


def helper_ok(code: str) -> bool:
    """True when protection reaches the kernel."""
    return helper_group(code) is HelperGroup.APPLIED


def helper_needs_attention(code: str) -> bool:
    """True when the person should hear about this status (a code this version does not know
    included: it may be a problem)."""
    return helper_group(code) not in _HELPER_QUIET


def helper_unusable(code: str) -> bool:
    """True when no helper can be used until the system is changed (the tray's error icon)."""
    return helper_group(code) in _HELPER_UNUSABLE


_RULE_SOURCES: dict[str, object] = {
    PROTECT: QT_TRANSLATE_NOOP("AppRules", "Protected by your rule “%1”."),
    PREFER: QT_TRANSLATE_NOOP("AppRules", "Sacrificed first by your rule “%1”."),
}


def rule_source_text(app: Mapping[str, Any]) -> str:
    """Which of the person's rules gives the app its rule (``Protected by your rule
    “/usr/bin/foo”.``), or ``""`` when none does. It tells why an app is protected when the rule
    names one of its programs rather than the app itself."""
    source = str(app.get("rule_source") or "")
    text = _RULE_SOURCES.get(str(app.get("rule") or NORMAL))
    if not source or text is None:
        return ""
    return QCoreApplication.translate("AppRules", str(text)).replace("%1", source)
