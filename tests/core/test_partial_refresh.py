# SPDX-License-Identifier: GPL-3.0-or-later
"""A refresh re-reads the candidates only, and sees what a scan would see of them (real hogs)."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable

from hogs import Hog, MiB, alive
from memwarden.core.scanner import Scanner
from memwarden.core.snapshot import Snapshot


def app_of(snap: Snapshot, pid: int):  # type: ignore[no-untyped-def]
    app = snap.app_by_pid(pid)
    assert app is not None, pid
    return app


def test_a_refresh_sees_a_memfd_grow_as_a_scan_would(hog: Callable[..., Hog]) -> None:
    grower = hog("memfd", 64 * MiB, forks=1, name="grower")  # two holders of one memfd
    bystander = hog("memfd", 16 * MiB, name="bystander")
    scanner = Scanner(with_nvidia=False)
    scan = scanner.scan(full=True)
    assert app_of(scan, grower.pid).bytes.shmem >= 64 * MiB
    os.kill(grower.pid, signal.SIGUSR1)  # writes as much again to the same memfd
    grower.wait_for("grown")
    view, read = scanner.refresh(scan, grower.pids)
    assert read == set(grower.pids)
    grown = app_of(view, grower.pid)
    # Each holder's share moved by half the growth: the app as a whole by all of it.
    assert grown.bytes.shmem - app_of(scan, grower.pid).bytes.shmem == 64 * MiB
    fresh = Scanner(with_nvidia=False).scan(full=True)
    assert abs(grown.bytes.total - app_of(fresh, grower.pid).bytes.total) < 2 * MiB
    # What was not re-read is the scan's, unchanged: the very same record.
    assert app_of(view, bystander.pid) is app_of(scan, bystander.pid)
    assert view.processes[bystander.pid] is scan.processes[bystander.pid]
    assert view.scan_kind == "refresh"


def test_a_refresh_sees_anonymous_memory_grow(hog: Callable[..., Hog]) -> None:
    leak = hog("leak-anon", 48 * MiB, extra="16:10", name="anonleak")
    scanner = Scanner(with_nvidia=False)
    scan = scanner.scan(full=True)
    leak.start_leak()
    leak.wait_for("capped")
    view, _read = scanner.refresh(scan, [leak.pid])
    before, after = app_of(scan, leak.pid).bytes, app_of(view, leak.pid).bytes
    assert after.resident - before.resident >= 40 * MiB
    assert after.kernel_view > before.kernel_view


def test_a_process_gone_since_the_scan_drops_out_of_its_app(hog: Callable[..., Hog]) -> None:
    family = hog("memfd", 8 * MiB, forks=2, name="family")
    scanner = Scanner(with_nvidia=False)
    scan = scanner.scan(full=True)
    child = family.children[0]
    os.kill(child, signal.SIGKILL)
    while alive(child):  # a zombie until its parent (the hog) reaps it, or gone
        time.sleep(0.01)
    view, read = scanner.refresh(scan, family.pids)
    assert child not in read and child not in view.processes
    app = app_of(view, family.pid)
    assert child not in app.pids and set(app.pids) == set(family.pids) - {child}
