# SPDX-License-Identifier: GPL-3.0-or-later
"""``/proc/meminfo``: the system-wide numbers the watcher and the OOM replica need."""

from __future__ import annotations

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


def parse_meminfo(text: str) -> MemInfo:
    """Parse ``/proc/meminfo``.

    ``MemAvailable`` exists since Linux 3.14; on older kernels ``MemFree`` stands in for it.
    ``Shmem`` exists since 2.6.32.

    Raises:
        ParseError: a required field is missing or not a number.
    """
    values: dict[str, int] = {}
    for line in text.splitlines():
        key, sep, rest = line.partition(":")
        if not sep:
            continue
        fields = rest.split()
        if not fields:
            continue
        try:
            values[key.strip()] = int(fields[0])
        except ValueError:
            raise ParseError(f"meminfo: {key.strip()!r} is not a number") from None
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
