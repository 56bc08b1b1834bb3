# SPDX-License-Identifier: GPL-3.0-or-later
"""The full accounting scan: every process, its kernel view and its share of hidden memory.

Cost model: a full scan lists every fd and maps of every process; a rescan reuses what cannot
have changed. Per process it keys a cache on ``(pid, starttime)``; on a rescan it re-reads the
small files whose numbers move (stat, status, oom_score_adj), lists the fd directory only when the
fd count changed and readlinks only fd numbers it has not seen, re-``stat``s one fd of each shmem
object it knows (a memfd grows without changing its fd) and re-reads DRM fdinfo (GPU usage
moves). ``maps`` is re-read only when the fd set or ``RssShmem`` changed: a new mapping of a shmem
object that is touched changes ``RssShmem``, and one that is not touched adds no mapped pages. An fd
closed and another opened under the same number between two rescans is seen at the next full scan
(every ``full_every`` scans). ``smaps`` is re-read only when the Pss it gave may have moved
(held_objects.py).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path

from memwarden.core.accounting import SHMEM_KINDS, AttributionCache, add_vram, attribute
from memwarden.core.apps import group_apps
from memwarden.core.desktop_index import DesktopIndex, default_data_dirs
from memwarden.core.desktop_roles import SessionFacts, desktop_roles
from memwarden.core.display_sockets import (
    display_socket_paths,
    read_listening_inodes,
    socket_inode,
)
from memwarden.core.errors import (
    AccessDenied,
    CoreError,
    ParseError,
    ProcessGone,
    translate_os_errors,
)
from memwarden.core.held_objects import HeldObjects
from memwarden.core.meminfo import read_meminfo
from memwarden.core.mounts import RamFsTable, read_mount_table
from memwarden.core.nvidia import read_nvidia_vram
from memwarden.core.oom import oom_badness_pages, oom_score
from memwarden.core.partial_refresh import refresh_processes
from memwarden.core.pid_cgroup import parse_pid_cgroup
from memwarden.core.pid_fds import FdKind, classify_target, read_fd_targets_of
from memwarden.core.pid_maps import parse_mapped_objects
from memwarden.core.pid_stat import PidStat, read_pid_stat
from memwarden.core.pid_status import PidStatus, read_pid_status
from memwarden.core.pressure import read_memory_pressure
from memwarden.core.process import ProcessIdentity
from memwarden.core.program_trust import program_of_process
from memwarden.core.scan_state import ProcState, read_proc_text
from memwarden.core.shared_pages import SharedPages
from memwarden.core.snapshot import MemoryBytes, ProcessRecord, Snapshot, build_apps

#: ``PROC_PID_INIT_INO`` (include/linux/proc_ns.h): the initial PID namespace's inode. Only its
#: pid 1 is the global init that ``oom_badness()`` skips.
_INITIAL_PID_NS = "pid:[4026531836]"


def _is_pid(name: str) -> bool:
    return name.isdigit()


class Scanner:
    """Scans a procfs tree; keeps a cache between scans so rescans are cheap.

    Args:
        proc_root: The procfs to read (a recorded tree in tests).
        desktop_index: The .desktop index for app names; loaded from the XDG dirs when None.
        with_nvidia: Ask NVML for per-process VRAM (skipped silently when absent).
        facts: What the monitor knows of who is who beyond /proc (MemWarden's own processes, the
            owners of the desktop's bus names); settable between scans. The scanning process is
            always MemWarden's own.
        display_sockets: The display server's socket paths (default: from our environment).
        page_size: The page size of the recorded machine; this machine's by default.
        full_every: Every n-th scan is a full one (see the module doc).
    """

    def __init__(
        self,
        proc_root: Path = Path("/proc"),
        *,
        desktop_index: DesktopIndex | None = None,
        with_nvidia: bool = True,
        facts: SessionFacts | None = None,
        display_sockets: Collection[str] | None = None,
        page_size: int | None = None,
        full_every: int = 10,
    ) -> None:
        self.proc_root = proc_root
        self._proc = str(proc_root)
        self._desktop_index = desktop_index
        self.with_nvidia = with_nvidia
        self.facts = facts or SessionFacts()
        self.display_sockets = tuple(
            display_socket_paths() if display_sockets is None else display_sockets
        )
        self._display_inodes: frozenset[int] = frozenset()
        self.page_size = page_size or os.sysconf("SC_PAGE_SIZE")
        self.full_every = max(1, full_every)
        self._states: dict[int, ProcState] = {}
        self._ram_fs_by_ns: dict[str, RamFsTable] = {}
        self._held = HeldObjects(proc_root, self._ram_fs)
        self._attribution = AttributionCache()
        self._shared_pages = SharedPages(self._proc)
        self._scans = 0
        self._global_init_visible = self._reads_initial_pid_namespace()

    # -- public API -------------------------------------------------------------------------------

    @property
    def desktop_index(self) -> DesktopIndex:
        """The .desktop index, loaded on first use."""
        if self._desktop_index is None:
            self._desktop_index = DesktopIndex.load(default_data_dirs())
        return self._desktop_index

    def scan(self, *, full: bool | None = None) -> Snapshot:
        """Take a snapshot. ``full=None`` lets the scanner choose (incremental when it can)."""
        if full is None:
            full = not self._states or self._scans % self.full_every == 0
        self._scans += 1
        if full:
            self._ram_fs_by_ns.clear()
            # Every fd link is read afresh in a full scan: the listeners are found among them.
            self._display_inodes = read_listening_inodes(self.proc_root, self.display_sockets)
        meminfo = read_meminfo(self.proc_root)
        total_pages = meminfo.oom_total_pages(self.page_size)
        pressure = read_memory_pressure(self.proc_root)

        states: dict[int, ProcState] = {}
        statuses: dict[int, tuple[PidStatus, int]] = {}
        for name in os.listdir(self._proc):
            if not _is_pid(name):
                continue
            pid = int(name)
            try:
                state, status, adj = self._scan_process(pid, self._states.get(pid), full)
            except ProcessGone:
                continue
            states[pid] = state
            statuses[pid] = (status, adj)
        self._states = states

        objects = self._held.collect(states, full=full)
        hidden = attribute(objects.values(), self._attribution)
        nvidia_status = "off"
        if self.with_nvidia:
            vram = read_nvidia_vram()
            nvidia_status = vram.status
            add_vram(hidden, {p: b for p, b in vram.bytes_by_pid.items() if p in states})

        records: dict[int, ProcessRecord] = {}
        for pid, state in states.items():
            status, adj = statuses[pid]
            badness = oom_badness_pages(
                status,
                adj,
                total_pages,
                self.page_size,
                global_init=pid == 1 and self._global_init_visible,
            )
            mem = MemoryBytes(
                resident=status.rss_kib * 1024,
                swap=status.swap_kib * 1024,
                page_tables=status.page_tables_kib * 1024,
            )
            share = hidden.get(pid)
            if share is not None:
                mem.shmem, mem.dmabuf = share.shmem, share.dmabuf
                mem.gpu_system, mem.gpu_vram = share.gpu_system, share.gpu_vram
            records[pid] = ProcessRecord(
                identity=state.identity,
                oom_score_adj=adj,
                kernel_badness_pages=badness,
                oom_score=oom_score(badness, total_pages),
                bytes=mem,
                shares=share.shares if share is not None else [],
                hidden_readable=state.hidden_readable,
                unreadable_reason=state.unreadable_reason,
            )
        identities = {pid: s.identity for pid, s in states.items()}
        roles = desktop_roles(identities, self._facts_now(states))
        for pid, role in roles.items():
            records[pid].role = role
        app_of_pid = group_apps(identities.values(), self.desktop_index, roles)
        self._shared_pages.apply(records, app_of_pid, full=full)
        return Snapshot(
            meminfo=meminfo,
            pressure=pressure,
            processes=records,
            apps=build_apps(records.values(), app_of_pid),
            page_size=self.page_size,
            nvidia_status=nvidia_status,
            scan_kind="full" if full else "incremental",
            held_shmem_keys=frozenset(
                k for k, o in objects.items() if o.kind in SHMEM_KINDS and isinstance(k, tuple)
            ),
        )

    def refresh(
        self,
        snap: Snapshot,
        pids: Iterable[int],
        carried: Mapping[int, ProcessRecord] | None = None,
    ) -> tuple[Snapshot, set[int]]:
        """The last scan with only ``pids`` re-read (:mod:`memwarden.core.partial_refresh`; the
        ``carried`` records of earlier refreshes over it); also the pids that were re-read."""
        return refresh_processes(
            snap,
            pids,
            proc_root=self.proc_root,
            states=self._states,
            objects=self._held.last,
            global_init_visible=self._global_init_visible,
            carried=carried,
        )

    def _facts_now(self, states: dict[int, ProcState]) -> SessionFacts:
        """The monitor's facts, with this process as MemWarden and the display listeners."""
        own = dict(self.facts.own)
        me = states.get(os.getpid())
        if me is not None:
            own[me.identity.pid] = me.starttime
        listeners = frozenset(pid for pid, s in states.items() if s.listens_on_display)
        return SessionFacts(own=own, bus_names=self.facts.bus_names, display_listeners=listeners)

    def _reads_initial_pid_namespace(self) -> bool:
        try:
            return os.readlink(f"{self._proc}/self/ns/pid") == _INITIAL_PID_NS
        except OSError:
            return True  # a recorded tree: its pid 1 is the machine's init

    # -- one process ------------------------------------------------------------------------------

    def _scan_process(
        self, pid: int, old: ProcState | None, full: bool
    ) -> tuple[ProcState, PidStatus, int]:
        stat = read_pid_stat(pid, self.proc_root)
        if stat.state in ("Z", "X"):
            # A zombie holds no memory and cannot be signalled; for us it is gone.
            raise ProcessGone(f"{pid} is a zombie")
        if old is not None and old.starttime != stat.starttime_ticks:
            old = None  # the pid was reused
        status = read_pid_status(pid, self.proc_root)
        adj = self._read_oom_score_adj(pid)
        if old is not None and old.identity.comm == stat.comm:
            state = old
        else:
            # New process, or it exec'd (comm changes with exec; cmdline/exe change with it).
            state = ProcState(stat.starttime_ticks, self._read_identity(stat, status))
        if stat.kernel_thread or not status.has_mm:
            # Kernel threads (and a process between exit and zombie) hold no fds or mappings.
            state.forget_holdings()
            return state, status, adj
        try:
            self._read_holdings(pid, state, status, incremental=not full and state is old)
            state.hidden_readable, state.unreadable_reason = True, None
        except ProcessGone:
            raise
        except AccessDenied:
            state.forget_holdings()
            state.hidden_readable, state.unreadable_reason = False, "access-denied"
        except CoreError:
            # A malformed maps/fdinfo line: keep guarding with what the world-readable files say.
            state.forget_holdings()
            state.hidden_readable, state.unreadable_reason = False, "parse-error"
        return state, status, adj

    def _read_oom_score_adj(self, pid: int) -> int:
        text = read_proc_text(f"{self._proc}/{pid}/oom_score_adj")
        try:
            return int(text)
        except ValueError:
            raise ProcessGone(f"{pid}: unreadable oom_score_adj {text!r}") from None

    def _read_identity(self, stat: PidStat, status: PidStatus) -> ProcessIdentity:
        base = f"{self._proc}/{stat.pid}/"
        cmdline: tuple[str, ...] = ()
        exe = ""
        with translate_os_errors():
            with open(base + "cmdline", "rb") as f:
                raw = f.read()
            with open(base + "cgroup") as f:
                cgroup_text = f.read()
        if raw:
            cmdline = tuple(raw.rstrip(b"\0").decode(errors="replace").split("\0"))
        try:
            cgroup = parse_pid_cgroup(cgroup_text).unit_path
        except ParseError:
            cgroup = None  # grouping falls back to the process tree
        # Another uid's, a kernel thread's or a zombie's exe link is not ours to read.
        with contextlib.suppress(OSError):
            exe = os.readlink(base + "exe")
        program_path, program_trusted = program_of_process(base, exe, cmdline)
        return ProcessIdentity(
            pid=stat.pid,
            ppid=stat.ppid,
            session=stat.session,
            uid=status.uid,
            comm=stat.comm,
            exe=exe,
            cmdline=cmdline,
            cgroup=cgroup,
            starttime_ticks=stat.starttime_ticks,
            kernel_thread=stat.kernel_thread,
            program_path=program_path,
            program_trusted=program_trusted,
        )

    def _ram_fs(self, pid: int, state: ProcState) -> RamFsTable:
        if not state.mnt_ns:
            try:
                state.mnt_ns = os.readlink(f"{self._proc}/{pid}/ns/mnt")
            except OSError:
                state.mnt_ns = "self"  # recorded trees, or no access: assume our namespace
        table = self._ram_fs_by_ns.get(state.mnt_ns)
        if table is None:
            source: int | str = "self" if state.mnt_ns == "self" else pid
            try:
                table = read_mount_table(source, self.proc_root)
            except ProcessGone:
                raise
            except CoreError:
                table = read_mount_table("self", self.proc_root)
            self._ram_fs_by_ns[state.mnt_ns] = table
        return table

    def _read_holdings(
        self, pid: int, state: ProcState, status: PidStatus, *, incremental: bool
    ) -> None:
        fd_dir = f"{self._proc}/{pid}/fd/"
        with translate_os_errors():
            # Since 6.2 the size of /proc/PID/fd is the number of open fds ("proc: report open
            # files as size in stat()"); 0 on older kernels. An unchanged count on a rescan lets
            # us skip the listing (the full scan every `full_every` catches a swapped fd).
            if incremental and 0 < os.stat(fd_dir).st_size == len(state.fd_numbers):
                names = None
            else:
                names = os.listdir(fd_dir)
        ram_fs = self._ram_fs(pid, state)
        fds_changed = not incremental
        if names is not None:
            known = set(state.fd_numbers) if incremental else set()
            listed = {int(n) for n in names}
            fresh = read_fd_targets_of(fd_dir, [n for n in names if int(n) not in known])
            # Closed between the listing and its readlink: neither known nor fresh.
            numbers = known & listed | fresh.keys()
            held = {fd: h for fd, h in state.held_fds.items() if fd in numbers and fd not in fresh}
            if not incremental:
                state.listens_on_display = False
            for fd, target in fresh.items():
                if target[0] != "/" and target != "anon_inode:dmabuf":
                    # Sockets, pipes, eventfds: most fds, and never hidden memory. One of them
                    # may be the display server's listening socket.
                    if self._display_inodes and socket_inode(target) in self._display_inodes:
                        state.listens_on_display = True
                    continue
                kind = classify_target(target, ram_fs)
                if kind is not FdKind.OTHER:
                    held[fd] = (kind, target)
            fds_changed = fds_changed or numbers != known
            state.fd_numbers, state.held_fds = tuple(numbers), held
        if fds_changed or status.rss_shmem_kib != state.rss_shmem_kib:
            state.maps = parse_mapped_objects(read_proc_text(f"{self._proc}/{pid}/maps"), ram_fs)
            state.rss_shmem_kib = status.rss_shmem_kib
        if not incremental:
            state.dmabuf_fdinfo = {}
