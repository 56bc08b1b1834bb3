# SPDX-License-Identifier: GPL-3.0-or-later
"""``/proc/PID/mountinfo``: where the RAM-backed filesystems (tmpfs, ramfs) are mounted.

A file on tmpfs is shmem: its pages count for no process unless mapped (docs/kernel-memory.md §5).
fd link targets are paths in the *holder's* mount namespace, so the table is read per namespace
(:func:`read_mount_table` takes the pid) and cached by the namespace inode by the scanner.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from memwarden.core.errors import ParseError, translate_os_errors

#: Filesystems whose files live in RAM (or swap). hugetlbfs is left out: its pages are reserved
#: up front and are not part of MemAvailable's budget in the same way.
RAM_FS_TYPES = frozenset({"tmpfs", "ramfs"})

_OCTAL_ESCAPE = re.compile(r"\\([0-7]{3})")


def _unescape(field: str) -> str:
    # The kernel escapes space, tab, newline and backslash as \ooo (fs/proc_namespace.c).
    return _OCTAL_ESCAPE.sub(lambda m: chr(int(m.group(1), 8)), field)


@dataclass(frozen=True, slots=True)
class Mount:
    """One mountinfo line (proc(5))."""

    mount_id: int
    dev: int
    root: str
    mount_point: str
    fs_type: str
    source: str


def parse_mountinfo(text: str) -> list[Mount]:
    """Parse ``/proc/PID/mountinfo``.

    Raises:
        ParseError: a line does not have the documented fields.
    """
    mounts: list[Mount] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        left, sep, right = line.partition(" - ")
        if not sep:
            raise ParseError("mountinfo: no ' - ' separator")
        fields = left.split()
        tail = right.split()
        if len(fields) < 5 or len(tail) < 2:
            raise ParseError("mountinfo: too few fields")
        major, colon, minor = fields[2].partition(":")
        try:
            mount = Mount(
                mount_id=int(fields[0]),
                dev=os.makedev(int(major), int(minor)) if colon else -1,
                root=_unescape(fields[3]),
                mount_point=_unescape(fields[4]),
                fs_type=tail[0],
                source=_unescape(tail[1]),
            )
        except (ValueError, OverflowError):
            raise ParseError("mountinfo: bad number") from None
        if mount.dev < 0:
            raise ParseError("mountinfo: bad major:minor")
        mounts.append(mount)
    return mounts


class RamFsTable:
    """Answers "is this path on a RAM-backed filesystem?" for one mount namespace."""

    def __init__(self, mounts: list[Mount]) -> None:
        # Later mounts stack on earlier ones at the same point, so keep the last one per point.
        by_point: dict[str, Mount] = {}
        for mount in mounts:
            by_point[mount.mount_point] = mount
        # Longest mount point first: the innermost mount containing a path wins.
        self._mounts = sorted(by_point.values(), key=lambda m: len(m.mount_point), reverse=True)
        self.ram_mounts = [m for m in self._mounts if m.fs_type in RAM_FS_TYPES]
        self.ram_devs = frozenset(m.dev for m in self.ram_mounts)
        # A path can only be RAM-backed below a RAM mount point: one C-level startswith() rules
        # out the common case (libraries, /dev/null, the user's files) before the full lookup.
        self._ram_prefixes = tuple(
            m.mount_point if m.mount_point.endswith("/") else m.mount_point + "/"
            for m in self.ram_mounts
        )
        self._ram_points = frozenset(m.mount_point for m in self.ram_mounts)
        self._ram_backed_cache: dict[str, bool] = {}

    def mount_of(self, path: str) -> Mount | None:
        """The mount that contains ``path`` (an absolute path), or None."""
        for mount in self._mounts:
            point = mount.mount_point
            if path == point or path.startswith(point if point.endswith("/") else point + "/"):
                return mount
        return None

    def is_ram_backed(self, path: str) -> bool:
        """True when ``path`` lies on tmpfs/ramfs in this namespace."""
        if not path.startswith(self._ram_prefixes) and path not in self._ram_points:
            return False
        known = self._ram_backed_cache.get(path)
        if known is None:
            # Shared files appear in many processes (every Wayland client holds the same ones).
            if len(self._ram_backed_cache) > 4096:
                self._ram_backed_cache.clear()
            mount = self.mount_of(path)
            known = self._ram_backed_cache[path] = (
                mount is not None and mount.fs_type in RAM_FS_TYPES
            )
        return known


def read_mount_table(pid: int | str = "self", proc_root: Path = Path("/proc")) -> RamFsTable:
    """Read ``<proc_root>/PID/mountinfo`` (ProcessGone/AccessDenied/ParseError)."""
    with translate_os_errors(), open(f"{proc_root}/{pid}/mountinfo", "rb") as f:
        text = f.read().decode(errors="surrogateescape")
    return RamFsTable(parse_mountinfo(text))
