# SPDX-License-Identifier: GPL-3.0-or-later
"""The settings page's logic: the monitor's settings in words, checked as the monitor checks them,
and changed through the monitor.

The monitor keeps the settings (its config file) and is the only one that writes them: the page
reads the ``Settings`` property and changes them with ``SetSettings``, which saves them and puts
them in force at once (packaging/dbus/io.github.memwarden.Monitor1.xml). Without a monitor there
is nothing to change (the tray starts one by itself), so the page is read-only then.

What a value may be, and how values go together, is core/settings.py's table, the one the monitor
checks with: the page refuses what the monitor would refuse before asking, in the same terms. The
preview's bytes are core's computation too (:func:`~memwarden.core.settings.thresholds_for`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from PySide6.QtCore import QCoreApplication, QLocale

from memwarden.core import reason_codes as codes
from memwarden.core.settings import (
    BY_KEY,
    Settings,
    SettingsError,
    Value,
    check_value,
    check_whole,
    settings_from_values,
)
from memwarden.core.threshold_bytes import thresholds_for
from memwarden.ui.link.client_api import MonitorClientApi
from memwarden.ui.link.monitor_calls import MonitorError
from memwarden.ui.words.formatting import duration, human_size, percent
from memwarden.ui.words.messages import error_words

#: The settings the page edits, in its order, each with its spin box's step.
EDITED: Final = {
    "warn_percent": 0.5, "close_percent": 0.5, "kill_percent": 0.5, "grace_seconds": 1.0,
    "horizon_seconds": 10.0, "psi_some_warn_percent": 5.0, "psi_full_percent": 5.0,
    "psi_full_seconds": 1.0,
}  # fmt: skip
#: The switches the page edits, each a check box.
SWITCHES: Final = ("pause_growing",)

#: The reason codes of SetSettings, and of the checks the page makes first.
_SETTINGS_REASONS: Final = codes.SETTINGS_ERRORS | {codes.NO_CONFIG_FILE, codes.NOT_SAVED}


_t = QCoreApplication.translate  # lupdate knows it (Makefile: -tr-function-alias)


def decimals(key: str) -> int:
    """The spin box's decimals: one for a step below 1, else none."""
    return 1 if EDITED[key] < 1 else 0


def spin_range(key: str) -> tuple[float, float]:
    """The spin box's range for ``key``: the table's bounds, less a value that would always hold
    (by the box's smallest step)."""
    row = BY_KEY[key]
    unit = 10.0 ** -decimals(key)
    low = row.low + unit if row.always == row.low else row.low
    high = row.high - unit if row.always == row.high else row.high
    return float(low), float(high)


def saved_settings(properties: Mapping[str, Any]) -> Settings | None:
    """The monitor's ``Settings`` property as settings; None when there is none to show (not
    read yet, or a monitor too old to have it)."""
    values = properties.get("Settings")
    if not isinstance(values, dict) or not values:
        return None
    try:
        return settings_from_values(values)
    except SettingsError:
        return None


def read_only_reason(properties: Mapping[str, Any], connected: bool) -> str | None:
    """Why the settings cannot be changed now, in words; None when they can."""
    if not connected:
        return _t(
            "SettingsPresenter",
            "The monitor is not running, so the settings cannot be changed now. MemWarden starts "
            "it again by itself.",
        )
    if not str(properties.get("ConfigPath") or ""):
        return _t(
            "SettingsPresenter",
            "The monitor was started without a settings file (--no-config): its limits are set "
            "on its command line and cannot be changed here.",
        )
    if saved_settings(properties) is None:
        return _t(
            "SettingsPresenter",
            "This monitor is older than the window and cannot change its settings: restart it.",
        )
    return None


def from_flags(properties: Mapping[str, Any]) -> str:
    """A sentence naming the settings the monitor's command line sets (they win over the file),
    or ``""``."""
    keys = [str(k) for k in properties.get("SettingsFromFlags") or () if str(k) in BY_KEY]
    if not keys:
        return ""
    # A switch's key does not say which of its flags was given: both are named.
    return _t(
        "SettingsPresenter",
        "The monitor's command line sets %1; while it runs, those win over what is saved here.",
    ).replace("%1", ", ".join("/".join(BY_KEY[k].flags) for k in keys))


def with_defaults(settings: Settings) -> Settings:
    """``settings`` with the page's settings at their defaults (the others kept)."""
    return settings.with_values({key: BY_KEY[key].default for key in (*EDITED, *SWITCHES)})


def changes(saved: Settings, edited: Settings) -> dict[str, Value]:
    """What the page changed: key -> new value. A saved value the spin box can only show rounded
    (15.25 in a box of one decimal) is not a change."""
    changed: dict[str, Value] = {}
    for key in EDITED:
        old, new = saved.value(key), edited.value(key)
        if new is None:  # never for the page's settings: they all have a default
            continue
        if old is None or abs(new - old) > 10.0 ** -decimals(key) / 2 + 1e-9:
            changed[key] = new
    for key in SWITCHES:  # a check box shows its value exactly
        if edited.value(key) != saved.value(key):
            changed[key] = bool(edited.value(key))
    return changed


def problem_words(reason: str, key: str = "") -> str:
    """A sentence for a setting the monitor refuses (a ``SetSettings`` reason code)."""
    words = {
        codes.OUT_OF_ORDER: _t(
            "SettingsPresenter",
            "The limits must be in order: warn first, then close, then close at once "
            "(warn ≥ close ≥ at once).",
        ),
        codes.OUT_OF_RANGE: _t("SettingsPresenter", "A value is out of range."),
        codes.WRONG_TYPE: _t("SettingsPresenter", "A value is out of range."),
        codes.UNKNOWN_SETTING: _t(
            "SettingsPresenter",
            "The monitor does not know one of these settings (%1): it may be older than the "
            "window; restart it.",
        ).replace("%1", key),
        codes.SET_AND_RESET: _t(
            "SettingsPresenter", "A setting was both changed and reset (%1)."
        ).replace("%1", key),
        codes.ALWAYS_HOLDS: _t(
            "SettingsPresenter",
            "A value would always hold, so MemWarden would close one app after another.",
        ),
        codes.ABOVE_MEMORY: _t(
            "SettingsPresenter", "A limit in MiB is at or above this computer's memory and swap."
        ),
        codes.NO_CONFIG_FILE: _t(
            "SettingsPresenter",
            "The monitor runs without a settings file (--no-config): nothing can be saved.",
        ),
        codes.NOT_SAVED: _t(
            "SettingsPresenter",
            "The monitor could not write its settings file; nothing was changed.",
        ),
    }
    text = words.get(reason)
    if text is not None:
        return text
    return _t("SettingsPresenter", "The monitor refused the settings (%1).").replace(
        "%1", f"{reason}: {key}" if key else reason
    )


def validation_error(settings: Settings) -> str | None:
    """Why the monitor would refuse these settings, in words; None when it would take them."""
    try:
        for key in (*EDITED, *SWITCHES):
            check_value(BY_KEY[key], settings.value(key))
        check_whole(settings)
    except SettingsError as exc:
        return problem_words(exc.reason, exc.key)
    return None


def describe(
    config: Settings, mem_total: int, swap_total: int, locale: QLocale | None = None
) -> list[str]:
    """The settings as sentences a person understands, with this machine's numbers."""
    loc = locale
    lines = []
    if mem_total:
        th = thresholds_for(config, mem_total, swap_total)
        warn, close, kill = (
            human_size(th.warn_bytes, loc),
            human_size(th.close_bytes, loc),
            human_size(th.kill_bytes, loc),
        )
    else:
        warn = close = kill = "?"
    lines.append(
        _t("SettingsPresenter", "You get a warning when less than %1 of memory is free.").replace(
            "%1", warn
        )
    )
    lines.append(
        _t(
            "SettingsPresenter",
            "Below %1, MemWarden asks one app to close (one you chose to sacrifice, or else the "
            "one that really holds the memory) and gives it %2 to save its work.",
        )
        .replace("%1", close)
        .replace("%2", duration(config.grace_seconds, loc))
    )
    if config.pause_growing:
        lines.append(
            _t(
                "SettingsPresenter",
                "If that app is still growing, MemWarden pauses it instead and asks you whether "
                "to resume it, close it, or protect it and resume it.",
            )
        )
    else:
        lines.append(
            _t(
                "SettingsPresenter",
                "It does so even when that app is still growing: pausing it to ask you first is "
                "off.",
            )
        )
    lines.append(
        _t(
            "SettingsPresenter", "Below %1, it closes that app at once, before the system freezes."
        ).replace("%1", kill)
    )
    lines.append(
        _t(
            "SettingsPresenter",
            "You are also warned when, at the current rate, memory would run out within %1, "
            "even if there is still plenty free.",
        ).replace("%1", duration(config.horizon_seconds, loc))
    )
    lines.append(
        _t(
            "SettingsPresenter",
            "And when programs spend more than %1 of their time waiting for memory; if everything "
            "is stalled more than %2 of the time for %3, an app is closed.",
        )
        .replace("%1", percent(config.psi_some_warn_percent, loc))
        .replace("%2", percent(config.psi_full_percent, loc))
        .replace("%3", duration(config.psi_full_seconds, loc))
    )
    if any(v is not None for v in (config.warn_mib, config.close_mib, config.kill_mib)):
        lines.append(
            _t(
                "SettingsPresenter",
                "Your settings file sets some limits in MiB; those take the place of the "
                "percentages. Edit the file to change them.",
            )
        )
    return lines


def in_force(thresholds: dict[str, int], locale: QLocale | None = None) -> str:
    """The monitor's thresholds now (``Thresholds`` property), in one sentence."""
    if not {"warn", "close", "kill"} <= thresholds.keys():
        return ""
    return (
        _t("SettingsPresenter", "In force now: warn below %1, close below %2, at once below %3.")
        .replace("%1", human_size(thresholds["warn"], locale))
        .replace("%2", human_size(thresholds["close"], locale))
        .replace("%3", human_size(thresholds["kill"], locale))
    )


async def apply_settings(
    client: MonitorClientApi, changed: Mapping[str, Value]
) -> tuple[bool, str]:
    """Have the monitor save ``changed`` and put it in force (``SetSettings``).

    Returns:
        Whether it did, and a sentence saying so (or why not).
    """
    try:
        await client.set_settings(dict(changed), [])
    except MonitorError as exc:
        if exc.reason in _SETTINGS_REASONS or exc.detail:  # a newer code names its key too
            return False, problem_words(exc.reason, exc.detail)
        return False, _t("SettingsPresenter", "The settings were not changed: %1").replace(
            "%1", error_words(exc)
        )
    return True, _t("SettingsPresenter", "Saved and in force.")
