# SPDX-License-Identifier: GPL-3.0-or-later
"""``/proc/PID/fd``: which open files hold memory the OOM killer does not see.

An fd is classified from its link target alone (one ``readlink``), so a process with thousands of
sockets and pipes costs a directory listing and the readlinks, nothing more. Only fds that can hold
hidden memory are looked at further (``stat`` for memfd/tmpfs, fdinfo for dma-buf and DRM).
"""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path

from memwarden.core.dmabuf import is_dmabuf_link
from memwarden.core.drm_fdinfo import is_drm_link
from memwarden.core.errors import AccessDenied, translate_os_errors
from memwarden.core.mounts import RamFsTable

_DELETED = " (deleted)"


class FdKind(Enum):
    """What an fd's link target says it is."""

    MEMFD = "memfd"  # memfd_create(2): "/memfd:<name> (deleted)"
    TMPFS = "tmpfs"  # a file on a tmpfs/ramfs mount, e.g. /dev/shm/x or /run/user/1000/y
    SYSV = "sysv"  # "/SYSV%08x (deleted)" (shmat mappings; rare as an fd)
    DMABUF = "dmabuf"  # "/dmabuf:<name>" (5.x+) or "anon_inode:dmabuf" (older kernels)
    DRM = "drm"  # /dev/dri/card*, /dev/dri/renderD*, /dev/accel/accel*
    OTHER = "other"


def strip_deleted(path: str) -> str:
    """Drop the `` (deleted)`` suffix the kernel appends to unlinked files (d_path)."""
    return path[: -len(_DELETED)] if path.endswith(_DELETED) else path


def classify_target(target: str, ram_fs: RamFsTable) -> FdKind:
    """Classify an fd (or mapping) target string."""
    if not target.startswith("/"):
        # socket:[…], pipe:[…], anon_inode:[eventfd]…: only the pre-5.3 dma-buf is of interest.
        return FdKind.DMABUF if is_dmabuf_link(target) else FdKind.OTHER
    if is_dmabuf_link(target):
        return FdKind.DMABUF
    if target.startswith("/memfd:"):
        return FdKind.MEMFD
    if target.startswith("/SYSV"):
        return FdKind.SYSV
    if target.startswith(("/dev/dri/", "/dev/accel/")) and is_drm_link(target):
        return FdKind.DRM
    if ram_fs.is_ram_backed(strip_deleted(target)):
        return FdKind.TMPFS
    return FdKind.OTHER


def read_fd_targets(pid: int, proc_root: Path = Path("/proc")) -> dict[int, str]:
    """List ``/proc/PID/fd`` and readlink every entry: ``{fd: target}``.

    An fd closed between the listing and its readlink is simply left out.

    Raises:
        ProcessGone: the process exited.
        AccessDenied: another uid's or a non-dumpable process (``PTRACE_MODE_READ``, ref. §3.3).
    """
    fd_dir = f"{proc_root}/{pid}/fd/"
    with translate_os_errors():
        names = os.listdir(fd_dir)
    return read_fd_targets_of(fd_dir, names)


def read_fd_targets_of(fd_dir: str, names: list[str]) -> dict[int, str]:
    """Readlink the given entries of an fd directory (those closed meanwhile are skipped)."""
    targets: dict[int, str] = {}
    readlink = os.readlink
    for name in names:
        try:
            targets[int(name)] = readlink(fd_dir + name)
        except (FileNotFoundError, ValueError):
            continue
        except PermissionError as exc:
            # The listing can be allowed where the links are not (ptrace access is checked on
            # readlink, e.g. for a process that became non-dumpable).
            raise AccessDenied(str(exc)) from exc
    return targets
