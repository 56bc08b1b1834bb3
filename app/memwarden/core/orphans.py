# SPDX-License-Identifier: GPL-3.0-or-later
"""Orphans: RAM held by tmpfs files and SysV segments that no process holds.

No kill can free them (docs/kernel-memory.md §5.5/§5.6): only unlinking the file (or ``IPC_RMID``
plus the last detach) does. The watcher must not kill innocents for them, and the user must be told
where they are.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from memwarden.core.mounts import Mount, RamFsTable
from memwarden.core.sysvipc import ShmSegment


@dataclass(frozen=True, slots=True)
class Orphan:
    """A RAM-backed file (or SysV segment) nobody holds. ``kind`` is ``"tmpfs"`` or ``"sysv"``."""

    kind: str
    path: str
    bytes: int
    uid: int


def user_visible_mounts(table: RamFsTable) -> list[Mount]:
    """The tmpfs mounts where user files live: /dev/shm, /tmp, /var/tmp and /run/user/*.

    System tmpfs mounts (/run, /sys/fs/cgroup, /dev) hold runtime state, not user data, and walking
    them would only cost time.
    """
    wanted = []
    for mount in table.ram_mounts:
        point = mount.mount_point
        if point in ("/dev/shm", "/tmp", "/var/tmp") or point.startswith("/run/user/"):
            wanted.append(mount)
    return wanted


def find_tmpfs_orphans(
    mounts: Iterable[Mount], held: frozenset[tuple[int, int]], *, limit: int = 10_000
) -> list[Orphan]:
    """Walk the given mounts (not crossing into other mounts) for files nobody holds.

    Args:
        mounts: RAM-backed mounts to walk.
        held: ``(st_dev, st_ino)`` of files some process holds by fd or mapping.
        limit: Stop after this many directory entries per mount (a /tmp with a million files
            must not stall the guard).
    """
    orphans: list[Orphan] = []
    for mount in mounts:
        seen = 0
        stack = [mount.mount_point]
        while stack and seen < limit:
            directory = stack.pop()
            try:
                entries = list(os.scandir(directory))
            except OSError:
                continue  # unreadable directory (another user's 0700 dir): not ours to judge
            for entry in entries:
                seen += 1
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                if st.st_dev != mount.dev:
                    continue  # a mount inside this one is walked on its own, if at all
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif (
                    entry.is_file(follow_symlinks=False)
                    and st.st_blocks
                    and (st.st_dev, st.st_ino) not in held
                ):
                    orphans.append(Orphan("tmpfs", entry.path, st.st_blocks * 512, st.st_uid))
    orphans.sort(key=lambda o: -o.bytes)
    return orphans


def find_sysv_orphans(segments: Iterable[ShmSegment]) -> list[Orphan]:
    """SysV segments with no attached process still hold their pages."""
    return [
        Orphan("sysv", f"SysV shm key {s.key:#010x} id {s.shmid}", s.rss_bytes + s.swap_bytes,
               s.uid)
        for s in segments
        if s.attach_count == 0 and s.rss_bytes + s.swap_bytes > 0
    ]


def read_orphans(
    held: frozenset[tuple[int, int]], table: RamFsTable, segments: Iterable[ShmSegment]
) -> list[Orphan]:
    """All orphans: tmpfs files in the user-visible mounts and unattached SysV segments."""
    found = find_tmpfs_orphans(user_visible_mounts(table), held) + find_sysv_orphans(segments)
    found.sort(key=lambda o: -o.bytes)
    return found



