# SPDX-License-Identifier: GPL-3.0-or-later
"""``memwarden``: the command line. ``memwarden`` alone starts the tray; subcommands import only
what they need (the scan never loads Qt), so ``memwarden scan`` starts fast and works on headless
machines.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from memwarden import __version__

if TYPE_CHECKING:
    from memwarden.core.policy import Rules


def _config_rules(path: Path) -> Rules:
    """The rules of the config file at ``path``, read as the monitor reads it but never moved
    or written (that is the monitor's job); no rules, and a line on stderr, when it is unusable.
    """
    from memwarden.core.policy import Rules
    from memwarden.monitor.config import UnreadableSettings, read_settings

    try:
        return read_settings(path)[0].rules()
    except FileNotFoundError:
        return Rules()
    except UnreadableSettings as exc:
        print(f"memwarden: {exc}; your rules are not shown", file=sys.stderr)
        return Rules()


def _scan(args: argparse.Namespace) -> int:
    from memwarden.core import report
    from memwarden.core.mounts import read_mount_table
    from memwarden.core.orphans import read_orphans
    from memwarden.core.scanner import Scanner
    from memwarden.core.sysvipc import read_sysvipc_shm
    from memwarden.monitor.config_file import default_config_path

    proc_root = Path(args.proc_root)
    snap = Scanner(proc_root, with_nvidia=not args.no_nvidia).scan(full=True)
    orphans = []
    if args.json or args.orphans:
        orphans = read_orphans(
            snap.held_shmem_keys, read_mount_table("self", proc_root), read_sysvipc_shm(proc_root)
        )
    if args.json:
        # Each app's rule as the monitor would decide it, from the rules in the user's config
        # file (docs/scan-json.md: "rule", "rule_source").
        rules = _config_rules(default_config_path())
        doc = report.snapshot_json(snap, orphans, rules=rules, per_process=args.per_process)
        json.dump(doc, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    limit = None if args.all else args.limit
    print(report.summary_line(snap))
    print()
    print(report.apps_table(snap, limit))
    if args.per_process:
        print()
        print(report.processes_table(snap, limit))
    if args.orphans:
        print()
        if orphans:
            print("Orphans (no process holds them; closing apps will not free this memory):")
            print(report.orphans_table(orphans))
        else:
            print("No orphan tmpfs files or SysV segments.")
    notes = []
    if snap.unreadable_count:
        n = snap.unreadable_count
        hint = "" if os.geteuid() == 0 else " (run as root to see all)"
        notes.append(
            f"* {n} {'process' if n == 1 else 'processes'} could not be inspected for hidden "
            "memory (another user's, or not dumpable): the kernel view is exact, the hidden view "
            f"a lower bound{hint}."
        )
    notes.append(
        "KERNEL# is the order in which the kernel's OOM killer would pick; OURS# counts the "
        "memory it cannot see (shmem/memfd, DMA-BUF, GPU)."
    )
    print()
    print("\n".join(notes))
    return 0


def _monitor(args: argparse.Namespace) -> int:
    # The monitor must stay small, and OpenSSL is 3.4 MiB of its RSS (bench/monitor.py). It speaks
    # D-Bus over a Unix socket and needs neither TLS nor OpenSSL's hashes, but asyncio imports ssl
    # to offer TLS transports and dbus_fast imports hashlib (a sha256 cache key), whose _hashlib
    # loads libcrypto. Both work without: asyncio with no TLS, hashlib with CPython's own hashes.
    for optional in ("ssl", "_hashlib"):
        sys.modules.setdefault(optional, None)  # type: ignore[arg-type]
    from memwarden.monitor.main import main as monitor_main

    return monitor_main(args)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (kept separate so tests can check the documented flags)."""
    parser = argparse.ArgumentParser(
        prog="memwarden",
        description="See the memory each app really holds, and guard against the OOM killer.",
    )
    parser.add_argument("--version", action="version", version=f"memwarden {__version__}")
    sub = parser.add_subparsers(dest="command")
    scan = sub.add_parser("scan", help="show per-app memory, including what the kernel cannot see")
    scan.add_argument("--json", action="store_true", help="print the JSON document (see README)")
    scan.add_argument("--per-process", action="store_true", help="also list processes")
    scan.add_argument("--orphans", action="store_true", help="list tmpfs files nobody holds")
    scan.add_argument("--all", action="store_true", help="do not limit the number of rows")
    scan.add_argument("--limit", type=int, default=20, help="rows per table (default 20)")
    scan.add_argument("--no-nvidia", action="store_true", help="do not ask NVML for VRAM")
    scan.add_argument("--proc-root", default="/proc", help=argparse.SUPPRESS)
    scan.set_defaults(func=_scan)
    monitor = sub.add_parser(
        "monitor", help="watch memory, warn in time, close the responsible app as a last resort"
    )
    from memwarden.monitor.options import add_arguments

    add_arguments(monitor)
    monitor.set_defaults(func=_monitor)
    return parser


def missing_display(env: Mapping[str, str]) -> bool:
    """True when the tray cannot have a display: no X or Wayland display, no Qt platform chosen.

    Qt would abort then (SIGABRT, "Reinstalling the application may fix this problem"); a person
    in an ssh session or on a text console deserves a sentence instead.
    """
    if env.get("QT_QPA_PLATFORM") or env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return False
    # A Wayland session without WAYLAND_DISPLAY: Qt tries the default socket, wayland-0.
    return env.get("XDG_SESSION_TYPE") != "wayland"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``memwarden`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        if missing_display(os.environ):
            print(
                "memwarden: the tray needs a graphical session, and there is none here "
                "(neither DISPLAY nor WAYLAND_DISPLAY is set).\n"
                "In a terminal, 'memwarden scan' shows what each app really holds and "
                "'memwarden monitor' guards without a tray.",
                file=sys.stderr,
            )
            return 1
        # No subcommand: the tray (Qt is imported only here, so `scan` stays light).
        from memwarden.ui.app import main as tray_main

        return tray_main()
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
