# SPDX-License-Identifier: GPL-3.0-or-later
"""``/proc/PID/maps`` and ``smaps``: which shmem/dma-buf objects a process maps, and how much.

A shmem object's pages that are mapped are already in the mappers' ``RssShmem`` (the kernel sees
them); the hidden part is ``resident - union of mapped pages``, and the union is Σ Pss over all
mappers (docs/kernel-memory.md §5.4, verified). So ``maps`` tells who maps what (cheap: no page
walk) and ``smaps`` is read only for processes mapping an object whose hidden part we compute.

Both files can be long (a browser has thousands of VMAs), so lines are found by searching the text
for the few path markers we care about instead of splitting every line.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

from memwarden.core.errors import ParseError
from memwarden.core.mounts import RamFsTable
from memwarden.core.pid_fds import FdKind, classify_target, strip_deleted

_HEX_START = frozenset("0123456789abcdef")


@dataclass(frozen=True, slots=True)
class MappedObject:
    """One VMA of a shmem-like object."""

    kind: FdKind
    dev: int
    ino: int
    path: str
    size_bytes: int
    shared: bool


def markers_for(ram_fs: RamFsTable) -> tuple[str, ...]:
    """Path prefixes that may name a hidden-memory object in this mount namespace.

    A tmpfs mounted on ``/`` (live systems) is left out: every library would match, and mapped
    pages are in Rss already.
    """
    points = tuple(
        m.mount_point.rstrip("/") + "/" for m in ram_fs.ram_mounts if m.mount_point != "/"
    )
    return ("/memfd:", "/SYSV", "/dmabuf:", *points)


def _line_at(text: str, index: int) -> tuple[str, int]:
    start = text.rfind("\n", 0, index) + 1
    end = text.find("\n", index)
    if end < 0:
        end = len(text)
    return text[start:end], end


def _parse_vma_header(line: str, ram_fs: RamFsTable) -> MappedObject | None:
    fields = line.split(None, 5)
    if len(fields) < 6 or not fields[0] or fields[0][0] not in _HEX_START:
        return None
    path = fields[5].strip()
    kind = classify_target(path, ram_fs)
    if kind not in (FdKind.MEMFD, FdKind.TMPFS, FdKind.SYSV, FdKind.DMABUF):
        return None
    try:
        start_s, _, end_s = fields[0].partition("-")
        major_s, _, minor_s = fields[3].partition(":")
        return MappedObject(
            kind=kind,
            dev=os.makedev(int(major_s, 16), int(minor_s, 16)),
            ino=int(fields[4]),
            path=strip_deleted(path),
            size_bytes=int(end_s, 16) - int(start_s, 16),
            shared=len(fields[1]) >= 4 and fields[1][3] == "s",
        )
    except (ValueError, OverflowError):
        raise ParseError(f"maps: bad VMA line {line[:80]!r}") from None


@functools.lru_cache(maxsize=64)
def _marker_pattern(markers: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(m) for m in markers))


def _matching_lines(text: str, markers: tuple[str, ...]) -> Iterator[tuple[str, int]]:
    """The lines containing any marker, each once, with the index of their end. One regex pass
    over the text: a process maps hundreds of libraries and only a few objects we care about."""
    search = _marker_pattern(markers).search
    match = search(text)
    while match is not None:
        line, end = _line_at(text, match.start())
        yield line, end
        match = search(text, end)


def parse_mapped_objects(text: str, ram_fs: RamFsTable) -> list[MappedObject]:
    """The shmem-like VMAs in a ``maps`` (or ``smaps``) text.

    Raises:
        ParseError: a matching line is malformed.
    """
    objects = []
    for line, _ in _matching_lines(text, markers_for(ram_fs)):
        obj = _parse_vma_header(line, ram_fs)
        if obj is not None:
            objects.append(obj)
    return objects


def parse_smaps_pss(text: str, ram_fs: RamFsTable) -> dict[tuple[int, int], int]:
    """Σ ``Pss`` (KiB) per ``(dev, ino)`` over the shmem-like VMAs in an ``smaps`` text.

    Raises:
        ParseError: a matching VMA has no ``Pss`` line or a malformed header.
    """
    pss: dict[tuple[int, int], int] = {}
    for line, end in _matching_lines(text, markers_for(ram_fs)):
        obj = _parse_vma_header(line, ram_fs)
        if obj is None:
            continue
        at = text.find("\nPss:", end - 1)
        next_vma = _next_header(text, end)
        if at < 0 or (next_vma >= 0 and at > next_vma):
            raise ParseError(f"smaps: no Pss for {obj.path!r}")
        value_end = text.find("\n", at + 5)
        fields = text[at + 5 : value_end if value_end >= 0 else None].split()
        try:
            kib = int(fields[0])
        except (ValueError, IndexError):
            raise ParseError("smaps: Pss is not a number") from None
        key = (obj.dev, obj.ino)
        pss[key] = pss.get(key, 0) + kib
    return pss


def _next_header(text: str, from_index: int) -> int:
    """Index of the next VMA header line after ``from_index`` (-1 if none)."""
    index = from_index
    while True:
        index = text.find("\n", index)
        if index < 0 or index + 1 >= len(text):
            return -1
        if text[index + 1] in _HEX_START:
            return index
        index += 1
