# SPDX-License-Identifier: GPL-3.0-or-later
"""/proc/zoneinfo: the free pages in per-CPU lists (what MemAvailable does not show)."""

from __future__ import annotations

from pathlib import Path

from memwarden.core.zoneinfo import parse_zoneinfo, read_zoneinfo

# Trimmed from this machine's 6.18 kernel, counts made distinctive; the per-node "nr_*" lines and
# the zone's own counters (which have other names) must not be summed.
SAMPLE = """\
Node 0, zone      DMA
  per-node stats
      nr_inactive_anon 7508
  pages free     3840
        min      4
  pagesets
    cpu: 0
              count:    3
              high:     0
              batch:    1
              high_min: 15
              high_max: 240
  vm stats threshold: 4
    cpu: 1
              count:    5
              high:     0
              batch:    1
  node_unreclaimable:  0
Node 0, zone   Normal
  pages free     5713213
  pagesets
    cpu: 0
              count:    65536
              high:     48307
              batch:    63
    cpu: 1
              count:    700
              high:     3048
              batch:    63
  vm stats threshold: 24
"""


def test_sums_every_cpu_of_every_zone() -> None:
    assert parse_zoneinfo(SAMPLE).pcp_free_pages == 3 + 5 + 65536 + 700


def test_no_pagesets_is_zero() -> None:
    assert parse_zoneinfo("Node 0, zone      DMA\n  pages free     3840\n").pcp_free_pages == 0


def test_this_machines_file_parses() -> None:
    assert read_zoneinfo(Path("/proc")).pcp_free_pages >= 0
