# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark of the accounting scan (issue 2): ours vs the syscall floor vs a psutil scan.

On a synthetic desktop (~300 processes, ~20,000 fds, shared memfds and /dev/shm files), measured in
one run, interleaved, median of several rounds:

* ours, first scan — a new ``Scanner``'s first scan (it reads every identity and ``smaps``);
* ours, full scan  — ``Scanner.scan(full=True)`` of a scanner that ran before (the monitor's case:
  every fd re-listed, ``maps`` re-read, identities and still-valid Pss kept);
* ours, rescan     — ``Scanner.scan()`` again when nothing changed (incremental);
* floor            — for the first and the full scan, the same directories listed and the same
  files read with bare ``os`` calls, no parsing;
* psutil           — a straightforward psutil-based scan collecting the same data (it has no state
  to keep, so it is compared with both of ours).

Prints ratios; asserts nothing (benchmarks are not tests).
"""

from __future__ import annotations

import contextlib
import os
import statistics
import time
from collections.abc import Callable

import psutil

from bench import synthetic_desktop
from memwarden.core.scanner import Scanner

ROUNDS = 7
_MEASURED_PREFIXES = ("/memfd:", "/dev/shm/")


def floor_scan(*, first: bool, mnt_ns_of: dict[str, str]) -> int:
    """Read what our scan reads, with bare syscalls and no parsing. Returns bytes read.

    ``first``: what a scanner's first scan reads — besides the files of a later full scan, each
    process's identity (cmdline, cgroup, exe, mount namespace) and ``smaps`` of the processes that
    map a measured object. A later full scan re-lists every fd and re-reads ``maps`` but keeps
    identities, and ``smaps`` whose Pss cannot have moved (here: none moves). ``mnt_ns_of`` is
    filled by a first scan and used by later ones, as the scanner keeps each process's namespace.
    """
    total = 0

    def read(path: str) -> bytes:
        with open(path, "rb") as f:
            return f.read()

    total += len(read("/proc/meminfo")) + len(read("/proc/pressure/memory"))
    namespaces: set[str] = set()
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        base = f"/proc/{name}/"
        try:
            for leaf in ("stat", "status", "oom_score_adj"):
                total += len(read(base + leaf))
            if first or name not in mnt_ns_of:
                for leaf in ("cmdline", "cgroup"):
                    total += len(read(base + leaf))
                with contextlib.suppress(OSError):
                    os.readlink(base + "exe")
                mnt_ns_of[name] = os.readlink(base + "ns/mnt")
            if mnt_ns_of[name] not in namespaces:
                namespaces.add(mnt_ns_of[name])
                total += len(read(base + "mountinfo"))
            fd_dir = base + "fd/"
            for fd in os.listdir(fd_dir):
                try:
                    target = os.readlink(fd_dir + fd)
                except FileNotFoundError:
                    continue
                if target.startswith(_MEASURED_PREFIXES):
                    os.stat(fd_dir + fd)
            maps = read(base + "maps")
            total += len(maps)
            if first and (b"/memfd:" in maps or b"/dev/shm/" in maps):
                total += len(read(base + "smaps"))
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def psutil_scan() -> int:
    """What one would write with psutil: process info, memory, mappings, open files.

    psutil has no API for fd link targets (``open_files()`` drops memfds: their path is not a file)
    nor for oom_score_adj, so those two are read directly, as such a tool would have to.
    """
    found = 0
    attrs = ["pid", "ppid", "name", "uids", "cmdline", "exe", "memory_info"]
    for proc in psutil.process_iter(attrs):
        try:
            proc.memory_full_info()  # swap (and uss/pss) per process
            pss: dict[str, int] = {}
            for m in proc.memory_maps(grouped=False):
                if m.path.startswith(_MEASURED_PREFIXES):
                    pss[m.path] = pss.get(m.path, 0) + m.pss
            proc.open_files()
            with open(f"/proc/{proc.pid}/oom_score_adj") as f:
                f.read()
            with open(f"/proc/{proc.pid}/cgroup") as f:
                f.read()
            fd_dir = f"/proc/{proc.pid}/fd/"
            for fd in os.listdir(fd_dir):
                try:
                    target = os.readlink(fd_dir + fd)
                except FileNotFoundError:
                    continue
                if target.startswith(_MEASURED_PREFIXES):
                    os.stat(fd_dir + fd)
                    found += 1
        except (psutil.NoSuchProcess, psutil.AccessDenied, FileNotFoundError, PermissionError):
            continue
    return found


def _time(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run() -> None:
    """Start the synthetic desktop, measure, print."""
    print("== accounting scan (issue 2) ==")
    desktop = synthetic_desktop.start(300)
    try:
        n_procs = sum(1 for p in os.listdir("/proc") if p.isdigit())
        print(f"synthetic desktop: {len(desktop.pids)} processes holding {desktop.fd_count()} fds "
              f"({n_procs} processes on the machine)")
        scanner = Scanner(with_nvidia=False)
        scanner.scan(full=True)  # warm-up: page cache, .desktop index, imports
        mnt_ns_of: dict[str, str] = {}
        floor_scan(first=True, mnt_ns_of=mnt_ns_of)
        psutil_scan()
        cases: dict[str, Callable[[], object]] = {
            "floor, first scan": lambda: floor_scan(first=True, mnt_ns_of=mnt_ns_of),
            "ours, first scan": lambda: Scanner(
                with_nvidia=False, desktop_index=scanner.desktop_index
            ).scan(),
            "floor, full scan": lambda: floor_scan(first=False, mnt_ns_of=mnt_ns_of),
            "ours, full scan": lambda: scanner.scan(full=True),
            "ours, rescan": lambda: scanner.scan(full=False),
            "psutil": psutil_scan,
        }
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(ROUNDS):
            for name, fn in cases.items():
                times[name].append(_time(fn))
        med = {k: statistics.median(v) for k, v in times.items()}
        for name, value in med.items():
            print(f"  {name:18s} median {value * 1000:8.1f} ms  (of {ROUNDS} runs)")
        first, full, rescan = med["ours, first scan"], med["ours, full scan"], med["ours, rescan"]
        first_floor, full_floor = med["floor, first scan"], med["floor, full scan"]
        print(f"  first scan / its floor = {first / first_floor:.2f}x   (goal <= 1.5x)")
        print(f"  full scan / its floor  = {full / full_floor:.2f}x   (goal <= 1.5x)")
        print(f"  psutil / full scan     = {med['psutil'] / full:.2f}x   (goal >= 3x)")
        print(f"  psutil / first scan    = {med['psutil'] / first:.2f}x   (a new scanner)")
        print(f"  full scan / rescan     = {full / rescan:.2f}x   (rescan cheaper)")
    finally:
        desktop.stop()


if __name__ == "__main__":
    run()
