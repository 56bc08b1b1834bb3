# SPDX-License-Identifier: GPL-3.0-or-later
"""Every setting of the monitor in one table, and what is derived from it.

Each setting has one name, its key in :data:`SETTINGS`: the config file's key (in its table),
the key in the monitor's ``Settings`` property and ``SetSettings`` method, and, with dashes, the
flag of ``memwarden monitor`` (``close_mib`` is ``--close-mib``). A setting is a number or a switch
(true or false: ``pause_growing``, flags ``--pause-growing`` and ``--no-pause-growing``). The table
gives its kind, type, unit, bounds, default, the value at which it would always hold and a one-line
description; from it come the validation (:func:`check_value` for one value, :func:`check_whole`
for how values go together, :func:`check_fits` for this machine), the file's text
(core/settings_file.py), the flags (monitor/options.py) and the settings page's ranges
(ui/window/settings_presenter.py). The thresholds in bytes are core/threshold_bytes.py's.

Protect/prefer names are the ``[apps]`` table; they are changed by rule (``SetAppRule``), not
through ``SetSettings``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeAlias

from memwarden.core import reason_codes as codes
from memwarden.core.policy import MAX_RULES, Rules
from memwarden.core.rule_codes import NORMAL, PREFER, PROTECT

MiB: Final = 1024 * 1024

#: The kinds of setting: a number, bounded and in a unit, or a switch, true or false.
NUMBER: Final = "number"
SWITCH: Final = "switch"

#: A setting's value: a number, or a bool for a switch.
Value: TypeAlias = float | bool


class SettingsError(ValueError):
    """A value or a combination of values that cannot be used.

    Attributes:
        reason: A reason code: ``unknown-setting``, ``unknown-table``, ``wrong-type``,
            ``out-of-range``, ``always-holds``, ``out-of-order``, ``above-memory``,
            ``set-and-reset``, ``bad-names``, ``too-many-names``, ``protected-and-preferred``,
            ``bad-version``, ``newer-version``.
        key: The setting (or table) concerned; for ``out-of-order`` the two keys, comma-separated.
    """

    def __init__(self, reason: str, key: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.key = key


@dataclass(frozen=True, slots=True)
class Setting:
    """One row of the table.

    Attributes:
        key: The setting's one name.
        table: The config file's table that holds it.
        whole: A whole number (MiB); else any number (False for a switch).
        unit: ``%`` (of RAM + swap, or of the time for PSI), ``MiB`` or ``s``; ``""`` for a
            switch.
        low: The smallest value accepted (a number's).
        high: The largest value accepted (a number's).
        default: The value when unset; None: unset means "not used" (the ``*_mib`` limits).
        always: A value at which the threshold would always hold, refused (memory left is always
            below 100 % of RAM + swap; PSI is never below 0 %), or None.
        description: One line for a person: the file's comment and the flag's help.
        kind: :data:`NUMBER` or :data:`SWITCH` (only a bool is taken for a switch, and never a
            bool for a number).
    """

    key: str
    table: str
    whole: bool
    unit: str
    low: float
    high: float
    default: Value | None
    always: float | None
    description: str
    kind: str = NUMBER

    @property
    def flag(self) -> str:
        """The ``memwarden monitor`` flag: ``--close-mib``; a switch's "on" flag."""
        return "--" + self.key.replace("_", "-")

    @property
    def flags(self) -> tuple[str, ...]:
        """Every flag that sets it: a switch has an "off" flag too (``--no-pause-growing``)."""
        return (self.flag, "--no-" + self.flag[2:]) if self.kind == SWITCH else (self.flag,)

    def bounds(self) -> str:
        """The accepted values: an interval, ``[0, 100)`` when 100 would always hold; ``true or
        false`` for a switch."""
        if self.kind == SWITCH:
            return "true or false"
        opening = "(" if self.always == self.low else "["
        closing = ")" if self.always == self.high else "]"
        return f"{opening}{number(self.low)}, {number(self.high)}{closing}"

    def default_text(self) -> str:
        """The default as the file's comments and the flags' help give it: ``15 %``, ``unset``,
        ``true``."""
        if self.default is None:
            return "unset"
        if isinstance(self.default, bool):
            return "true" if self.default else "false"
        return f"{number(self.default)} {self.unit}"


def number(value: float) -> str:
    """A value as a person writes it: ``100``, ``0.5``, ``1099511627776`` (never ``1e+12``)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _percent(key: str, default: float, always: float, description: str) -> Setting:
    return Setting(key, "thresholds", False, "%", 0, 100, default, always, description)


def _mib(key: str, description: str) -> Setting:
    return Setting(key, "thresholds", True, "MiB", 0, 1 << 40, None, None, description)


def _switch(key: str, table: str, default: bool, description: str) -> Setting:
    return Setting(key, table, False, "", 0, 1, default, None, description, SWITCH)


#: Every setting. Memory left is ``MemAvailable + SwapFree``; percentages are of
#: ``MemTotal + SwapTotal`` (docs/kernel-memory.md).
SETTINGS: Final = (
    _percent("warn_percent", 15.0, 100,
             "warn when memory left is at or below this share of RAM + swap"),
    _percent("close_percent", 10.0, 100,
             "close the chosen app gracefully (SIGTERM, SIGKILL after grace_seconds) at or below "
             "this share"),
    _percent("kill_percent", 5.0, 100,
             "kill the chosen app at once (SIGKILL) at or below this share"),
    _mib("warn_mib", "warn at or below this many MiB left, instead of warn_percent"),
    _mib("close_mib",
         "close gracefully at or below this many MiB left, instead of close_percent (without "
         "kill_mib: kill at half of it)"),
    _mib("kill_mib", "kill at once at or below this many MiB left, instead of kill_percent"),
    Setting("horizon_seconds", "thresholds", False, "s", 1, 3600, 60.0, None,
            "warn when, at the current rate, memory would run out within this many seconds"),
    Setting("grace_seconds", "thresholds", False, "s", 0, 120, 5.0, None,
            "how long an app may take to exit after SIGTERM before SIGKILL"),
    _percent("psi_full_percent", 60.0, 0,
             "close an app when PSI memory 'full' (avg10) stays at or above this share of the "
             "time for psi_full_seconds"),
    Setting("psi_full_seconds", "thresholds", False, "s", 0, 600, 10.0, None,
            "how long PSI memory 'full' must stay at or above psi_full_percent"),
    _percent("psi_some_warn_percent", 25.0, 0,
             "warn when PSI memory 'some' (avg10) is at or above this share of the time"),
    _switch("pause_growing", "actions", True,
            "pause an app that is still growing at the close threshold and ask what to do, "
            "instead of closing it"),
)  # fmt: skip
BY_KEY: Final = {setting.key: setting for setting in SETTINGS}
#: The tables that hold settings, in file order; ``[apps]`` holds the rule lists.
TABLES: Final = tuple(dict.fromkeys(setting.table for setting in SETTINGS))
APPS_TABLE: Final = "apps"
NAME_LISTS: Final = (PROTECT, PREFER)
MIB_KEYS: Final = tuple(s.key for s in SETTINGS if s.unit == "MiB")


def _default(key: str) -> Any:
    return BY_KEY[key].default


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting's value (defaults from :data:`SETTINGS`; a test checks the fields match it),
    and the rule lists."""

    warn_percent: float = _default("warn_percent")
    close_percent: float = _default("close_percent")
    kill_percent: float = _default("kill_percent")
    warn_mib: int | None = _default("warn_mib")
    close_mib: int | None = _default("close_mib")
    kill_mib: int | None = _default("kill_mib")
    horizon_seconds: float = _default("horizon_seconds")
    grace_seconds: float = _default("grace_seconds")
    psi_full_percent: float = _default("psi_full_percent")
    psi_full_seconds: float = _default("psi_full_seconds")
    psi_some_warn_percent: float = _default("psi_some_warn_percent")
    pause_growing: bool = _default("pause_growing")
    protect: tuple[str, ...] = ()
    prefer: tuple[str, ...] = ()

    def value(self, key: str) -> Value | None:
        """The value of the table's setting ``key`` (None: an unset ``*_mib``)."""
        value: Value | None = getattr(self, BY_KEY[key].key)
        return value

    def rules(self) -> Rules:
        """The protect/prefer rules."""
        return Rules(protect=self.protect, prefer=self.prefer)

    def with_rule(self, name: str, rule: str) -> Settings:
        """A copy where ``name`` is protected, preferred or neither (``normal``)."""
        protect = tuple(n for n in self.protect if n != name)
        prefer = tuple(n for n in self.prefer if n != name)
        if rule == PROTECT:
            protect += (name,)
        elif rule == PREFER:
            prefer += (name,)
        elif rule != NORMAL:
            raise ValueError(f"unknown rule {rule!r}")
        return dataclasses.replace(self, protect=protect, prefer=prefer)

    def with_values(self, values: Mapping[str, Value | None]) -> Settings:
        """A copy with these table values (already checked: :func:`check_value`)."""
        changes: dict[str, Any] = {BY_KEY[key].key: v for key, v in values.items()}
        return dataclasses.replace(self, **changes)


# -- validation -----------------------------------------------------------------------------------


def setting(key: str) -> Setting:
    """The table's row for ``key``.

    Raises:
        SettingsError: ``unknown-setting``.
    """
    row = BY_KEY.get(key)
    if row is None:
        raise SettingsError(codes.UNKNOWN_SETTING, key, f"unknown setting {key!r}")
    return row


def check_value(row: Setting, value: object) -> Value:
    """``value`` for the setting ``row``, as its type (an int is taken for a number; a float is
    not taken for a whole number, nor a bool for a number; a switch takes a bool only).

    Raises:
        SettingsError: ``wrong-type``, ``out-of-range`` or ``always-holds``; the message names
            the table and the key, as the config file does.
    """
    where = f"[{row.table}] {row.key}"
    if row.kind == SWITCH:
        # TOML and D-Bus have a bool of their own: a number here is a mistake (a value meant
        # for another key, perhaps), refused as a bool is for a number.
        if not isinstance(value, bool):
            raise SettingsError(codes.WRONG_TYPE, row.key, f"{where} must be true or false")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SettingsError(codes.WRONG_TYPE, row.key, f"{where} must be a number")
    if row.whole and not isinstance(value, int):
        raise SettingsError(codes.WRONG_TYPE, row.key, f"{where} must be a whole number")
    # NaN compares false with everything: refused here, as an infinity is.
    if not (math.isfinite(value) and row.low <= value <= row.high):
        raise SettingsError(
            codes.OUT_OF_RANGE, row.key,
            f"{where} = {value} is out of range [{number(row.low)}, {number(row.high)}]",
        )  # fmt: skip
    if row.always is not None and value == row.always:
        raise SettingsError(codes.ALWAYS_HOLDS, row.key, f"{where} = {value} would always hold")
    return int(value) if row.whole else float(value)


def check_whole(settings: Settings) -> None:
    """How the values go together: ``kill_percent <= close_percent <= warn_percent``, and no name
    both protected and preferred. (The ``*_mib`` limits are put in order when the thresholds are
    computed, as they always were.)

    Raises:
        SettingsError: ``out-of-order`` or ``protected-and-preferred``.
    """
    for low, high in (("kill_percent", "close_percent"), ("close_percent", "warn_percent")):
        if (settings.value(low) or 0) > (settings.value(high) or 0):
            raise SettingsError(
                codes.OUT_OF_ORDER, f"{low},{high}",
                "[thresholds] need kill_percent <= close_percent <= warn_percent",
            )  # fmt: skip
    both = set(settings.protect) & set(settings.prefer)
    if both:
        raise SettingsError(
            "protected-and-preferred", APPS_TABLE,
            f"[apps] {', '.join(sorted(both))} both protected and preferred",
        )  # fmt: skip


def check_fits(settings: Settings, total_bytes: int) -> None:
    """Refuse absolute thresholds at or above this machine's RAM + swap (``total_bytes``): memory
    left is always below that, so ``kill_mib = 1099511627776`` closed every app, one every half
    second. (earlyoom refuses ``-M`` at or above total memory too: docs/peers.md.)

    Raises:
        SettingsError: ``above-memory``: which key, its value, and what the machine has.
    """
    for key in MIB_KEYS:
        value = settings.value(key)
        if value is not None and value * MiB >= total_bytes:
            raise SettingsError(
                codes.ABOVE_MEMORY, key,
                f"[thresholds] {key} = {value} is at or above this machine's memory and swap "
                f"({total_bytes // MiB} MiB), so it would always hold",
            )  # fmt: skip


def check_names(key: str, names: object) -> tuple[str, ...]:
    """An ``[apps]`` list: non-empty names, stripped, each once, at most ``MAX_RULES``.

    Raises:
        SettingsError: ``unknown-setting``, ``bad-names`` or ``too-many-names``.
    """
    if key not in NAME_LISTS:
        raise SettingsError(
            codes.UNKNOWN_SETTING, key, f"[apps] unknown key {key!r} (use protect, prefer)"
        )
    if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
        raise SettingsError("bad-names", key, f"[apps] {key} must be a list of non-empty names")
    unique = tuple(dict.fromkeys(n.strip() for n in names))
    if len(unique) > MAX_RULES:
        raise SettingsError(
            "too-many-names", key, f"[apps] {key} has {len(unique)} names: at most {MAX_RULES}"
        )
    return unique


def with_changes(
    settings: Settings, changes: Mapping[str, object], reset: Iterable[str] = ()
) -> Settings:
    """``settings`` with ``changes`` (key -> value) and the ``reset`` keys back to their default,
    checked as a whole (:func:`check_whole`; the machine's sizes are :func:`check_fits`'s).

    Raises:
        SettingsError: An unknown key, a bad value, a key both changed and reset, or values out
            of order.
    """
    values: dict[str, Value | None] = {}
    for key in reset:
        row = setting(key)
        values[row.key] = row.default
    for key, value in changes.items():
        row = setting(key)
        if row.key in values:
            raise SettingsError(codes.SET_AND_RESET, key, f"{key} is both changed and reset")
        values[key] = check_value(row, value)
    changed = settings.with_values(values)
    check_whole(changed)
    return changed


def saved_values(settings: Settings) -> dict[str, Value]:
    """Every table setting's value, by key; an unset ``*_mib`` is absent."""
    values = {row.key: settings.value(row.key) for row in SETTINGS}
    return {key: value for key, value in values.items() if value is not None}


def settings_from_values(values: Mapping[str, object]) -> Settings:
    """Settings from :func:`saved_values`' shape (the ``Settings`` property): keys this version
    does not know are ignored (a newer monitor may have more), an absent ``*_mib`` is unset.

    Raises:
        SettingsError: A known key with a bad value, or values out of order.
    """
    known = {key: check_value(BY_KEY[key], v) for key, v in values.items() if key in BY_KEY}
    settings = Settings().with_values(known)
    check_whole(settings)
    return settings
