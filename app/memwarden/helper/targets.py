# SPDX-License-Identifier: GPL-3.0-or-later
"""Validating a target process and writing its ``oom_score_adj`` without a pid-reuse race.

A pid is only a number; between checking a process and writing to it, the process may exit and
its pid may be handed to another process (proc(5), "/proc/PID/stat" field 22). So every target is
named by its :class:`~memwarden.core.process.ProcessKey` — the pid and start time the monitor
scored — and held open:

* a pidfd (``pidfd_open``, Linux 5.3) that becomes readable when *that* process exits, and
* a file descriptor of its ``/proc/PID`` directory (:class:`~memwarden.core.pid_dir.PidDir`): files
  opened relative to it belong to that process for good and fail with ``ESRCH`` once it is gone,
  whatever the pid names by then.

What is read through the directory is parsed by core's parsers (``stat``, ``status``), the same
the scanner uses; the procfs is the ``proc_root`` the service was given.

The start time is read through the directory fd before the write and again after it, and the
pidfd is polled after it (pidfd_open(2): it polls readable once the process has exited). Ownership
needs all four uids (real, effective, saved, filesystem) to be the caller's: a setuid program the
caller started is not the caller's to change. The uids are read again right before the write and
right after it: a target that execs a setuid program after the first check keeps its pid, its start
time and its ``/proc/PID`` directory, so only its credentials tell; if they changed, the old value
is put back and the call answers ``NotOwner("owner-changed")``.
"""

from __future__ import annotations

import errno
import logging
import os
import select
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from memwarden.core import errors as core_errors
from memwarden.core import reason_codes as codes
from memwarden.core.pid_dir import PidDir
from memwarden.core.pid_stat import PidStat
from memwarden.core.pid_status import PidStatus
from memwarden.core.process import ProcessKey
from memwarden.helper import constants as c
from memwarden.helper.errors import (
    Failed,
    HelperError,
    InvalidArgument,
    MissingCapability,
    NotOwner,
    ProcessGone,
)

_LOG = logging.getLogger(__name__)


class HeldProcess:
    """A verified target, held open by a pidfd and its ``/proc/PID`` directory fd.

    Use :func:`open_owned_process` to get one and :meth:`close` (or ``with``) to release it.

    Args:
        key: The process as the caller named it.
        pidfd: Its pidfd; the object owns it.
        piddir: Its ``/proc/PID`` directory; the object owns it.
    """

    def __init__(self, key: ProcessKey, pidfd: int, piddir: PidDir) -> None:
        self.key = key
        self.pid = key.pid
        self.comm = ""
        # (ruid, euid, suid, fsuid) as validated; set by open_owned_process.
        self.uids: tuple[int, ...] = ()
        self._pidfd = pidfd
        self._dir = piddir

    def __enter__(self) -> HeldProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close both file descriptors (idempotent)."""
        if self._pidfd >= 0:
            os.close(self._pidfd)
            self._pidfd = -1
        self._dir.close()

    def read(self, name: str) -> str:
        """Read ``/proc/PID/<name>`` of *this* process.

        Raises:
            ProcessGone: the process exited.
        """
        try:
            return self._dir.read(name)
        except core_errors.ProcessGone:
            raise ProcessGone(codes.EXITED, self.pid) from None

    def stat(self) -> PidStat:
        """Its ``stat``, parsed by core.

        Raises:
            ProcessGone: the process exited.
            Failed: ``unexpected-stat``: not a stat line.
        """
        try:
            return self._dir.stat()
        except core_errors.ProcessGone:
            raise ProcessGone(codes.EXITED, self.pid) from None
        except core_errors.ParseError:
            raise Failed(codes.UNEXPECTED_STAT, self.pid) from None

    def status(self) -> PidStatus:
        """Its ``status``, parsed by core, with the lines ownership depends on all there.

        Raises:
            ProcessGone: the process exited.
            Failed: ``unexpected-status``: unparsable, no ``Tgid``, or not four uids (the kernel
                prints four since Linux 2.6; fewer could hide one from the owner check).
        """
        try:
            status = self._dir.status()
        except core_errors.ProcessGone:
            raise ProcessGone(codes.EXITED, self.pid) from None
        except core_errors.ParseError:
            raise Failed(codes.UNEXPECTED_STATUS, self.pid) from None
        if status.tgid is None or status.uid_columns != 4:
            raise Failed(codes.UNEXPECTED_STATUS, self.pid)
        return status

    def exited(self) -> bool:
        """True once the process has exited (its pidfd polls readable)."""
        poller = select.poll()
        poller.register(self._pidfd, select.POLLIN)
        return bool(poller.poll(0))

    def verify_same(self) -> None:
        """Check that the process is still alive and still the one we validated.

        Raises:
            ProcessGone: it exited, or its start time changed (cannot happen through the directory
                fd unless the kernel broke its promise; checked anyway, it is cheap).
        """
        if self.stat().starttime_ticks != self.key.starttime_ticks:
            raise ProcessGone(codes.START_TIME_MISMATCH, self.pid)
        if self.exited():
            raise ProcessGone(codes.EXITED, self.pid)

    def verify_owner(self) -> None:
        """Check that the process still has the uids it was validated with.

        Raises:
            NotOwner: reason ``owner-changed``: it execed a setuid or setgid-and-setuid program,
                or changed its uids otherwise, since it was validated.
            ProcessGone: it exited.
        """
        if self.status().uids != self.uids:
            raise NotOwner(codes.OWNER_CHANGED, self.pid)

    def read_oom_score_adj(self) -> int:
        """The current ``oom_score_adj``.

        Raises:
            ProcessGone: the process exited.
            Failed: the file did not hold a number.
        """
        text = self.read("oom_score_adj")
        try:
            return int(text)
        except ValueError:
            raise Failed(codes.UNEXPECTED_OOM_SCORE_ADJ, self.pid) from None

    def write_oom_score_adj(self, value: int) -> None:
        """Write ``oom_score_adj``; the kernel's verdict comes back as a named error.

        ``os.write`` on an ``os.open`` fd, not ``open().write()``: a buffered file object can
        defer the kernel's ``EACCES`` to ``close()``, where it is easy to lose.

        Raises:
            MissingCapability: ``EACCES``/``EPERM``: lowering below ``oom_score_adj_min`` needs
                CAP_SYS_RESOURCE (``cap-sys-resource``); opening another uid's file needs
                CAP_DAC_OVERRIDE (``cap-dac-override``).
            InvalidArgument: the kernel said ``EINVAL`` (value out of its range).
            ProcessGone: the process exited.
        """
        try:
            fd = os.open("oom_score_adj", os.O_WRONLY | os.O_CLOEXEC, dir_fd=self._dir.fileno())
        except PermissionError:
            raise MissingCapability(codes.CAP_DAC_OVERRIDE, self.pid) from None
        except (ProcessLookupError, FileNotFoundError):
            raise ProcessGone(codes.EXITED, self.pid) from None
        data = str(value).encode()
        try:
            written = os.write(fd, data)
        except PermissionError:
            raise MissingCapability(codes.CAP_SYS_RESOURCE, self.pid) from None
        except ProcessLookupError:
            raise ProcessGone(codes.EXITED, self.pid) from None
        except OSError as exc:
            if exc.errno == errno.EINVAL:
                raise InvalidArgument(codes.KERNEL_REJECTED_VALUE, self.pid) from None
            raise
        finally:
            os.close(fd)
        if written != len(data):
            raise Failed(codes.SHORT_WRITE, self.pid)


def open_owned_process(target: ProcessKey, owner_uid: int, proc_root: Path) -> HeldProcess:
    """Open and verify a target: it exists, has the given start time, and ``owner_uid`` owns it.

    Args:
        target: The pid and the start time the caller saw.
        owner_uid: The caller's uid (from the bus daemon, not from the caller).
        proc_root: The procfs (``/proc``; a recorded tree in tests).

    Returns:
        The process, held open; the caller must close it.

    Raises:
        InvalidArgument: pid 0, a thread that is not a thread-group leader, a kernel thread.
        ProcessGone: no such process, it exited, or the start time differs (pid reused).
        NotOwner: any of its four uids is not ``owner_uid``.
    """
    pid = target.pid
    if not c.PID_MIN <= pid <= c.PID_MAX:  # pidfd_open would raise OverflowError past pid_t
        raise InvalidArgument(codes.INVALID_PID, pid)
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        raise ProcessGone(codes.NO_SUCH_PROCESS, pid) from None
    except OSError as exc:
        # A thread id: pidfd_open wants a thread-group leader. Older kernels say EINVAL, newer
        # ones ENOENT (verified on 6.18).
        if exc.errno in (errno.EINVAL, errno.ENOENT):
            raise InvalidArgument(codes.NOT_A_PROCESS, pid) from None
        raise
    try:
        # Opened after the pidfd: if the pid was reused in between, the start time check below
        # fails (the directory is bound to whatever process has the pid now).
        piddir = PidDir.open(pid, proc_root)
    except core_errors.ProcessGone:
        os.close(pidfd)
        raise ProcessGone(codes.NO_SUCH_PROCESS, pid) from None
    except BaseException:
        os.close(pidfd)
        raise
    held = HeldProcess(target, pidfd, piddir)
    try:
        stat = held.stat()
        if stat.starttime_ticks != target.starttime_ticks:
            raise ProcessGone(codes.START_TIME_MISMATCH, pid)
        if stat.kernel_thread:
            raise InvalidArgument(codes.KERNEL_THREAD, pid)
        if stat.state in ("Z", "X"):
            raise ProcessGone(codes.EXITED, pid)
        status = held.status()
        if status.tgid != pid:
            raise InvalidArgument(codes.NOT_A_PROCESS, pid)
        if any(uid != owner_uid for uid in status.uids):
            raise NotOwner(codes.NOT_OWNER, pid)
        held.uids = status.uids
        held.comm = stat.comm
        # The pidfd and the directory must name the same, living process.
        held.verify_same()
    except BaseException:
        held.close()
        raise
    return held


@dataclass(frozen=True, slots=True)
class AdjChange:
    """One write done by :func:`set_oom_score_adj`, for the log."""

    pid: int
    comm: str
    old: int
    new: int


def check_request(pids: Sequence[int], value: int) -> None:
    """Check what a SetOomScoreAdj request can be checked for without looking at any process.

    Cheap, and needs no authorization: the service runs it before asking polkit.

    Raises:
        InvalidArgument: ``score-adj-out-of-range``, ``no-processes``, ``too-many-processes``
            (counted before duplicates are merged), ``invalid-pid`` (outside 1..2³¹−1).
    """
    if not c.OOM_SCORE_ADJ_MIN <= value <= c.OOM_SCORE_ADJ_MAX:
        raise InvalidArgument(codes.SCORE_ADJ_OUT_OF_RANGE)
    if not pids:
        raise InvalidArgument(codes.NO_PROCESSES)
    if len(pids) > c.MAX_PROCESSES_PER_CALL:
        raise InvalidArgument(codes.TOO_MANY_PROCESSES)
    for pid in pids:
        if not c.PID_MIN <= pid <= c.PID_MAX:
            raise InvalidArgument(codes.INVALID_PID, pid)


def set_oom_score_adj(
    targets: list[ProcessKey], value: int, owner_uid: int, proc_root: Path
) -> list[AdjChange]:
    """Set ``oom_score_adj`` of every target, all or nothing.

    Every target is validated and held before the first write; if a write fails, the values
    already written are put back (best effort: restoring a previous value is always allowed,
    because it is at or above the kernel's ``oom_score_adj_min``).

    Args:
        targets: The processes (1 to ``MAX_PROCESSES_PER_CALL``; duplicates are merged).
        value: The new ``oom_score_adj``, in [-1000, 1000].
        owner_uid: The caller's uid.
        proc_root: The procfs.

    Returns:
        The changes made.

    Raises:
        HelperError: a named error; see :func:`check_request`, :func:`open_owned_process`,
            :meth:`HeldProcess.verify_owner` and :meth:`HeldProcess.write_oom_score_adj`.
    """
    check_request([t.pid for t in targets], value)
    unique = list(dict.fromkeys(targets))
    held: list[HeldProcess] = []
    try:
        for target in unique:
            held.append(open_owned_process(target, owner_uid, proc_root))
        if len({p.pid for p in held}) != len(held):  # one pid with two start times
            raise ProcessGone(codes.START_TIME_MISMATCH, held[-1].pid)
        changes: list[AdjChange] = []
        try:
            for proc in held:
                proc.verify_owner()  # validated maybe a while ago, before the other targets
                old = proc.read_oom_score_adj()
                proc.write_oom_score_adj(value)
                changes.append(AdjChange(proc.pid, proc.comm, old, value))
                # Right after the write: an exec of a setuid program since the check above
                # shows only here (then the roll-back below puts the old value back).
                proc.verify_owner()
                proc.verify_same()
        except HelperError:
            _roll_back(held, changes)
            raise
        return changes
    finally:
        for proc in held:
            proc.close()


def _roll_back(held: list[HeldProcess], changes: list[AdjChange]) -> None:
    by_pid = {p.pid: p for p in held}
    for change in reversed(changes):
        try:
            by_pid[change.pid].write_oom_score_adj(change.old)
        except HelperError as exc:
            _LOG.warning("could not restore oom_score_adj of pid %d: %s", change.pid, exc)
        else:
            _LOG.info("restored oom_score_adj of pid %d to %d", change.pid, change.old)
