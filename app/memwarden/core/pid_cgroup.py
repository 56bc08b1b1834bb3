# SPDX-License-Identifier: GPL-3.0-or-later
"""``/proc/PID/cgroup``: the cgroup v2 path of a process and its cgroup v1 hierarchies.

The v2 path names the systemd unit that holds the process (read as an app by
:mod:`memwarden.core.app_units`) and the directory of its v2 files (:mod:`memwarden.core.cgroup2`).
This machine is a hybrid system: the memory controller is on a v1 line (``4:memory:/…``), so the
v1 lines are kept too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from memwarden.core.errors import ParseError, translate_os_errors


@dataclass(frozen=True, slots=True)
class V1Hierarchy:
    """One cgroup v1 line of ``/proc/PID/cgroup``: ``N:controllers:path``.

    Attributes:
        hierarchy_id: The hierarchy number (``N``).
        controllers: The controllers bound to it, e.g. ``("cpu", "cpuacct")`` or
            ``("name=systemd",)`` for systemd's named hierarchy.
        path: The cgroup path in that hierarchy.
    """

    hierarchy_id: int
    controllers: tuple[str, ...]
    path: str


@dataclass(frozen=True, slots=True)
class PidCgroups:
    """The parsed ``/proc/PID/cgroup``.

    Attributes:
        v2: The cgroup v2 path (the ``0::`` line), or ``None`` when the kernel printed no such
            line: it prints one only once a cgroup2 hierarchy has been mounted.
        v1: The cgroup v1 lines, in file order (empty on a pure v2 system).
    """

    v2: str | None
    v1: tuple[V1Hierarchy, ...] = ()

    def v1_path(self, controller: str) -> str | None:
        """The path of the v1 hierarchy that has ``controller`` (e.g. ``"memory"``), or ``None``."""
        for line in self.v1:
            if controller in line.controllers:
                return line.path
        return None

    @property
    def memory_v1(self) -> str | None:
        """The v1 memory controller path (hybrid/legacy systems such as this machine)."""
        return self.v1_path("memory")

    @property
    def unit_path(self) -> str | None:
        """The path to read systemd units from: the v2 path, or on legacy v1 systemd the
        ``name=systemd`` path, which has the same unit layout.

        On a hybrid system systemd tracks processes in the v2 hierarchy; on a pure legacy one the
        ``0::`` line is missing or ``/`` and only ``name=systemd`` has the units.
        """
        if self.v2 is not None and self.v2 != "/":
            return self.v2
        named = self.v1_path("name=systemd")
        if named is not None and named != "/":
            return named
        return self.v2


def parse_pid_cgroup(text: str) -> PidCgroups:
    """Parse ``/proc/PID/cgroup`` (cgroups(7)): ``hierarchy-ID:controller-list:cgroup-path``.

    The path is everything after the second ``:`` (it may itself contain ``:``, e.g. D-Bus unit
    names like ``dbus-:1.2-org.gnome.Nautilus@0.service``).

    Raises:
        ParseError: a line has fewer than two ``:`` or a non-numeric hierarchy id.
    """
    v2: str | None = None
    v1: list[V1Hierarchy] = []
    for line in text.split("\n"):
        if not line:
            continue
        parts = line.split(":", 2)
        if len(parts) != 3:
            raise ParseError(f"cgroup: line {line!r} is not 'id:controllers:path'")
        ident, controllers, path = parts
        if not ident.isascii() or not ident.isdigit() or len(ident) > 10:
            raise ParseError(f"cgroup: hierarchy id {ident!r} is not a number")
        if ident == "0" and controllers == "":
            v2 = path
        else:
            v1.append(V1Hierarchy(int(ident), tuple(c for c in controllers.split(",") if c), path))
    return PidCgroups(v2=v2, v1=tuple(v1))


def read_pid_cgroups(pid: int, root: Path = Path("/proc")) -> PidCgroups:
    """Read and parse ``<root>/PID/cgroup``.

    Raises:
        ProcessGone: the process does not exist (any more).
        AccessDenied: the file cannot be read.
        ParseError: the file has an unexpected format.
    """
    with translate_os_errors():
        text = (root / str(pid) / "cgroup").read_text(errors="surrogateescape")
    return parse_pid_cgroup(text)
