# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark of the accounting scan (issue 2): ours vs the syscall floor vs a psutil scan.

On a synthetic desktop (~300 processes, ~20,000 fds, shared memfds and /dev/shm files), measured in
one run, interleaved, median of several rounds:

* floor  — the same directories listed and the same files read with bare ``os`` calls, no parsing;
* ours   — ``Scanner.scan(full=True)``;
* rescan — ``Scanner.scan()`` again when nothing changed (incremental);
* psutil — a straightforward psutil-based scan collecting the same data.

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


def floor_scan() -> int:
    """Read what a full scan reads, with bare syscalls and no parsing. Returns bytes read."""
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
            for leaf in ("stat", "status", "oom_score_adj", "cmdline", "cgroup"):
                total += len(read(base + leaf))
            with contextlib.suppress(OSError):
                os.readlink(base + "exe")
            ns = os.readlink(base + "ns/mnt")
            if ns not in namespaces:
                namespaces.add(ns)
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
            if b"/memfd:" in maps or b"/dev/shm/" in maps:
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
        floor_scan()
        psutil_scan()
        times: dict[str, list[float]] = {"floor": [], "ours": [], "rescan": [], "psutil": []}
        for _ in range(ROUNDS):
            times["floor"].append(_time(floor_scan))
            times["ours"].append(_time(lambda: scanner.scan(full=True)))
            times["rescan"].append(_time(lambda: scanner.scan(full=False)))
            times["psutil"].append(_time(psutil_scan))
        med = {k: statistics.median(v) for k, v in times.items()}
        for name, value in med.items():
            print(f"  {name:7s} median {value * 1000:8.1f} ms  (of {ROUNDS} runs)")
        print(f"  ours / floor         = {med['ours'] / med['floor']:.2f}x   (goal <= 1.5x)")
        print(f"  psutil / ours        = {med['psutil'] / med['ours']:.2f}x   (goal >= 3x)")
        print(f"  full scan / rescan   = {med['ours'] / med['rescan']:.2f}x   (rescan cheaper)")
    finally:
        desktop.stop()


if __name__ == "__main__":
    run()
