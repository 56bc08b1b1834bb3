# SPDX-License-Identifier: GPL-3.0-or-later
"""``/proc/meminfo``: the system-wide numbers the watcher and the OOM replica need."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from memwarden.core.errors import ParseError


@dataclass(frozen=True, slots=True)
class MemInfo:
    """Selected ``/proc/meminfo`` fields, in KiB as the kernel prints them."""

    mem_total_kib: int
    mem_free_kib: int
    mem_available_kib: int
    swap_total_kib: int
    swap_free_kib: int
    shmem_kib: int
    # zram appears as swap; these are 0 on kernels or setups without the fields.
    cached_kib: int = 0

    def oom_total_pages(self, page_size: int) -> int:
        """The global OOM ``totalpages``: ``totalram_pages() + total_swap_pages`` (mm/oom_kill.c).

        ``MemTotal`` is ``totalram_pages`` in KiB and ``SwapTotal`` is ``total_swap_pages`` in KiB,
        so the sum converts back exactly.
        """
        return (self.mem_total_kib + self.swap_total_kib) * 1024 // page_size


_REQUIRED = ("MemTotal", "MemFree", "SwapTotal", "SwapFree")
_FIELD = re.compile(
    r"^(MemTotal|MemFree|MemAvailable|SwapTotal|SwapFree|Shmem|Cached):[ \t]*([0-9]*)", re.M
)


def parse_meminfo(text: str) -> MemInfo:
    """Parse ``/proc/meminfo``.

    ``MemAvailable`` exists since Linux 3.14; on older kernels ``MemFree`` stands in for it.
    ``Shmem`` exists since 2.6.32.

    Raises:
        ParseError: a required field is missing or not a number.
    """
    # One regex pass for the seven fields we use: the watcher parses this file every tick, and
    # splitting all ~55 lines cost more than the read.
    values: dict[str, int] = {}
    for key, number in _FIELD.findall(text):
        if not number:
            raise ParseError(f"meminfo: {key!r} is not a number")
        values.setdefault(key, int(number))
    missing = [k for k in _REQUIRED if k not in values]
    if missing:
        raise ParseError(f"meminfo: missing {', '.join(missing)}")
    return MemInfo(
        mem_total_kib=values["MemTotal"],
        mem_free_kib=values["MemFree"],
        mem_available_kib=values.get("MemAvailable", values["MemFree"]),
        swap_total_kib=values["SwapTotal"],
        swap_free_kib=values["SwapFree"],
        shmem_kib=values.get("Shmem", 0),
        cached_kib=values.get("Cached", 0),
    )


def read_meminfo(proc_root: Path = Path("/proc")) -> MemInfo:
    """Read and parse ``<proc_root>/meminfo``."""
    return parse_meminfo((proc_root / "meminfo").read_text())


class MeminfoReader:
    """Reads ``/proc/meminfo`` through one file kept open (``pread`` at offset 0 makes the
    kernel format it afresh): no open/close per tick for a file read every second."""

    def __init__(self, proc_root: Path = Path("/proc")) -> None:
        self._fd = os.open(proc_root / "meminfo", os.O_RDONLY | os.O_CLOEXEC)

    def read(self) -> MemInfo:
        """The current values."""
        return parse_meminfo(os.pread(self._fd, 16384, 0).decode("ascii", "replace"))

    def close(self) -> None:
        """Close the file."""
        os.close(self._fd)
