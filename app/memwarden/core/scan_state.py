# SPDX-License-Identifier: GPL-3.0-or-later
"""What the scanner remembers about one process between scans, and how it reads a /proc file."""

from __future__ import annotations

from dataclasses import dataclass, field

from memwarden.core.dmabuf import DmabufFdinfo
from memwarden.core.errors import translate_os_errors
from memwarden.core.pid_fds import FdKind
from memwarden.core.pid_maps import MappedObject
from memwarden.core.process import ProcessIdentity


@dataclass(slots=True)
class ProcState:
    """What the scanner remembers about one process between scans."""

    starttime: int
    identity: ProcessIdentity
    mnt_ns: str = ""
    #: Every fd seen open. Only the numbers (most fds are sockets and pipes: their ~20,000 link
    #: targets on a desktop would be kept for nothing), in a tuple: a set per process would cost
    #: more than the strings, and a rescan needs them only when the fd count moved.
    fd_numbers: tuple[int, ...] = ()
    #: The fds that may hold hidden memory: their kind and link target.
    held_fds: dict[int, tuple[FdKind, str]] = field(default_factory=dict)
    #: The object behind each shared-memory fd at the last scan (``(st_dev, st_ino)``), so that a
    #: refresh stats one fd per object, not every fd of every holder.
    fd_keys: dict[int, object] = field(default_factory=dict)
    dmabuf_fdinfo: dict[int, DmabufFdinfo] = field(default_factory=dict)
    maps: list[MappedObject] = field(default_factory=list)
    rss_shmem_kib: int = -1
    pss: dict[tuple[int, int], int] | None = None
    pss_rss_shmem_kib: int = -1  # RssShmem when ``pss`` was read
    hidden_readable: bool = True
    unreadable_reason: str | None = None
    #: Holds a listening socket of the display server (set from fd links; reset by a full scan).
    listens_on_display: bool = False

    def forget_holdings(self) -> None:
        """Drop what we knew of its fds and mappings (the next read starts afresh)."""
        self.fd_numbers, self.held_fds, self.dmabuf_fdinfo, self.fd_keys = (), {}, {}, {}
        self.maps, self.pss, self.rss_shmem_kib = [], None, -1


def read_proc_text(path: str) -> str:
    """Read a /proc file: bytes then decode (no newline translation), OS errors translated."""
    with translate_os_errors(), open(path, "rb") as f:
        return f.read().decode(errors="surrogateescape")
