# SPDX-License-Identifier: GPL-3.0-or-later
"""Memory left: the one measure of available memory, behind every decision and every "freed".

    memory left = MemAvailable + SwapFree + the free pages parked in per-CPU lists

``MemAvailable + SwapFree`` is what earlyoom and nohang compare with their thresholds: what can
still be had before the kernel must kill. The per-CPU term is free memory ``MemAvailable`` does
not show (core/zoneinfo.py): right after a close it held 262 MiB here, so a measure without it
said a close freed nothing, and a decision without it closed a second app for memory that was
already free. Thresholds, the ``AvailableBytes`` property, a close's ``freed_bytes`` and "free
memory now"'s result all use this one measure, so a figure on one screen means what it means on
the other.

The per-CPU term costs a read of ``/proc/zoneinfo`` (70 µs on 2 CPUs, more with more CPUs): the
engine leaves it out only while memory left is more than twice the warn threshold, where a few
MiB cannot change a decision (:meth:`MemoryLeftReader.read`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from memwarden.core.meminfo import MemInfo, parse_meminfo
from memwarden.core.zoneinfo import parse_zoneinfo

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def memory_left_bytes(meminfo: MemInfo, per_cpu_free_bytes: int = 0) -> int:
    """``MemAvailable + SwapFree`` in bytes, plus the per-CPU free pages when they were read."""
    return (meminfo.mem_available_kib + meminfo.swap_free_kib) * 1024 + per_cpu_free_bytes


@dataclass(frozen=True, slots=True)
class MemoryLeft:
    """One reading.

    Attributes:
        meminfo: ``/proc/meminfo`` as read.
        per_cpu_free_bytes: Free pages in per-CPU lists, in bytes; 0 when not read.
        per_cpu_read: Whether the per-CPU term was read (else it is 0 by omission).
    """

    meminfo: MemInfo
    per_cpu_free_bytes: int = 0
    per_cpu_read: bool = False

    @property
    def bytes(self) -> int:
        """Memory left, in bytes."""
        return memory_left_bytes(self.meminfo, self.per_cpu_free_bytes)


class MemoryLeftReader:
    """Reads memory left through ``/proc/meminfo`` and ``/proc/zoneinfo`` kept open (``pread`` at
    offset 0 makes the kernel format each afresh): no open/close per tick for files read every
    second.

    Args:
        proc_root: The procfs.
    """

    def __init__(self, proc_root: Path = Path("/proc")) -> None:
        self._meminfo = os.open(proc_root / "meminfo", os.O_RDONLY | os.O_CLOEXEC)
        try:
            self._zoneinfo: int | None = os.open(
                proc_root / "zoneinfo", os.O_RDONLY | os.O_CLOEXEC
            )
        except OSError:  # never seen; a recorded tree may lack it: MemAvailable + SwapFree only
            self._zoneinfo = None

    def read_meminfo(self) -> MemInfo:
        """``/proc/meminfo`` now.

        Raises:
            memwarden.core.errors.ParseError: a required field is missing.
        """
        return parse_meminfo(os.pread(self._meminfo, 16384, 0).decode("ascii", "replace"))

    def read(self, *, per_cpu: bool = True) -> MemoryLeft:
        """Memory left now; ``per_cpu=False`` leaves out the per-CPU term (see the module doc).

        Raises:
            memwarden.core.errors.ParseError: ``/proc/meminfo`` lacks a required field.
        """
        meminfo = self.read_meminfo()
        if not per_cpu or self._zoneinfo is None:
            return MemoryLeft(meminfo)
        pages = parse_zoneinfo(_pread_all(self._zoneinfo).decode("ascii", "replace"))
        return MemoryLeft(meminfo, pages.pcp_free_pages * PAGE_SIZE, per_cpu_read=True)

    def close(self) -> None:
        """Close the files."""
        os.close(self._meminfo)
        if self._zoneinfo is not None:
            os.close(self._zoneinfo)


def _pread_all(fd: int) -> bytes:
    """The whole file at ``fd`` from offset 0 (zoneinfo grows with CPUs and zones: 5 KiB on 2
    CPUs, tens of KiB on a big desktop)."""
    chunks: list[bytes] = []
    offset = 0
    while True:
        chunk = os.pread(fd, 65536, offset)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        offset += len(chunk)


def measure_memory_left(proc_root: Path = Path("/proc")) -> int:
    """Memory left now, every term read (for one-off before/after measurements)."""
    reader = MemoryLeftReader(proc_root)
    try:
        return reader.read().bytes
    finally:
        reader.close()
