# SPDX-License-Identifier: GPL-3.0-or-later
"""The cgroup v2 mount and the few cgroup v2 files MemWarden reads.

Why cgroups matter: memfd and tmpfs pages are charged to the memcg of the task that allocated them
(docs/kernel-memory.md §5.6), so an app's own scope is the one place where its hidden memory is
counted, and ``cgroup.kill`` on that scope kills the whole app without racing forks (§7.2).

This machine is a hybrid system: the memory controller is cgroup v1 (``4:memory:/…``) and the v2
hierarchy (``/sys/fs/cgroup/unified``) has no controllers, so there is no ``memory.current`` there.
Every reader here returns ``None`` instead of failing in that case.
"""

from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass
from pathlib import Path

from memwarden.core.errors import AccessDenied, CoreError, ParseError, translate_os_errors
from memwarden.core.pid_cgroup import read_pid_cgroups

_MOUNTINFO_ESCAPE = re.compile(r"\\([0-7]{3})")


def _unescape_mountinfo(field: str) -> str:
    # The kernel escapes space, tab, newline and backslash in mountinfo as octal (show_mountinfo,
    # mangle()).
    return _MOUNTINFO_ESCAPE.sub(lambda m: chr(int(m.group(1), 8)), field)


@dataclass(frozen=True, slots=True)
class Cgroup2Mount:
    """Where the cgroup v2 hierarchy is mounted.

    Attributes:
        mount_point: The directory, e.g. ``/sys/fs/cgroup`` (``/sys/fs/cgroup/unified`` on hybrid
            systems like this one).
        hierarchy_root: Which cgroup of the hierarchy is mounted there (field 4 of mountinfo);
            ``/`` except for bind mounts and some containers.
    """

    mount_point: Path
    hierarchy_root: str = "/"

    def dir_of(self, cgroup: str) -> Path | None:
        """The directory of a cgroup path from ``/proc/PID/cgroup``, or ``None`` when it lies
        outside this mount, is relative, or has ``..`` components (paths of processes in another
        cgroup namespace look like ``/../..``; following them could leave the mount)."""
        if not cgroup.startswith("/"):
            return None
        parts = [p for p in cgroup.split("/") if p]
        if any(p in (".", "..") for p in parts):
            return None
        root_parts = [p for p in self.hierarchy_root.split("/") if p]
        if parts[: len(root_parts)] != root_parts:
            return None
        return self.mount_point.joinpath(*parts[len(root_parts) :])


def parse_cgroup2_mount(mountinfo: str, fs_root: Path = Path("/")) -> Cgroup2Mount | None:
    """Find the cgroup2 mount in ``/proc/self/mountinfo`` text (proc(5)).

    Line format: ``ID parent major:minor root mount-point options [optional…] - fstype source
    super-options``. With several cgroup2 mounts, the one whose root is ``/`` wins, and among those
    ``/sys/fs/cgroup`` (then ``/sys/fs/cgroup/unified``), then the first.

    Args:
        mountinfo: The file's text.
        fs_root: Prefix for the mount point, so a recorded tree can stand in for ``/``.

    Raises:
        ParseError: a line lacks the ``-`` separator or has too few fields.
    """
    found: list[tuple[str, str]] = []
    for line in mountinfo.split("\n"):
        if not line.strip():
            continue
        fields = line.split(" ")
        try:
            sep = fields.index("-", 6)
        except ValueError:
            raise ParseError(f"mountinfo: no ' - ' separator in {line!r}") from None
        if len(fields) < sep + 2:
            raise ParseError(f"mountinfo: no filesystem type in {line!r}")
        if fields[sep + 1] == "cgroup2":
            found.append((_unescape_mountinfo(fields[3]), _unescape_mountinfo(fields[4])))
    if not found:
        return None

    def rank(item: tuple[str, str]) -> tuple[int, int]:
        root, point = item
        preferred = {"/sys/fs/cgroup": 0, "/sys/fs/cgroup/unified": 1}.get(point, 2)
        return (0 if root == "/" else 1, preferred)

    root, point = min(found, key=rank)
    return Cgroup2Mount(mount_point=fs_root / point.lstrip("/"), hierarchy_root=root)


def read_cgroup2_mount(
    proc: Path = Path("/proc"), fs_root: Path = Path("/")
) -> Cgroup2Mount | None:
    """Read ``<proc>/self/mountinfo`` and find the cgroup2 mount; ``None`` when there is none."""
    with translate_os_errors():
        text = (proc / "self" / "mountinfo").read_text(errors="surrogateescape")
    return parse_cgroup2_mount(text, fs_root)


def _read_optional(path: Path) -> str | None:
    """Text of a cgroup file, or ``None`` when it does not exist (controller off, cgroup gone)."""
    try:
        return path.read_text()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except PermissionError as exc:
        raise AccessDenied(str(exc)) from exc
    except OSError as exc:
        # ENODEV: the cgroup was removed after open (kernfs deactivated the node).
        if exc.errno in (errno.ENODEV, errno.ENOENT):
            return None
        raise


def read_cgroup2_controllers(cgroup_dir: Path) -> frozenset[str] | None:
    """The controllers available in a v2 cgroup (``cgroup.controllers``), or ``None`` when the
    directory is not a v2 cgroup. On this machine the v2 root lists none, so no ``memory``."""
    text = _read_optional(cgroup_dir / "cgroup.controllers")
    if text is None:
        return None
    return frozenset(text.split())


def parse_memory_current(text: str) -> int:
    """Parse ``memory.current``: one decimal number of bytes (cgroup-v2.rst).

    Raises:
        ParseError: not a non-negative integer.
    """
    value = text.strip()
    # 30 digits is far above any byte count and keeps int() below its digit limit.
    if not value.isascii() or not value.isdigit() or len(value) > 30:
        raise ParseError(f"memory.current: {value[:40]!r} is not a byte count")
    return int(value)


def read_memory_current_bytes(cgroup_dir: Path) -> int | None:
    """Read ``memory.current`` of a v2 cgroup in bytes.

    Returns ``None`` when the file does not exist: the memory controller is not enabled for this
    cgroup (this machine: v1 memory controller), the cgroup is the root (which has no
    ``memory.current``), or it was removed meanwhile.

    Raises:
        AccessDenied: the file cannot be read.
        ParseError: the file has an unexpected format.
    """
    text = _read_optional(cgroup_dir / "memory.current")
    return None if text is None else parse_memory_current(text)


def has_memory_pressure(cgroup_dir: Path) -> bool:
    """Whether the cgroup has ``memory.pressure`` (PSI per cgroup, CONFIG_PSI).

    PSI files exist in every v2 cgroup even without the memory controller (seen here: the v2 root
    on this hybrid machine has ``memory.pressure`` but no ``memory.current``).
    """
    return (cgroup_dir / "memory.pressure").is_file()


def user_manager_pressure_path(
    mount: Cgroup2Mount | None, proc_root: Path, uid: int
) -> Path | None:
    """The ``memory.pressure`` of the user manager (``user@UID.service``) this process runs
    under, on a cgroup v2 desktop: stalls of the user's own apps, which the system-wide file
    dilutes with everyone else's. None without cgroup v2, outside a user manager, or without the
    file (no memory controller)."""
    if mount is None:
        return None
    try:
        cgroups = read_pid_cgroups(os.getpid(), proc_root)
    except CoreError:
        return None
    parts = (cgroups.v2 or "").split("/")
    for i, part in enumerate(parts):
        if part == f"user@{uid}.service":
            directory = mount.dir_of("/".join(parts[: i + 1]))
            path = directory / "memory.pressure" if directory is not None else None
            return path if path is not None and path.exists() else None
    return None
