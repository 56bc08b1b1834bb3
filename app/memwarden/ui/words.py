# SPDX-License-Identifier: GPL-3.0-or-later
"""Codes from the snapshot and the monitor that the window shows, as translated words: app kinds,
rules, hidden-object kinds and what the helper's status means for protection.

Core, monitor and helper speak in codes (``"memfd"``, ``"no-helper"``); the UI owns the words.
The reasons behind warnings, kills and refusals are in :mod:`memwarden.ui.messages`, shared with
the tray. Each table below is marked with ``QT_TRANSLATE_NOOP`` so lupdate extracts it, and
translated when looked up. A code the UI does not know yet gets a generic sentence that still
names the code, so a newer monitor never leaves a blank.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

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

# HelperStatus codes grouped by what they mean for the person.
_HELPER_GROUPS: dict[str, str] = {
    "applied": "applied",
    "unknown": "unknown",
    "no-helper": "missing",
    "not-activatable": "missing",
    "no-system-bus": "missing",
    "activation-failed": "missing",
    "no-reply": "missing",
    "disconnected": "missing",
    "access-denied": "denied",
    "not-authorized": "denied",
    "bus-policy": "denied",
    "polkit-unavailable": "denied",
    "polkit-error": "denied",
    "missing-capability": "capability",
    "cap-sys-resource": "capability",
    # Busy answers are retried by the monitor on its next pass: not yet applied, nothing wrong.
    "helper-busy": "unknown",
    "sender-busy": "unknown",
}

_HELPER_HEADLINES: dict[str, object] = {
    "applied": QT_TRANSLATE_NOOP("Words", "Protection reaches the kernel"),
    "unknown": QT_TRANSLATE_NOOP("Words", "Protection not tried yet"),
    "missing": QT_TRANSLATE_NOOP("Words", "The helper is not installed"),
    "denied": QT_TRANSLATE_NOOP("Words", "The helper is not allowed to protect your apps"),
    "capability": QT_TRANSLATE_NOOP("Words", "The helper lacks a capability"),
}

_HELPER_EXPLANATIONS: dict[str, object] = {
    "applied": QT_TRANSLATE_NOOP(
        "Words",
        "Protected apps are shielded from MemWarden and also from the kernel's own out-of-memory "
        "killer: the helper lowered their score.",
    ),
    "unknown": QT_TRANSLATE_NOOP(
        "Words",
        "No app has been protected since the monitor started, so the helper has not been asked "
        "yet. MemWarden itself never closes a protected app.",
    ),
    "missing": QT_TRANSLATE_NOOP(
        "Words",
        "MemWarden never closes a protected app, but the kernel does not know about protection: "
        "if memory runs out completely before MemWarden acts, the kernel's out-of-memory killer "
        "may still pick it. Install the memwarden-helper package to tell the kernel too.",
    ),
    "denied": QT_TRANSLATE_NOOP(
        "Words",
        "The system's policy (polkit) did not allow the helper to act for you. MemWarden never "
        "closes a protected app, but the kernel's out-of-memory killer may still pick it.",
    ),
    "capability": QT_TRANSLATE_NOOP(
        "Words",
        "The helper runs without the right to lower scores (CAP_SYS_RESOURCE), for example in a "
        "container. MemWarden never closes a protected app, but the kernel's out-of-memory killer "
        "may still pick it.",
    ),
}


def helper_status(code: str) -> tuple[str, str]:
    """A headline and an explanation for the ``HelperStatus`` property."""
    group = _HELPER_GROUPS.get(code)
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
    return code == "applied"
