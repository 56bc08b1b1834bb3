# SPDX-License-Identifier: GPL-3.0-or-later
"""One process's ``/proc/PID`` directory, held open: reads that cannot reach another process.

A path such as ``/proc/1234/oom_score_adj`` names whichever process has pid 1234 when it is
opened. A file descriptor of the directory names the process that had the pid when the directory
was opened: files opened relative to it (``openat``) belong to that process for good, and fail with
``ESRCH`` once it has been reaped, whatever the pid names by then (docs/kernel-memory.md §7.1). So
an action on a :class:`~memwarden.core.process.ProcessKey` opens the directory, compares the start
time read through it (:meth:`PidDir.open_key`), and does everything else relative to it.
"""

from __future__ import annotations

import os
from pathlib import Path

from memwarden.core.errors import PidReused, translate_os_errors
from memwarden.core.pid_stat import PidStat, parse_pid_stat
from memwarden.core.pid_status import PidStatus, parse_pid_status
from memwarden.core.process import ProcessKey


class PidDir:
    """A ``/proc/PID`` directory file descriptor; close it (or use ``with``) when done.

    Args:
        pid: The pid the directory was opened for (for messages).
        dirfd: The directory's file descriptor; the object owns it.
    """

    def __init__(self, pid: int, dirfd: int) -> None:
        self.pid = pid
        self._dirfd = dirfd

    @classmethod
    def open(cls, pid: int, proc_root: Path) -> PidDir:
        """Open ``<proc_root>/PID``: it names whatever process has the pid now.

        Raises:
            ProcessGone: there is no such process.
            AccessDenied: the directory cannot be opened.
        """
        with translate_os_errors():
            dirfd = os.open(f"{proc_root}/{pid}", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        return cls(pid, dirfd)

    @classmethod
    def open_key(cls, key: ProcessKey, proc_root: Path) -> PidDir:
        """Open the directory of exactly the process ``key`` names.

        The start time is read through the directory fd: if the pid was reused before the
        directory was opened, the fd names the new process and its start time differs; if it is
        reused after, the fd still names the old one, whose files then fail.

        Raises:
            PidReused: the pid names another process now (a different start time).
            ProcessGone: the process exited.
            AccessDenied: its directory or ``stat`` cannot be read.
            ParseError: its ``stat`` has an unexpected format.
        """
        held = cls.open(key.pid, proc_root)
        try:
            starttime = held.stat().starttime_ticks
            if starttime != key.starttime_ticks:
                raise PidReused(
                    f"pid {key.pid} started at tick {starttime}, not {key.starttime_ticks}: "
                    "it names another process now"
                )
        except BaseException:
            held.close()
            raise
        return held

    def __enter__(self) -> PidDir:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fileno(self) -> int:
        """The directory fd, for ``os.open(name, flags, dir_fd=...)``.

        Raises:
            ValueError: the directory was closed.
        """
        if self._dirfd < 0:
            raise ValueError(f"/proc/{self.pid} is closed")
        return self._dirfd

    def close(self) -> None:
        """Close the directory (idempotent)."""
        if self._dirfd >= 0:
            os.close(self._dirfd)
            self._dirfd = -1

    def read(self, name: str) -> str:
        """Read ``/proc/PID/<name>`` of this process.

        Raises:
            ProcessGone: the process exited.
            AccessDenied: the file cannot be read.
        """
        with translate_os_errors():
            fd = os.open(name, os.O_RDONLY | os.O_CLOEXEC, dir_fd=self.fileno())
            try:
                chunks = []
                while chunk := os.read(fd, 65536):
                    chunks.append(chunk)
            finally:
                os.close(fd)
        # Bytes then decode, as read_pid_stat and read_pid_status do: no newline translation.
        return b"".join(chunks).decode(errors="surrogateescape")

    def stat(self) -> PidStat:
        """This process's ``stat`` (ProcessGone/AccessDenied/ParseError)."""
        return parse_pid_stat(self.read("stat"))

    def status(self) -> PidStatus:
        """This process's ``status`` (ProcessGone/AccessDenied/ParseError)."""
        return parse_pid_status(self.read("status"))
