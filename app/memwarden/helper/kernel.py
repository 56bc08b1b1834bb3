# SPDX-License-Identifier: GPL-3.0-or-later
"""The system-wide kernel knobs the helper touches, and what this process may do with them.

``/proc/sys/vm/drop_caches`` and ``/proc/sys/vm/compact_memory`` are mode 0200: writable by uid 0
and nobody else, no capability involved (kernel/sysctl.c ``test_perm``; verified on 6.18 with an
empty bounding set). They do not free shmem/memfd (drop_caches drops only clean page cache and
slab, Documentation/admin-guide/sysctl/vm.rst; shmem pages are swap-backed, never clean cache);
they are the "free memory now" button's cheap first step.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path

from memwarden.core import reason_codes as codes
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


@dataclass(frozen=True, slots=True)
class CapabilitySets:
    """This process's capability masks and no_new_privs flag, from ``/proc/self/status``."""

    effective: int
    permitted: int
    inheritable: int
    bounding: int
    no_new_privs: bool

    @property
    def unwanted(self) -> int:
        """Capabilities held in any set beyond :data:`NEEDED`."""
        held = self.effective | self.permitted | self.inheritable | self.bounding
        return held & ~NEEDED


def read_capability_sets(status: Path = Path("/proc/self/status")) -> CapabilitySets:
    """Parse the ``Cap*`` and ``NoNewPrivs`` lines of a ``/proc/PID/status`` file."""
    fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)

    def mask(name: str) -> int:
        return int(fields[name].strip(), 16)

    return CapabilitySets(
        effective=mask("CapEff"),
        permitted=mask("CapPrm"),
        inheritable=mask("CapInh"),
        bounding=mask("CapBnd"),
        no_new_privs=fields.get("NoNewPrivs", "0").strip() == "1",
    )


def effective_capabilities(proc: Path = Path("/proc")) -> int:
    """The ``CapEff`` bit mask of this process (``/proc/self/status``)."""
    return read_capability_sets(proc / "self" / "status").effective


def has_capability(cap: int, proc: Path = Path("/proc")) -> bool:
    """True when ``cap`` (a ``CAP_*`` number) is in this process's effective set."""
    return bool(effective_capabilities(proc) >> cap & 1)


def features(proc: Path = Path("/proc")) -> list[str]:
    """What this helper instance can do here, as feature codes (see ``constants.FEATURE_*``).

    Writing another uid's ``/proc/PID/oom_score_adj`` (mode 0644, owned by that uid) needs
    CAP_DAC_OVERRIDE; writing a value below ``oom_score_adj_min`` also needs CAP_SYS_RESOURCE
    (fs/proc/base.c ``__set_oom_adj``). ``os.access`` answers ``False`` on a read-only mount
    (systemd's ProtectKernelTunables=), which is what we want to know.
    """
    caps = effective_capabilities(proc)
    found = []
    if caps >> CAP_DAC_OVERRIDE & 1:
        found.append(c.FEATURE_RAISE_OOM_SCORE_ADJ)
        if caps >> CAP_SYS_RESOURCE & 1:
            found.append(c.FEATURE_LOWER_OOM_SCORE_ADJ)
    if os.access(proc / "sys/vm/drop_caches", os.W_OK):
        found.append(c.FEATURE_DROP_CACHES)
    if os.access(proc / "sys/vm/compact_memory", os.W_OK):
        found.append(c.FEATURE_COMPACT_MEMORY)
    return found


def mem_available_kib(proc: Path = Path("/proc")) -> int:
    """``MemAvailable`` from ``/proc/meminfo`` (Linux 3.14+), in KiB."""
    for line in (proc / "meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1])
    raise Failed(codes.NO_MEMAVAILABLE)


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


def free_memory(proc: Path = Path("/proc")) -> FreeMemoryResult:
    """Drop clean caches and compact memory, the kernel way. Blocking: run it in a thread.

    No ``sync`` first: writing back dirty pages can stall for a long time exactly when memory is
    short; dropping only what is clean is quick and safe.

    Raises:
        MissingCapability: the kernel refused (not uid 0, or /proc/sys read-only).
    """
    before = mem_available_kib(proc)
    # 3 = page cache (1) + reclaimable slab such as dentries and inodes (2).
    _write_knob(proc / "sys/vm/drop_caches", b"3", codes.DROP_CACHES_DENIED)
    compact = proc / "sys/vm/compact_memory"
    if compact.exists():  # absent without CONFIG_COMPACTION
        _write_knob(compact, b"1", codes.COMPACT_MEMORY_DENIED)
    return FreeMemoryResult(before, mem_available_kib(proc))
