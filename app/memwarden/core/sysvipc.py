# SPDX-License-Identifier: GPL-3.0-or-later
"""``/proc/sysvipc/shm``: System V shared memory segments.

A segment is shmem with no fd: it shows up in the attachers' maps as ``/SYSV%08x (deleted)`` with
the shmid as inode number (ipc/shm.c ``newseg`` sets ``i_ino = shp->shm_perm.id``). Its memory
survives every kill until ``IPC_RMID`` and the last detach, so a segment nobody attaches is an
orphan.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from memwarden.core.errors import ParseError


@dataclass(frozen=True, slots=True)
class ShmSegment:
    """One SysV segment. ``rss_bytes``/``swap_bytes`` exist since 2.6.30 (0 when absent)."""

    key: int
    shmid: int
    size_bytes: int
    creator_pid: int
    attach_count: int
    uid: int
    rss_bytes: int
    swap_bytes: int


def parse_sysvipc_shm(text: str) -> list[ShmSegment]:
    """Parse ``/proc/sysvipc/shm`` by its header, so column order changes cannot shift fields.

    Raises:
        ParseError: the header lacks a required column or a row is malformed.
    """
    lines = text.splitlines()
    if not lines:
        return []
    header = lines[0].split()
    try:
        col = {n: header.index(n) for n in ("key", "shmid", "size", "cpid", "nattch", "uid")}
    except ValueError:
        raise ParseError("sysvipc/shm: missing column") from None
    rss_col = header.index("rss") if "rss" in header else None
    swap_col = header.index("swap") if "swap" in header else None
    segments = []
    for line in lines[1:]:
        fields = line.split()
        if not fields:
            continue
        if len(fields) < len(header):
            raise ParseError("sysvipc/shm: short row")
        try:
            segments.append(
                ShmSegment(
                    key=int(fields[col["key"]]),
                    shmid=int(fields[col["shmid"]]),
                    size_bytes=int(fields[col["size"]]),
                    creator_pid=int(fields[col["cpid"]]),
                    attach_count=int(fields[col["nattch"]]),
                    uid=int(fields[col["uid"]]),
                    rss_bytes=int(fields[rss_col]) if rss_col is not None else 0,
                    swap_bytes=int(fields[swap_col]) if swap_col is not None else 0,
                )
            )
        except ValueError:
            raise ParseError("sysvipc/shm: not a number") from None
    return segments


def read_sysvipc_shm(proc_root: Path = Path("/proc")) -> list[ShmSegment]:
    """Read the segment table; an absent file (no ``CONFIG_SYSVIPC``) means no segments."""
    try:
        text = (proc_root / "sysvipc" / "shm").read_text()
    except FileNotFoundError:
        return []
    return parse_sysvipc_shm(text)
