# SPDX-License-Identifier: GPL-3.0-or-later
"""The ``memwarden monitor`` flags, apart from the monitor itself: building the command line's
parser (for ``memwarden scan`` too) must not load asyncio, D-Bus and the engine."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``memwarden monitor`` flags."""
    kill = parser.add_mutually_exclusive_group()
    kill.add_argument(
        "--kill-below-mib", type=int, metavar="N",
        help="close the responsible app when available memory + free swap falls below N MiB "
        "(SIGTERM, then SIGKILL after the grace period); kill at once below N/2",
    )
    kill.add_argument(
        "--kill-below-percent", type=float, metavar="P",
        help="the same, as a percentage of RAM + swap (kill at once below P/2)",
    )
    parser.add_argument("--warn-below-mib", type=int, metavar="N",
                        help="warn when available memory + free swap falls below N MiB")
    parser.add_argument("--grace-seconds", type=float, metavar="S",
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
        overrides["warn_percent"] = max(args.kill_below_percent + 5, 15.0)
    if args.warn_below_mib is not None:
        overrides["warn_mib"] = args.warn_below_mib
    if args.grace_seconds is not None:
        overrides["grace_seconds"] = args.grace_seconds
    return overrides
