# SPDX-License-Identifier: GPL-3.0-or-later
"""A cheap look at a few processes between two scans: the candidates, while memory is tight.

A scan reads every process (stat, status, oom_score_adj, the fd directory, the size of every
shared-memory object it holds): tens of milliseconds per hundred processes, too much to repeat
every second for as long as a warning lasts. Which app would be closed is decided among a few
candidates, though, and what moves between two scans is their size. So a refresh re-reads only
the given processes:

* ``stat`` (the pid-reuse guard: a process that exec'd or was replaced is left for the next scan)
  and ``status`` (resident, swap, page tables: the kernel view);
* the size of each shared-memory object (memfd, tmpfs) it held by fd at the scan — one ``stat``
  per object, however many of the candidates hold it — and the fdinfo of its DRM clients (GPU
  memory in system RAM moves). An fd opened since the scan is for the next scan to see.

Its hidden share is the last scan's, moved by the growth of the objects it holds: each object's
growth split among the holders the scan saw. dma-buf sizes never change; SysV segments and
objects held by mapping only keep the scan's figures until the next scan. A process gone since the
scan drops out of its app. Every other process and app is the scan's, unchanged: the refresh
answers "how big are the candidates now", the next scan everything else.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from memwarden.core.accounting import HiddenObject
from memwarden.core.drm_fdinfo import parse_drm_fdinfo
from memwarden.core.errors import CoreError
from memwarden.core.meminfo import read_meminfo
from memwarden.core.oom import oom_badness_pages, oom_score
from memwarden.core.pid_fds import FdKind
from memwarden.core.pid_stat import read_pid_stat
from memwarden.core.pid_status import read_pid_status
from memwarden.core.scan_state import ProcState, read_proc_text
from memwarden.core.snapshot import AppRecord, MemoryBytes, ProcessRecord, Snapshot


def _shmem_sizes(
    proc: str, pids: Iterable[int], states: Mapping[int, ProcState]
) -> dict[object, int]:
    """The size now of every shared-memory object these processes held at the scan: one ``stat``
    per object, through the first of its fds that is still open."""
    sizes: dict[object, int] = {}
    for pid in pids:
        state = states.get(pid)
        if state is None:
            continue
        for fd, key in state.fd_keys.items():
            if key in sizes:
                continue
            try:
                st = os.stat(f"{proc}/{pid}/fd/{fd}")
            except OSError:
                continue  # closed since the scan: another holder's fd may answer
            if (st.st_dev, st.st_ino) == key:  # the same object still (fd numbers are reused)
                sizes[key] = st.st_blocks * 512
    return sizes


def _share_growth(
    base: str, state: ProcState, objects: Mapping[object, HiddenObject], sizes: Mapping[object, int]
) -> tuple[int, int]:
    """(shmem, GPU system RAM) bytes this process's share grew by since the scan."""
    shmem = gpu = 0
    for key in set(state.fd_keys.values()):
        old = objects.get(key)
        if key in sizes and old is not None:
            shmem += (sizes[key] - old.resident_bytes) // max(1, len(old.holders))
    seen: set[object] = set()
    for fd, (kind, _target) in state.held_fds.items():
        if kind is not FdKind.DRM:
            continue
        try:
            client = parse_drm_fdinfo(read_proc_text(f"{base}fdinfo/{fd}"))
        except CoreError:
            continue  # closed since the scan
        if client is None:
            continue
        key = ("drm", client.dedupe_key() or (state.identity.pid, fd))
        old = objects.get(key)
        if key in seen or old is None:
            continue
        seen.add(key)
        gpu += (client.system_resident_bytes() - old.resident_bytes) // max(1, len(old.holders))
    return shmem, gpu


def refresh_processes(
    snap: Snapshot,
    pids: Iterable[int],
    *,
    proc_root: Path,
    states: Mapping[int, ProcState],
    objects: Mapping[object, HiddenObject],
    global_init_visible: bool,
    carried: Mapping[int, ProcessRecord] | None = None,
) -> tuple[Snapshot, set[int]]:
    """The scan ``snap`` with the given processes re-read (see the module doc).

    Args:
        snap: The last scan (never a refresh: shares move from the scan's figures).
        pids: The processes to re-read (those of the candidate apps).
        proc_root: The procfs.
        states: What the scanner remembers per process (their held fds).
        objects: The hidden objects of that scan, with their sizes and holders then.
        global_init_visible: Whether pid 1 is the machine's init (``oom_badness()`` skips it).
        carried: What earlier refreshes since the scan read of processes not re-read now: their
            latest figures, rather than the scan's.

    Returns:
        The refreshed snapshot, and the pids that were re-read (the others were gone or
        replaced). Apps without a re-read process are the scan's own records.
    """
    proc = str(proc_root)
    pids = set(pids)
    sizes = _shmem_sizes(proc, pids, states)
    meminfo = read_meminfo(proc_root)
    total_pages = meminfo.oom_total_pages(snap.page_size)
    carried = carried or {}
    processes = {**snap.processes, **{p: r for p, r in carried.items() if p in snap.processes}}
    read: set[int] = set()
    gone: set[int] = set()
    for pid in pids:
        rec = snap.processes.get(pid)
        state = states.get(pid)
        if rec is None or state is None:
            continue
        try:
            stat = read_pid_stat(pid, proc_root)
            if stat.starttime_ticks != rec.identity.starttime_ticks or stat.state in ("Z", "X"):
                gone.add(pid)  # exited (a zombie holds nothing), or replaced: the next scan
                continue  # meets the new process
            status = read_pid_status(pid, proc_root)
        except CoreError:
            gone.add(pid)
            continue
        shmem, gpu = _share_growth(f"{proc}/{pid}/", state, objects, sizes)
        mem = dataclasses.replace(
            rec.bytes,
            resident=status.rss_kib * 1024,
            swap=status.swap_kib * 1024,
            page_tables=status.page_tables_kib * 1024,
            shmem=max(0, rec.bytes.shmem + shmem),
            gpu_system=max(0, rec.bytes.gpu_system + gpu),
        )
        badness = oom_badness_pages(status, rec.oom_score_adj, total_pages, snap.page_size,
                                    global_init=pid == 1 and global_init_visible)  # fmt: skip
        processes[pid] = dataclasses.replace(
            rec, bytes=mem, kernel_badness_pages=badness, oom_score=oom_score(badness, total_pages)
        )
        read.add(pid)
    for pid in gone:
        processes.pop(pid, None)
    touched = read | gone | carried.keys()
    apps = [
        _moved(app, snap.processes, processes, touched) if touched.intersection(app.pids) else app
        for app in snap.apps
    ]
    fresh = dataclasses.replace(
        snap,
        meminfo=meminfo,
        processes=processes,
        apps=[app for app in apps if app.pids],
        scan_kind="refresh",
    )
    return fresh, read


_FIELDS = tuple(f.name for f in dataclasses.fields(MemoryBytes))


def _plus(total: MemoryBytes, add: MemoryBytes | None, sub: MemoryBytes | None) -> None:
    for name in _FIELDS:
        value = getattr(total, name)
        if add is not None:
            value += getattr(add, name)
        if sub is not None:
            value -= getattr(sub, name)
        setattr(total, name, value)


def _moved(
    app: AppRecord,
    scanned: Mapping[int, ProcessRecord],
    now: Mapping[int, ProcessRecord],
    touched: set[int],
) -> AppRecord:
    """The app's figures moved by what changed in its ``touched`` members since the scan (an
    app of a thousand processes is not summed again for the few that were re-read)."""
    total, closable = dataclasses.replace(app.bytes), dataclasses.replace(app.closable_bytes)
    for pid in touched.intersection(app.pids):
        before, after = scanned.get(pid), now.get(pid)
        if before is after:
            continue
        add = after.bytes if after is not None else None
        sub = before.bytes if before is not None else None
        _plus(total, add, sub)
        if pid not in app.roles:
            _plus(closable, add, sub)
    pids = [pid for pid in app.pids if pid in now]
    badness = [now[p].kernel_badness_pages for p in pids]
    return dataclasses.replace(
        app,
        pids=pids,
        bytes=total,
        closable_bytes=closable,
        max_kernel_badness_pages=max((b for b in badness if b is not None), default=None),
        roles={pid: role for pid, role in app.roles.items() if pid in now},
    )
