# SPDX-License-Identifier: GPL-3.0-or-later
"""``/proc/zoneinfo``: the free pages parked in per-CPU page lists, which ``MemAvailable`` omits.

Why it matters: a freed page goes to its CPU's page list (pcp) first, and pages there are not in
``NR_FREE_PAGES``, so ``MemFree`` and ``MemAvailable`` do not show them. Since Linux 6.7 the lists
tune their size up while a CPU frees a lot ("mm: tune PCP high automatically"), up to ``high_max``
pages per CPU and zone: measured here on 6.18, after a 256 MiB memfd holder exited, 262 MiB sat in
the lists and ``MemAvailable`` rose by 0 at once and by 25 MiB after 2 s. The pages are free — the
next allocation on that CPU takes them — so "what a close freed" must count them.

Format (mm/vmstat.c ``zoneinfo_show_print``): per zone, after ``pagesets``, one block per CPU::

    cpu: 0
              count:    48
              high:     3048
              batch:    63
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_COUNT = re.compile(r"^\s+count:\s+(\d+)\s*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class ZoneInfo:
    """What MemWarden reads of ``/proc/zoneinfo``.

    Attributes:
        pcp_free_pages: Free pages in all CPUs' page lists, over all zones.
    """

    pcp_free_pages: int


def parse_zoneinfo(text: str) -> ZoneInfo:
    """Parse ``/proc/zoneinfo``; a kernel without pagesets (none seen) reads as 0 pages."""
    return ZoneInfo(pcp_free_pages=sum(int(m) for m in _COUNT.findall(text)))


def read_zoneinfo(proc_root: Path = Path("/proc")) -> ZoneInfo:
    """Read and parse ``<proc_root>/zoneinfo`` (world-readable; OSError if it is missing)."""
    return parse_zoneinfo((proc_root / "zoneinfo").read_text())
