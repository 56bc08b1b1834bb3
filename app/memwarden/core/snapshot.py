# SPDX-License-Identifier: GPL-3.0-or-later
"""The picture a scan produces: per process and per app, the kernel view and the hidden view."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from memwarden.core.accounting import Share
from memwarden.core.app_identity import AppIdentity, rule_target
from memwarden.core.meminfo import MemInfo
from memwarden.core.pressure import Pressure
from memwarden.core.process import ProcessIdentity


@dataclass(slots=True)
class MemoryBytes:
    """A breakdown in bytes; ``total`` is the system RAM held (VRAM is device memory, apart).

    ``resident_shared`` is the part of ``resident`` that other processes map too, beyond this
    one's proportional share (Rss − Pss, core/shared_pages.py); ``total`` leaves it out, so that
    an app's pages count once. 0 where it was not measured.
    """

    resident: int = 0
    swap: int = 0
    page_tables: int = 0
    shmem: int = 0
    dmabuf: int = 0
    gpu_system: int = 0
    gpu_vram: int = 0
    resident_shared: int = 0

    @property
    def kernel_view(self) -> int:
        """What ``oom_badness()`` sums, before ``oom_score_adj``: rss + swap + page tables."""
        return self.resident + self.swap + self.page_tables

    @property
    def hidden(self) -> int:
        """System RAM held through files, which the OOM killer does not see."""
        return self.shmem + self.dmabuf + self.gpu_system

    @property
    def total(self) -> int:
        """True badness: the kernel view plus the hidden view, each page once."""
        return self.kernel_view + self.hidden - min(self.resident_shared, self.resident)

    def add(self, other: MemoryBytes) -> None:
        """Accumulate ``other`` into this breakdown."""
        self.resident += other.resident
        self.swap += other.swap
        self.page_tables += other.page_tables
        self.shmem += other.shmem
        self.dmabuf += other.dmabuf
        self.gpu_system += other.gpu_system
        self.gpu_vram += other.gpu_vram
        self.resident_shared += min(other.resident_shared, other.resident)


@dataclass(slots=True)
class ProcessRecord:
    """One process in a snapshot.

    Attributes:
        identity: Who it is.
        oom_score_adj: Its current adjustment.
        kernel_badness_pages: The ``oom_badness()`` replica; None when the kernel would skip it.
        oom_score: The ``/proc/PID/oom_score`` replica.
        bytes: Its memory, hidden shares included.
        shares: Its shares of hidden objects (the "why").
        hidden_readable: False when its fds/maps could not be read; the hidden view is then a lower
            bound and ``unreadable_reason`` says why (a reason code, e.g. ``"access-denied"``).
        role: Its desktop role (:mod:`memwarden.core.desktop_roles`: ``self``,
            ``display-server``, …), or None for an ordinary process. A process with a role is
            never signalled, whatever app it is in.
    """

    identity: ProcessIdentity
    oom_score_adj: int
    kernel_badness_pages: int | None
    oom_score: int
    bytes: MemoryBytes
    shares: list[Share] = field(default_factory=list)
    hidden_readable: bool = True
    unreadable_reason: str | None = None
    role: str | None = None

    @property
    def pid(self) -> int:
        """The process id."""
        return self.identity.pid


@dataclass(slots=True)
class AppRecord:
    """One app: processes grouped by scope or process tree, with summed memory.

    ``roles`` holds the desktop role of each member that has one (MemWarden, the compositor, …):
    those processes are never signalled, so closing the app means closing the others
    (``closable_pids``), and frees ``closable_bytes``.
    """

    identity: AppIdentity
    pids: list[int]
    bytes: MemoryBytes
    max_kernel_badness_pages: int | None
    shares: list[Share]
    unreadable_pids: list[int]
    kernel_rank: int = 0
    memwarden_rank: int = 0
    roles: dict[int, str] = field(default_factory=dict)
    closable_bytes: MemoryBytes = field(default_factory=MemoryBytes)
    #: The name a rule for this app is saved under (core/app_identity.py ``rule_target``): it
    #: travels with the app into warnings and kill events, whose "Protect" needs it.
    rule_target: str = ""

    @property
    def id(self) -> str:
        """The app id rules refer to."""
        return self.identity.app_id

    @property
    def closable_pids(self) -> list[int]:
        """The members that may be signalled: those without a desktop role."""
        return [pid for pid in self.pids if pid not in self.roles]


def build_apps(
    records: Iterable[ProcessRecord], app_of_pid: dict[int, AppIdentity]
) -> list[AppRecord]:
    """Group process records into apps, sum them, and rank them both ways.

    ``kernel_rank`` orders apps by their worst process's ``oom_badness()`` (the kernel kills a
    process, and that one goes first); ``memwarden_rank`` by true total. Ranks start at 1; apps the
    kernel would never pick (every process ineligible) rank after all others.
    """
    by_key: dict[AppIdentity, AppRecord] = {}
    members: dict[AppIdentity, list[ProcessIdentity]] = {}
    for rec in records:
        ident = app_of_pid.get(rec.pid)
        if ident is None:
            continue
        app = by_key.get(ident)
        if app is None:
            app = by_key[ident] = AppRecord(ident, [], MemoryBytes(), None, [], [])
        members.setdefault(ident, []).append(rec.identity)
        app.pids.append(rec.pid)
        app.bytes.add(rec.bytes)
        if rec.role is None:
            app.closable_bytes.add(rec.bytes)
        else:
            app.roles[rec.pid] = rec.role
        app.shares.extend(rec.shares)
        if not rec.hidden_readable:
            app.unreadable_pids.append(rec.pid)
        badness = rec.kernel_badness_pages
        if badness is not None and (
            app.max_kernel_badness_pages is None or badness > app.max_kernel_badness_pages
        ):
            app.max_kernel_badness_pages = badness
    apps = list(by_key.values())
    for app in apps:
        app.pids.sort()
        app.rule_target = rule_target(app.identity, members[app.identity])
    by_kernel = sorted(
        apps,
        key=lambda a: (a.max_kernel_badness_pages is None, -(a.max_kernel_badness_pages or 0)),
    )
    for rank, app in enumerate(by_kernel, 1):
        app.kernel_rank = rank
    apps.sort(key=lambda a: -a.bytes.total)
    for rank, app in enumerate(apps, 1):
        app.memwarden_rank = rank
    return apps


@dataclass(slots=True)
class Snapshot:
    """Everything one scan saw."""

    meminfo: MemInfo
    pressure: Pressure | None
    processes: dict[int, ProcessRecord]
    apps: list[AppRecord]
    page_size: int
    nvidia_status: str = "off"
    scan_kind: str = "full"
    #: ``(st_dev, st_ino)`` of every shmem object some process holds (for finding orphans).
    held_shmem_keys: frozenset[tuple[int, int]] = frozenset()

    def app_by_pid(self, pid: int) -> AppRecord | None:
        """The app a pid belongs to."""
        for app in self.apps:
            if pid in app.pids:
                return app
        return None

    @property
    def unreadable_count(self) -> int:
        """How many processes' hidden view could not be read."""
        return sum(1 for rec in self.processes.values() if not rec.hidden_readable)
