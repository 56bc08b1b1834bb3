# SPDX-License-Identifier: GPL-3.0-or-later
"""The system-wide kernel knobs the helper touches, and what this process may do with them.

``/proc/sys/vm/drop_caches`` and ``/proc/sys/vm/compact_memory`` are mode 0200: writable by uid 0
and nobody else, no capability involved (kernel/sysctl.c ``test_perm``; verified on 6.18 with an
empty bounding set). They do not free shmem/memfd (drop_caches drops only clean page cache and
slab, Documentation/admin-guide/sysctl/vm.rst; shmem pages are swap-backed, never clean cache);
they are the "free memory now" button's cheap first step.

Every function takes the procfs as ``proc_root`` (the service passes ``/proc``), and what it reads
there is parsed by core (:mod:`memwarden.core.pid_status`, :mod:`memwarden.core.meminfo`).
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path

from memwarden.core import reason_codes as codes
from memwarden.core.errors import ParseError
from memwarden.core.meminfo import read_meminfo
from memwarden.core.pid_status import PidCapabilities, read_pid_capabilities
from memwarden.helper import constants as c
from memwarden.helper.errors import Failed, MissingCapability

# include/uapi/linux/capability.h
CAP_DAC_OVERRIDE = 1
CAP_SYS_RESOURCE = 24
#: What SetOomScoreAdj needs (see features() and the systemd unit); the helper keeps nothing else
#: (privileges.py).
NEEDED = (1 << CAP_DAC_OVERRIDE) | (1 << CAP_SYS_RESOURCE)


@dataclass(frozen=True, slots=True)
class FreeMemoryResult:
    """``MemAvailable`` before and after freeing, in KiB."""

    available_before_kib: int
    available_after_kib: int


def unwanted_capabilities(sets: PidCapabilities) -> int:
    """Capabilities held in any set beyond :data:`NEEDED`."""
    held = sets.effective | sets.permitted | sets.inheritable | sets.bounding
    return held & ~NEEDED


def effective_capabilities(proc_root: Path) -> int:
    """The ``CapEff`` bit mask of this process (``<proc_root>/self/status``)."""
    return read_pid_capabilities("self", proc_root).effective


def has_capability(cap: int, proc_root: Path) -> bool:
    """True when ``cap`` (a ``CAP_*`` number) is in this process's effective set."""
    return bool(effective_capabilities(proc_root) >> cap & 1)


def features(proc_root: Path) -> list[str]:
    """What this helper instance can do here, as feature codes (see ``constants.FEATURE_*``).

    Writing another uid's ``/proc/PID/oom_score_adj`` (mode 0644, owned by that uid) needs
    CAP_DAC_OVERRIDE; writing a value below ``oom_score_adj_min`` also needs CAP_SYS_RESOURCE
    (fs/proc/base.c ``__set_oom_adj``). ``os.access`` answers ``False`` on a read-only mount
    (systemd's ProtectKernelTunables=), which is what we want to know.
    """
    caps = effective_capabilities(proc_root)
    found = []
    if caps >> CAP_DAC_OVERRIDE & 1:
        found.append(c.FEATURE_RAISE_OOM_SCORE_ADJ)
        if caps >> CAP_SYS_RESOURCE & 1:
            found.append(c.FEATURE_LOWER_OOM_SCORE_ADJ)
    if os.access(proc_root / "sys/vm/drop_caches", os.W_OK):
        found.append(c.FEATURE_DROP_CACHES)
    if os.access(proc_root / "sys/vm/compact_memory", os.W_OK):
        found.append(c.FEATURE_COMPACT_MEMORY)
    return found


def mem_available_kib(proc_root: Path) -> int:
    """``MemAvailable`` from ``<proc_root>/meminfo``, in KiB.

    The field exists since Linux 3.14, long before the pidfds the helper needs (5.3); core reads
    ``MemFree`` in its place where it is missing.

    Raises:
        Failed: ``no-memavailable``: the file does not have the documented format.
    """
    try:
        return read_meminfo(proc_root).mem_available_kib
    except ParseError:
        raise Failed(codes.NO_MEMAVAILABLE) from None


def _write_knob(path: Path, value: bytes, reason: str) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
        try:
            os.write(fd, value)
        finally:
            os.close(fd)
    except PermissionError:
        raise MissingCapability(reason) from None
    except OSError as exc:
        if exc.errno == errno.EROFS:  # /proc/sys mounted read-only (container, sandbox)
            raise MissingCapability(reason) from None
        raise


def free_memory(proc_root: Path) -> FreeMemoryResult:
    """Drop clean caches and compact memory, the kernel way. Blocking: run it in a thread.

    No ``sync`` first: writing back dirty pages can stall for a long time exactly when memory is
    short; dropping only what is clean is quick and safe.

    Raises:
        MissingCapability: the kernel refused (not uid 0, or /proc/sys read-only).
    """
    before = mem_available_kib(proc_root)
    # 3 = page cache (1) + reclaimable slab such as dentries and inodes (2).
    _write_knob(proc_root / "sys/vm/drop_caches", b"3", codes.DROP_CACHES_DENIED)
    compact = proc_root / "sys/vm/compact_memory"
    if compact.exists():  # absent without CONFIG_COMPACTION
        _write_knob(compact, b"1", codes.COMPACT_MEMORY_DENIED)
    return FreeMemoryResult(before, mem_available_kib(proc_root))
