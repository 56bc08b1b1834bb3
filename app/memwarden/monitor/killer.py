# SPDX-License-Identifier: GPL-3.0-or-later
"""Closing an app: gracefully first, the whole app, and never the wrong process.

Every signal goes through a pidfd opened after checking the process's start time and checked
again after opening, so a pid reused between the choice and the signal is never hit. Before a pid
is opened, a guard (from the monitor: protected apps, desktop processes, PID 1, ourselves) is
asked again, and the process's four uids (real, effective, saved, filesystem) must all be ours: a
process that exec'd a setuid program is not ours to signal.

An app with its own cgroup v2 scope is killed with ``cgroup.kill`` (it also takes forks that race
with us, and processes that setsid() away) only when every process in the scope passes the guard,
has all four uids equal to ours, and is not a process the snapshot counted as another app (a
delegated scope can hold another user's process, or a program that moved itself in). Otherwise
each process gets its pidfd.

Sequence: SIGTERM to every process; wait the grace period, cut short when memory falls to the kill
threshold; SIGKILL what is left, plus its children forked *after the snapshot* (a descendant the
snapshot knew was counted where it belongs: if that is another app, it is not this app's to lose);
``process_mrelease`` to free the victim's private memory at once instead of waiting for its exit
path.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import errno
import logging
import os
import signal
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from memwarden.core import reason_codes as codes
from memwarden.core.cgroup2 import Cgroup2Mount
from memwarden.core.errors import CoreError
from memwarden.core.pid_stat import read_pid_stat
from memwarden.core.pid_status import read_pid_status
from memwarden.core.process import ProcessKey

log = logging.getLogger(__name__)

#: process_mrelease(2) is 448 on x86_64 and in asm-generic (arm64, riscv), Linux 5.15.
_SYS_PROCESS_MRELEASE = 448

#: Returns why a pid must not be signalled, or None.
Guard = Callable[[int], "str | None"]


@dataclass(slots=True)
class KillOutcome:
    """What a close did.

    Attributes:
        method: ``"cgroup"`` (cgroup.kill) or ``"pidfd"``.
        signalled: pids that received a signal.
        exited: pids seen exiting.
        escalated: True when SIGKILL was needed.
        skipped: pid -> reason code (``gone``, ``reused``, ``not-ours``, a guard's reason).
        dry_run: Nothing was sent.
    """

    method: str = "pidfd"
    signalled: list[int] = field(default_factory=list)
    exited: list[int] = field(default_factory=list)
    escalated: bool = False
    skipped: dict[int, str] = field(default_factory=dict)
    dry_run: bool = False


def process_mrelease(pidfd: int) -> None:
    """Reap a dying process's private memory now (no-op where the kernel lacks it)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.syscall(_SYS_PROCESS_MRELEASE, pidfd, 0) != 0:
        err = ctypes.get_errno()
        # ESRCH: already gone; EINVAL: not dying yet or no mm; ENOSYS: kernel < 5.15.
        if err not in (errno.ESRCH, errno.EINVAL, errno.ENOSYS, errno.EAGAIN):
            log.debug("process_mrelease: %s", os.strerror(err))


class Killer:
    """Signals processes safely.

    Args:
        proc_root: The procfs (the tests' PID namespace has its own).
        uid: Only processes of this real uid are ever signalled.
        cgroup2: The cgroup v2 mount, when there is one with ``cgroup.kill``.
        dry_run: Decide and report, but send nothing.
    """

    def __init__(
        self,
        proc_root: Path = Path("/proc"),
        *,
        uid: int | None = None,
        cgroup2: Cgroup2Mount | None = None,
        dry_run: bool = False,
    ) -> None:
        self.proc_root = proc_root
        self.uid = os.getuid() if uid is None else uid
        self.cgroup2 = cgroup2
        self.dry_run = dry_run

    # -- opening targets --------------------------------------------------------------------------

    def open_target(self, pid: int, starttime: int | None, guard: Guard) -> tuple[int | None, str]:
        """A pidfd for ``pid``, or None and a reason code."""
        if pid <= 1 or pid == os.getpid():
            return None, codes.INIT if pid == 1 else codes.SELF
        reason = guard(pid)
        if reason is not None:
            return None, reason
        try:
            before = read_pid_stat(pid, self.proc_root)
            if starttime is not None and before.starttime_ticks != starttime:
                return None, codes.REUSED
            if not self._all_uids_ours(pid):
                return None, codes.NOT_OURS
            pidfd = os.pidfd_open(pid)
        except (CoreError, ProcessLookupError):
            return None, codes.GONE
        try:
            # The pid may have been reused between the stat above and pidfd_open.
            after = read_pid_stat(pid, self.proc_root)
        except CoreError:
            os.close(pidfd)
            return None, codes.GONE
        if after.starttime_ticks != before.starttime_ticks:
            os.close(pidfd)
            return None, codes.REUSED
        return pidfd, ""

    def _all_uids_ours(self, pid: int) -> bool:
        """Whether real, effective, saved and filesystem uid are all ours (ProcessGone raises)."""
        return all(u == self.uid for u in read_pid_status(pid, self.proc_root).uids)

    def descendants(self, roots: Iterable[int], known: Mapping[int, int]) -> dict[int, int]:
        """pid -> starttime of every live descendant of ``roots`` forked after the snapshot
        (``known``: pid -> start time of every process it saw; those are skipped, and so is
        everything below them)."""
        children: dict[int, list[ProcessKey]] = {}
        for name in os.listdir(self.proc_root):
            if not name.isdigit():
                continue
            try:
                st = read_pid_stat(int(name), self.proc_root)
            except CoreError:
                continue
            children.setdefault(st.ppid, []).append(ProcessKey(st.pid, st.starttime_ticks))
        found: dict[int, int] = {}
        stack = list(roots)
        while stack:
            for pid, start in children.get(stack.pop(), ()):
                if pid not in found and known.get(pid) != start:
                    found[pid] = start
                    stack.append(pid)
        return found

    def cgroup_members(
        self, cgroups: Iterable[str], control: str = "cgroup.kill"
    ) -> tuple[list[Path], set[int]] | None:
        """The cgroup directories and their member pids, when every one has ``control``
        (``cgroup.kill``, or ``cgroup.freeze`` for pausing: monitor/app_pause.py)."""
        if self.cgroup2 is None:
            return None
        dirs: list[Path] = []
        pids: set[int] = set()
        for cgroup in cgroups:
            directory = self.cgroup2.dir_of(cgroup)
            if directory is None or not (directory / control).exists():
                return None
            try:
                text = (directory / "cgroup.procs").read_text()
            except OSError:
                return None
            dirs.append(directory)
            pids.update(int(p) for p in text.split())
        return (dirs, pids) if dirs else None

    def why_not_whole_cgroup(
        self, members: set[int], app: Mapping[int, int], known: Mapping[int, int], guard: Guard
    ) -> str | None:
        """Why the scope must not be acted on as a whole (``cgroup.kill``, ``cgroup.freeze``)
        with these members, or None."""
        for pid in members:
            if pid <= 1 or pid == os.getpid():
                return f"pid {pid}: self-or-init"
            reason = guard(pid)
            if reason is not None:
                return f"pid {pid}: {reason}"
            try:
                start = read_pid_stat(pid, self.proc_root).starttime_ticks
                if not self._all_uids_ours(pid):
                    return f"pid {pid}: not-ours"
            except CoreError:
                continue  # gone since cgroup.procs was read
            if app.get(pid) != start and known.get(pid) == start:
                return f"pid {pid}: another app's"
        return None

    # -- closing ----------------------------------------------------------------------------------

    async def close(
        self,
        pids: dict[int, int],
        *,
        cgroups: Iterable[str] = (),
        graceful: bool,
        grace_s: float,
        guard: Guard,
        urgent: Callable[[], bool] = lambda: False,
        known: Mapping[int, int] | None = None,
    ) -> KillOutcome:
        """Close every process of an app.

        Args:
            pids: pid -> start time (from the snapshot the choice was made on).
            cgroups: The app's own cgroups (empty when it has none).
            graceful: SIGTERM first and wait up to ``grace_s``; else SIGKILL at once.
            grace_s: The grace period.
            guard: Asked for every pid before it is opened.
            urgent: Polled during the grace period: True cuts it short.
            known: pid -> start time of every process of that snapshot (every app's): the
                processes it counted elsewhere are never swept in with this app.
        """
        outcome = KillOutcome(dry_run=self.dry_run)
        known = known if known is not None else pids
        members = self.cgroup_members(cgroups)
        if members is not None:
            # Every process in the scope must qualify, not only those we saw.
            refusal = self.why_not_whole_cgroup(members[1], pids, known, guard)
            if refusal is not None:
                log.warning("cgroup.kill not used for %s: %s", cgroups, refusal)
                members = None
            else:
                for pid in members[1] - pids.keys():
                    pids = {**pids, pid: -1}
        targets: dict[int, int] = {}
        try:
            for pid, start in pids.items():
                pidfd, reason = self.open_target(pid, start if start >= 0 else None, guard)
                if pidfd is None:
                    outcome.skipped[pid] = reason
                else:
                    targets[pid] = pidfd
            if self.dry_run or not targets:
                return outcome
            outcome.method = "cgroup" if members is not None else "pidfd"
            if graceful:
                self.signal_all(targets, signal.SIGTERM, outcome)
                await self.wait_exit(targets, grace_s, outcome, urgent)
                if not targets:
                    return outcome
                # Children forked during the grace period belong to the app too.
                for pid, start in self.descendants(targets, known).items():
                    if pid not in targets and pid not in outcome.exited:
                        pidfd, reason = self.open_target(pid, start, guard)
                        if pidfd is None:
                            outcome.skipped[pid] = reason
                        else:
                            targets[pid] = pidfd
            outcome.escalated = graceful
            if members is not None:
                for directory in members[0]:
                    with contextlib.suppress(OSError):
                        (directory / "cgroup.kill").write_text("1")
            self.signal_all(targets, signal.SIGKILL, outcome)
            for pidfd in targets.values():
                process_mrelease(pidfd)
            await self.wait_exit(targets, 5.0, outcome, lambda: False)
            return outcome
        finally:
            for pidfd in targets.values():
                os.close(pidfd)

    @staticmethod
    def signal_all(targets: dict[int, int], sig: int, outcome: KillOutcome) -> None:
        for pid, pidfd in list(targets.items()):
            try:
                signal.pidfd_send_signal(pidfd, sig)
                if pid not in outcome.signalled:
                    outcome.signalled.append(pid)
            except ProcessLookupError:
                outcome.exited.append(pid)
                os.close(targets.pop(pid))

    @staticmethod
    async def wait_exit(
        targets: dict[int, int], timeout_s: float, outcome: KillOutcome, urgent: Callable[[], bool]
    ) -> None:
        """Wait until every target exited (pidfds become readable), the timeout, or urgency."""
        loop = asyncio.get_running_loop()
        exited: asyncio.Queue[int] = asyncio.Queue()
        for pid, pidfd in targets.items():
            loop.add_reader(pidfd, exited.put_nowait, pid)
        deadline = time.monotonic() + timeout_s
        try:
            while targets:
                left = deadline - time.monotonic()
                if left <= 0 or urgent():
                    return
                try:
                    pid = await asyncio.wait_for(exited.get(), timeout=min(left, 0.1))
                except TimeoutError:
                    continue
                if pid in targets:
                    pidfd = targets.pop(pid)
                    loop.remove_reader(pidfd)
                    os.close(pidfd)
                    outcome.exited.append(pid)
        finally:
            for pidfd in targets.values():
                loop.remove_reader(pidfd)
