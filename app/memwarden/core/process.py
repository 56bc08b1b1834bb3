# SPDX-License-Identifier: GPL-3.0-or-later
"""What the scanner knows about who a process is (not what memory it holds).

This is the input of app grouping (:mod:`memwarden.core.apps`) and of every pid-reuse check: the
pair ``(pid, starttime_ticks)`` names one process for its whole life (:class:`ProcessKey`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from memwarden.core.pid_stat import read_pid_stat


class ProcessKey(NamedTuple):
    """The one name of a process: its pid and its start time.

    A pid alone is only a number that the kernel hands out again once the process is gone; the
    start time (``/proc/PID/stat`` field 22, clock ticks since boot) of the process that has it
    then is later (proc(5)). So everything that remembers a process, or acts on one, keys it by
    both, and compares the start time before it acts.

    A tuple, so that it crosses D-Bus as the ``(ut)`` it is, and sorts and hashes as one.
    """

    pid: int
    starttime_ticks: int

    @classmethod
    def of(cls, pid: int, proc_root: Path = Path("/proc")) -> ProcessKey:
        """Name the process that has ``pid`` right now.

        Raises:
            ProcessGone: there is no such process.
            AccessDenied: its ``stat`` cannot be read.
            ParseError: its ``stat`` has an unexpected format.
        """
        return cls(pid, read_pid_stat(pid, proc_root).starttime_ticks)


@dataclass(frozen=True, slots=True)
class ProcessIdentity:
    """Identity facts of one process, all from world-readable /proc files except ``exe``.

    Attributes:
        pid: Process id (in the reader's PID namespace).
        ppid: Parent pid; 0 for init and kthreadd.
        session: Session id (``/proc/PID/stat`` field 6); a shell in a terminal leads its own.
        uid: Real uid (``Uid:`` first column of ``/proc/PID/status``).
        comm: Kernel ``comm``, truncated to 15 bytes by the kernel.
        exe: Target of ``/proc/PID/exe``; ``""`` when unreadable (other uid, kernel thread).
        cmdline: ``/proc/PID/cmdline`` split on NUL; empty for kernel threads and zombies.
        cgroup: The cgroup v2 path (the ``0::`` line of ``/proc/PID/cgroup``), or ``None`` on a
            v1-only system or when the line is missing.
        starttime_ticks: Start time in clock ticks since boot (the pid-reuse guard).
        kernel_thread: True for kernel threads (no mm: they hold no user memory).
        program_path: The file it runs as its program: the executable, or for an interpreter
            the script (:mod:`memwarden.core.program_trust`); ``""`` when unknown.
        program_trusted: Whether ``program_path`` is a file the system installed (root-owned,
            in a system directory): only then may its name say what the process is.
    """

    pid: int
    ppid: int
    session: int
    uid: int
    comm: str
    exe: str
    cmdline: tuple[str, ...]
    cgroup: str | None
    starttime_ticks: int
    kernel_thread: bool = False
    program_path: str = ""
    program_trusted: bool = False

    @property
    def key(self) -> ProcessKey:
        """The process's :class:`ProcessKey`."""
        return ProcessKey(self.pid, self.starttime_ticks)
