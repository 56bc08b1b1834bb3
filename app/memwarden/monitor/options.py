# SPDX-License-Identifier: GPL-3.0-or-later
"""The ``memwarden monitor`` flags, apart from the monitor itself: building the command line's
parser (for ``memwarden scan`` too) must not load asyncio, D-Bus and the engine."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

MiB = 1024 * 1024
#: The config file's bounds for the grace period (monitor/config.py's schema).
MAX_GRACE_S = 120.0


def _mib(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of MiB") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative")
    return value


def _percent(text: str) -> float:
    # 100 % or more would always hold: memory left is always below RAM + swap.
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value < 100:
        raise argparse.ArgumentTypeError(f"{value} is not in [0, 100)")
    return value


def _grace(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value <= MAX_GRACE_S:
        raise argparse.ArgumentTypeError(f"{value} is not in [0, {MAX_GRACE_S:g}]")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``memwarden monitor`` flags."""
    kill = parser.add_mutually_exclusive_group()
    kill.add_argument(
        "--kill-below-mib", type=_mib, metavar="N",
        help="close the responsible app when available memory + free swap falls below N MiB "
        "(SIGTERM, then SIGKILL after the grace period); kill at once below N/2",
    )
    kill.add_argument(
        "--kill-below-percent", type=_percent, metavar="P",
        help="the same, as a percentage of RAM + swap (kill at once below P/2)",
    )
    parser.add_argument("--warn-below-mib", type=_mib, metavar="N",
                        help="warn when available memory + free swap falls below N MiB")
    parser.add_argument("--grace-seconds", type=_grace, metavar="S",
                        help="how long an app may take to exit after SIGTERM (default 5)")
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
                        help="ignore the config file: defaults and flags only")
    parser.add_argument("--no-dbus", action="store_true", help="do not export the D-Bus API")
    parser.add_argument("--no-helper", action="store_true",
                        help="do not use the privileged helper (protection stays ours only)")
    parser.add_argument("--verbose", "-v", action="store_true", help="log more")


def overrides_from(args: argparse.Namespace) -> dict[str, Any]:
    """Config overrides from the flags."""
    overrides: dict[str, Any] = {}
    if args.kill_below_mib is not None:
        overrides["close_mib"] = args.kill_below_mib
        overrides["kill_mib"] = args.kill_below_mib // 2
    if args.kill_below_percent is not None:
        overrides["close_percent"] = args.kill_below_percent
        overrides["kill_percent"] = args.kill_below_percent / 2
        # Warn 5 points earlier (at least at 15 %), but below 100 %, which would always hold.
        warn = max(args.kill_below_percent + 5, 15.0)
        overrides["warn_percent"] = min(warn, (args.kill_below_percent + 100) / 2)
    if args.warn_below_mib is not None:
        overrides["warn_mib"] = args.warn_below_mib
    if args.grace_seconds is not None:
        overrides["grace_seconds"] = args.grace_seconds
    return overrides


def flag_problem(args: argparse.Namespace, mem_total_kib: int, swap_total_kib: int) -> str | None:
    """Why an absolute threshold flag cannot be used on this machine, or None.

    Memory left is always below RAM + swap, so a threshold at or above it would always hold (with
    ``--kill-below-mib`` that closes every app in turn); earlyoom refuses ``-M`` likewise.
    """
    total = (mem_total_kib + swap_total_kib) * 1024
    for flag, value in (("--kill-below-mib", args.kill_below_mib),
                        ("--warn-below-mib", args.warn_below_mib)):  # fmt: skip
        if value is not None and value * MiB >= total:
            return (
                f"{flag} {value} is at or above this machine's memory and swap "
                f"({total // MiB} MiB), so it would always hold"
            )
    return None
