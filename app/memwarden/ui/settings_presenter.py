# SPDX-License-Identifier: GPL-3.0-or-later
"""The settings page's logic: read the monitor's config file, describe the thresholds in words,
validate and save changes, and have the monitor re-read them.

Why the file and not a D-Bus method: the monitor's API has no ``SetThresholds``; its config file
is the one place settings live (it is what a person edits by hand too), the monitor tells us where
it is (``ConfigPath``), and ``ReloadConfig`` makes a change take effect at once. The window writes
it with the monitor's own :class:`~memwarden.monitor.config.ConfigStore` (atomic replace) after
validating it with the monitor's own rules, so the two can never disagree about what is valid.
The file is read again just before writing, so rules the monitor saved meanwhile are kept.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale

from memwarden.core.meminfo import MemInfo
from memwarden.core.watch_state import Thresholds
from memwarden.monitor.config import (
    Config,
    ConfigError,
    ConfigStore,
    config_from_dict,
    default_config_path,
)
from memwarden.monitor.config_file import UnusableConfigFile, read_config_bytes
from memwarden.ui.client_api import MonitorClientApi
from memwarden.ui.formatting import duration, human_size, percent


@dataclass(frozen=True, slots=True)
class SettingsValues:
    """What the page edits (a subset of :class:`Config`, same names and units)."""

    warn_percent: float
    close_percent: float
    kill_percent: float
    horizon_seconds: float
    grace_seconds: float
    psi_some_warn_percent: float
    psi_full_percent: float
    psi_full_seconds: float

    @classmethod
    def from_config(cls, config: Config) -> SettingsValues:
        """The values of a config."""
        return cls(**{f.name: getattr(config, f.name) for f in dataclasses.fields(cls)})

    def apply_to(self, config: Config) -> Config:
        """A copy of ``config`` with these values (rules and absolute limits kept)."""
        return dataclasses.replace(
            config, **{f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        )


def defaults() -> SettingsValues:
    """The values of a fresh config."""
    return SettingsValues.from_config(Config())


def read_config(path: Path) -> tuple[Config, str | None]:
    """The config in ``path`` (defaults when missing), and why it could not be used, if so.

    Unlike :meth:`ConfigStore.load` this never moves or writes the file: that is the monitor's
    job, and the window must not race it.
    """
    try:
        # As the monitor reads it: a FIFO or /dev/zero there must not hang or exhaust the tray.
        text = read_config_bytes(path).decode("utf-8")
    except FileNotFoundError:
        return Config(), None
    except (OSError, UnicodeDecodeError, UnusableConfigFile) as exc:
        return Config(), str(exc)
    try:
        return config_from_dict(tomllib.loads(text)), None
    except (tomllib.TOMLDecodeError, ConfigError) as exc:
        return Config(), str(exc)


def config_path(properties: dict[str, Any], connected: bool) -> Path | None:
    """Where the settings live: the monitor's ``ConfigPath``, or the default file when no monitor
    runs. None when the monitor runs without a file (``--no-config``): nothing to edit here.
    """
    if not connected:
        return default_config_path()
    path = str(properties.get("ConfigPath") or "")
    return Path(path) if path else None


def validation_error(values: SettingsValues) -> str | None:
    """Why these values cannot be saved, in words; None when they can."""
    if not values.kill_percent <= values.close_percent <= values.warn_percent:
        return QCoreApplication.translate(
            "SettingsPresenter",
            "The limits must be in order: warn first, then close, then close at once "
            "(warn ≥ close ≥ at once).",
        )
    config = values.apply_to(Config())
    try:
        config_from_dict(_as_document(config))
    except ConfigError:
        return QCoreApplication.translate("SettingsPresenter", "A value is out of range.")
    return None


def _as_document(config: Config) -> dict[str, Any]:
    """``config`` as the TOML document :func:`config_from_dict` validates."""
    thresholds = {
        name: getattr(config, name)
        for name in (
            "warn_percent", "close_percent", "kill_percent", "warn_mib", "close_mib", "kill_mib",
            "horizon_seconds", "grace_seconds", "psi_full_percent", "psi_full_seconds",
            "psi_some_warn_percent",
        )
        if getattr(config, name) is not None
    }  # fmt: skip
    return {
        "thresholds": thresholds,
        "apps": {"protect": list(config.protect), "prefer": list(config.prefer)},
    }


def save_values(path: Path, values: SettingsValues) -> Config:
    """Write ``values`` into the config at ``path``, keeping everything else in it.

    Raises:
        ValueError: the values do not validate (the message is in words).
        OSError: the file cannot be written.
    """
    why = validation_error(values)
    if why is not None:
        raise ValueError(why)
    current, _error = read_config(path)
    config = values.apply_to(current)
    config_from_dict(_as_document(config))  # the monitor's own rules, once more
    store = ConfigStore(path)
    store.save(config)
    if store.error:
        raise OSError(store.error)
    return config


def thresholds_for(config: Config, mem_total: int, swap_total: int) -> Thresholds:
    """The thresholds in bytes this config gives on a machine (the monitor's own computation)."""
    meminfo = MemInfo(
        mem_total_kib=mem_total // 1024,
        mem_free_kib=0,
        mem_available_kib=0,
        swap_total_kib=swap_total // 1024,
        swap_free_kib=0,
        shmem_kib=0,
    )
    return config.thresholds(meminfo)


def describe(
    config: Config, mem_total: int, swap_total: int, locale: QLocale | None = None
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
        QCoreApplication.translate(
            "SettingsPresenter", "You get a warning when less than %1 of memory is free."
        ).replace("%1", warn)
    )
    lines.append(
        QCoreApplication.translate(
            "SettingsPresenter",
            "Below %1, MemWarden asks one app to close (one you chose to sacrifice, or else the "
            "one that really holds the memory) and gives it %2 to save its work.",
        )
        .replace("%1", close)
        .replace("%2", duration(config.grace_seconds, loc))
    )
    lines.append(
        QCoreApplication.translate(
            "SettingsPresenter", "Below %1, it closes that app at once, before the system freezes."
        ).replace("%1", kill)
    )
    lines.append(
        QCoreApplication.translate(
            "SettingsPresenter",
            "You are also warned when, at the current rate, memory would run out within %1, "
            "even if there is still plenty free.",
        ).replace("%1", duration(config.horizon_seconds, loc))
    )
    lines.append(
        QCoreApplication.translate(
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
            QCoreApplication.translate(
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
        QCoreApplication.translate(
            "SettingsPresenter", "In force now: warn below %1, close below %2, at once below %3."
        )
        .replace("%1", human_size(thresholds["warn"], locale))
        .replace("%2", human_size(thresholds["close"], locale))
        .replace("%3", human_size(thresholds["kill"], locale))
    )


async def apply_settings(
    client: MonitorClientApi, path: Path, values: SettingsValues, connected: bool
) -> tuple[bool, str]:
    """Save ``values`` and have the monitor use them. Returns (saved, a sentence saying so)."""
    try:
        save_values(path, values)
    except ValueError as exc:
        return False, str(exc)
    except OSError as exc:
        return False, QCoreApplication.translate(
            "SettingsPresenter", "Could not save the settings: %1"
        ).replace("%1", str(exc))
    if not connected:
        return True, QCoreApplication.translate(
            "SettingsPresenter", "Saved. The monitor will use them when it starts."
        )
    try:
        await client.reload_config()
    except Exception as exc:
        code = getattr(exc, "reason", "") or type(exc).__name__
        return True, QCoreApplication.translate(
            "SettingsPresenter", "Saved, but the monitor did not reload them (%1)."
        ).replace("%1", str(code))
    return True, QCoreApplication.translate("SettingsPresenter", "Saved and in force.")
