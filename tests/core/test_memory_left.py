# SPDX-License-Identifier: GPL-3.0-or-later
"""Memory left: MemAvailable + SwapFree + the free pages in per-CPU lists, one measure for every
decision and every "freed" figure (core/memory_left.py)."""

from __future__ import annotations

import mmap
import os
from pathlib import Path

import pytest
from test_zoneinfo import SAMPLE as ZONEINFO

from memwarden.core.meminfo import read_meminfo
from memwarden.core.memory_left import (
    PAGE_SIZE,
    MemoryLeftReader,
    measure_memory_left,
    memory_left_bytes,
)

MiB = 1024 * 1024
MEMINFO = """\
MemTotal:       24000000 kB
MemFree:         1000000 kB
MemAvailable:    3000000 kB
SwapTotal:       2000000 kB
SwapFree:         500000 kB
Shmem:             10000 kB
"""
PCP_PAGES = 3 + 5 + 65536 + 700  # the sample's counts


@pytest.fixture
def recorded(tmp_path: Path) -> Path:
    (tmp_path / "meminfo").write_text(MEMINFO)
    (tmp_path / "zoneinfo").write_text(ZONEINFO)
    return tmp_path


def test_every_term_is_counted(recorded: Path) -> None:
    reading = MemoryLeftReader(recorded).read()
    assert reading.per_cpu_read
    assert reading.per_cpu_free_bytes == PCP_PAGES * PAGE_SIZE
    assert reading.bytes == (3_000_000 + 500_000) * 1024 + PCP_PAGES * PAGE_SIZE
    assert measure_memory_left(recorded) == reading.bytes
    assert reading.bytes == memory_left_bytes(reading.meminfo, reading.per_cpu_free_bytes)


def test_the_per_cpu_term_can_be_left_out_and_says_so(recorded: Path) -> None:
    reading = MemoryLeftReader(recorded).read(per_cpu=False)
    assert not reading.per_cpu_read
    assert reading.bytes == (3_000_000 + 500_000) * 1024


def test_a_tree_without_zoneinfo_reads_meminfo_alone(recorded: Path) -> None:
    (recorded / "zoneinfo").unlink()
    reading = MemoryLeftReader(recorded).read()
    assert reading.bytes == (3_000_000 + 500_000) * 1024 and not reading.per_cpu_read


def test_the_reader_sees_each_change_of_the_files(recorded: Path) -> None:
    reader = MemoryLeftReader(recorded)
    first = reader.read().bytes
    # procfs formats afresh on each pread; a regular file replaced in place behaves alike.
    with open(recorded / "meminfo", "r+") as f:
        f.write(MEMINFO.replace("3000000", "2000000"))
    assert first - reader.read().bytes == 1_000_000 * 1024
    reader.close()


def test_this_machine(tmp_path: Path) -> None:
    reading = MemoryLeftReader(Path("/proc")).read()
    meminfo = read_meminfo(Path("/proc"))
    assert reading.per_cpu_read and reading.per_cpu_free_bytes >= 0
    # Another moment, another value; but memory left is never below MemAvailable + SwapFree by
    # much (only what was allocated between the two reads).
    assert reading.bytes > memory_left_bytes(meminfo) - 512 * MiB


def test_a_freed_memfd_comes_back_at_once_in_memory_left() -> None:
    """What MemAvailable misses for seconds after a free, memory left sees at once: the 256 MiB a
    closed memfd held (core/zoneinfo.py measured 0 MiB in MemAvailable right after)."""
    size = 256 * MiB
    fd = os.memfd_create("memory-left-test")
    os.ftruncate(fd, size)
    with mmap.mmap(fd, size) as m:
        for offset in range(0, size, PAGE_SIZE):
            m[offset] = 1
    held = measure_memory_left()
    os.close(fd)  # the last reference: the pages are freed now
    assert measure_memory_left() - held > size // 2
