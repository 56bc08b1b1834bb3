# SPDX-License-Identifier: GPL-3.0-or-later
"""``/proc/PID/stat``: parent, session, state and start time (the pid-reuse guard).

The start time (field 22, clock ticks since boot) together with the pid identifies a process for
its whole life: a reused pid gets a later start time. Every code path that acts on a pid compares it
(see proc(5)).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from memwarden.core.errors import ParseError, translate_os_errors

PF_KTHREAD = 0x00200000


@dataclass(frozen=True, slots=True)
class PidStat:
    """The fields of ``/proc/PID/stat`` that MemWarden uses."""

    pid: int
    comm: str
    state: str
    ppid: int
    pgrp: int
    session: int
    flags: int
    starttime_ticks: int

    @property
    def kernel_thread(self) -> bool:
        """``PF_KTHREAD`` (include/linux/sched.h): kernel threads hold no user memory."""
        return bool(self.flags & PF_KTHREAD)


def parse_pid_stat(text: str) -> PidStat:
    """Parse the one line of ``/proc/PID/stat``.

    ``comm`` may contain spaces and parentheses, so the fields after it are found from the *last*
    ``)`` (proc(5)).

    Raises:
        ParseError: the text is not a stat line.
    """
    open_paren = text.find("(")
    close_paren = text.rfind(")")
    if open_paren < 1 or close_paren < open_paren:
        raise ParseError("stat: no '(comm)'")
    rest = text[close_paren + 2 :].split()
    # rest[0] is field 3 (state); the start time is field 22 -> rest[19].
    if len(rest) < 20:
        raise ParseError(f"stat: {len(rest) + 2} fields, need at least 22")
    try:
        return PidStat(
            pid=int(text[:open_paren]),
            comm=text[open_paren + 1 : close_paren],
            state=rest[0],
            ppid=int(rest[1]),
            pgrp=int(rest[2]),
            session=int(rest[3]),
            flags=int(rest[6]),
            starttime_ticks=int(rest[19]),
        )
    except ValueError as exc:
        raise ParseError(f"stat: {exc}") from None


def read_pid_stat(pid: int, root: Path = Path("/proc")) -> PidStat:
    """Read and parse ``<root>/PID/stat``.

    Raises:
        ProcessGone: the process does not exist (any more).
        AccessDenied: the file cannot be read.
        ParseError: the file has an unexpected format.
    """
    # Bytes then decode: no newline translation, no pathlib on the hot path (one call per pid).
    with translate_os_errors(), open(f"{root}/{pid}/stat", "rb") as f:
        text = f.read().decode(errors="surrogateescape")
    return parse_pid_stat(text)
