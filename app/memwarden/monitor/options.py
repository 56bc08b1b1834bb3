# SPDX-License-Identifier: GPL-3.0-or-later
"""The ``memwarden monitor`` flags, apart from the monitor itself: building the command line's
parser (for ``memwarden scan`` too) must not load asyncio, D-Bus and the engine.

Every setting of core/settings.py's table is a flag of the same name (``close_mib`` is
``--close-mib``), bounded as the table says; a switch has an "off" flag too (``--pause-growing``,
``--no-pause-growing``). A flag wins over the config file while the monitor runs (the D-Bus
``SettingsFromFlags`` property lists the keys). The flags of earlier versions still work as they
did:

* ``--kill-below-mib N``: ``close_mib`` N and ``kill_mib`` N/2 (close below N, kill below N/2);
* ``--kill-below-percent P``: ``close_percent`` P, ``kill_percent`` P/2, and ``warn_percent``
  5 points above P (at least 15, and halfway to 100 at most);
* ``--warn-below-mib N``: ``warn_mib`` N;
* ``--grace-seconds S`` is the table's own flag.

A table flag given with an older one wins for its own key (``--kill-below-mib 800 --kill-mib 100``
closes below 800 MiB and kills below 100).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from memwarden.core.settings import (
    BY_KEY,
    SETTINGS,
    SWITCH,
    Setting,
    Settings,
    SettingsError,
    Value,
    check_fits,
    check_value,
    check_whole,
    number,
)

_METAVARS = {"%": "P", "MiB": "N", "s": "S"}

#: The earlier flags: (flag, the table setting whose bounds it has, what it sets, in words).
_OLDER_FLAGS = (
    ("--kill-below-mib", "close_mib",
     "close the responsible app below N MiB left (SIGTERM, then SIGKILL after the grace "
     "period) and kill it at once below N/2: sets --close-mib N and --kill-mib N/2"),
    ("--kill-below-percent", "close_percent",
     "the same as a percentage of RAM + swap: sets --close-percent P, --kill-percent P/2 and "
     "--warn-percent 5 points above P (at least 15)"),
    ("--warn-below-mib", "warn_mib", "warn below N MiB left: sets --warn-mib N"),
)  # fmt: skip


def _dest(flag: str) -> str:
    return flag.lstrip("-").replace("-", "_")


def _value_parser(row: Setting) -> Callable[[str], Value]:
    """An argparse type: a number the table accepts for ``row``."""

    def parse(text: str) -> Value:
        try:
            value: float = int(text) if row.whole else float(text)
        except ValueError:
            kind = "a whole number of MiB" if row.whole else "a number"
            raise argparse.ArgumentTypeError(f"{text!r} is not {kind}") from None
        if value < 0 <= row.low:
            raise argparse.ArgumentTypeError(f"{number(value)} is negative")
        try:
            return check_value(row, value)
        except SettingsError:
            raise argparse.ArgumentTypeError(f"{value} is not in {row.bounds()}") from None

    return parse


def _help(row: Setting) -> str:
    if row.kind == SWITCH:
        return f"{row.description} (default: {'on' if row.default else 'off'})"
    # argparse formats help with %: a literal one is written twice.
    return f"{row.description} ({row.unit}, {row.bounds()}; default {row.default_text()})".replace(
        "%", "%%"
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``memwarden monitor`` flags."""
    limits = parser.add_argument_group(
        "settings", "the config file's settings; a flag wins over the file while the monitor runs"
    )
    for row in SETTINGS:
        if row.kind == SWITCH:
            # --x and --no-x; None when neither is given, so that the file's value applies.
            limits.add_argument(row.flag, dest=row.key, action=argparse.BooleanOptionalAction,
                                default=None, help=_help(row))  # fmt: skip
            continue
        limits.add_argument(row.flag, dest=row.key, type=_value_parser(row),
                            metavar=_METAVARS[row.unit], help=_help(row))  # fmt: skip
    older = parser.add_argument_group(
        "older flags", "kept working as they always did (--grace-seconds is a setting's own flag)"
    )
    kill = older.add_mutually_exclusive_group()
    for flag, key, words in _OLDER_FLAGS:
        group = kill if flag.startswith("--kill-below") else older
        group.add_argument(flag, dest=_dest(flag), type=_value_parser(BY_KEY[key]),
                           metavar=_METAVARS[BY_KEY[key].unit], help=words)  # fmt: skip
    parser.add_argument("--protect", action="append", default=[], metavar="NAME",
                        help="never close this app (id, name, process name); repeatable")
    parser.add_argument("--prefer", action="append", default=[], metavar="NAME",
                        help="close this app first; repeatable")
    parser.add_argument("--dry-run", action="store_true",
                        help="decide and report, but never send a signal")
    parser.add_argument("--json-events", action="store_true",
                        help="print one JSON object per event on stdout")
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help="the config file (default: the user's config directory)")
    parser.add_argument("--no-config", action="store_true",
                        help="ignore the config file: defaults and flags only (settings cannot "
                        "be changed over D-Bus then)")
    parser.add_argument("--no-dbus", action="store_true", help="do not export the D-Bus API")
    parser.add_argument("--no-helper", action="store_true",
                        help="do not use the privileged helper (protection stays ours only)")
    parser.add_argument("--verbose", "-v", action="store_true", help="log more")


def flag_settings(args: argparse.Namespace) -> dict[str, tuple[str, Value]]:
    """What the flags set: key -> (the flag as given, the value)."""
    found: dict[str, tuple[str, Value]] = {}
    mib = getattr(args, "kill_below_mib", None)
    if mib is not None:
        found["close_mib"] = ("--kill-below-mib", mib)
        found["kill_mib"] = ("--kill-below-mib", mib // 2)
    percent = getattr(args, "kill_below_percent", None)
    if percent is not None:
        found["close_percent"] = ("--kill-below-percent", percent)
        found["kill_percent"] = ("--kill-below-percent", percent / 2)
        # Warn 5 points earlier (at least at 15 %), but below 100 %, which would always hold.
        warn = min(max(percent + 5, 15.0), (percent + 100) / 2)
        found["warn_percent"] = ("--kill-below-percent", warn)
    if getattr(args, "warn_below_mib", None) is not None:
        found["warn_mib"] = ("--warn-below-mib", args.warn_below_mib)
    for row in SETTINGS:  # the table's own flags win over the older ones
        value = getattr(args, row.key, None)
        if value is not None:
            off = row.kind == SWITCH and not value
            found[row.key] = (row.flags[-1] if off else row.flag, value)
    return found


def overrides_from(args: argparse.Namespace) -> dict[str, Any]:
    """Config overrides from the flags: key -> value."""
    return {key: value for key, (_flag, value) in flag_settings(args).items()}


def flag_problem(
    args: argparse.Namespace, total_bytes: int, base: Settings | None = None
) -> str | None:
    """Why the flags cannot be used on this machine, or None.

    Memory left is always below RAM + swap (``total_bytes``), so an absolute threshold at or
    above it would always hold (with ``--kill-below-mib`` that closes every app in turn); earlyoom
    refuses ``-M`` likewise (docs/peers.md). With ``base`` (the file's settings), the flags must
    also keep the percentages in order on top of it.
    """
    found = flag_settings(args)
    flags = {key: value for key, (_flag, value) in found.items()}
    try:
        check_fits(Settings().with_values(flags), total_bytes)
    except SettingsError as exc:
        flag, value = found[exc.key]
        return (
            f"{flag} {number(value)} is at or above this machine's memory and swap "
            f"({total_bytes >> 20} MiB), so it would always hold"
        )
    if base is not None:
        try:
            check_whole(base.with_values(flags))
        except SettingsError as exc:
            given = sorted({found[key][0] for key in exc.key.split(",") if key in found})
            if given:
                return f"{', '.join(given)}: {exc} (with the config file's other values)"
    return None
