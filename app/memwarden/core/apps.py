# SPDX-License-Identifier: GPL-3.0-or-later
"""Group processes into the apps a person knows (Firefox, a game, a script in a terminal); each app
is then classified by :mod:`memwarden.core.app_kinds`.

Why apps and not processes: the person chooses and protects apps, an app's hidden memory is spread
over its processes, and a kill must take the whole app (docs/kernel-memory.md §7.2) and nothing
else. The last point drives every rule here: **when in doubt, split** - a split app is killed in two
steps, a wrongly merged one kills an innocent program.

Grouping, in order:

1. **Units** (docs/kernel-memory.md §8.1). A process whose cgroup is an app unit
   (:func:`parse_app_unit`: ``app-gnome-firefox-4242.scope``, flatpak, KDE, snap, D-Bus
   activation, or a plain service/scope)
   belongs to that unit's app. Units of one uid that name the same *desktop application* merge (two
   Firefox launches are one Firefox); see :func:`group_apps` for when they do not.
2. **Terminal jobs inside a unit.** Terminals launched from a menu (Alacritty, kitty, Konsole,
   xterm) keep their shells and everything run in them in the terminal's own unit, seen on COSMIC as
   ``app-cosmic-…scope: alacritty, /bin/bash, btop``. A process whose parent is an interactive shell
   (a shell that leads its session) started by another process of the same unit is carved out as its
   own app, so a memory hog typed into a terminal is not "the terminal".
3. **Process tree** for everything else (cgroup v1 like this machine, login ``session-N.scope``,
   GNOME Terminal's ``vte-spawn-…scope`` tabs, desktops without scopes). From a process, walk up the
   parents; the app root is the first process that

   * leads its own session (``setsid``: terminals, ``setsid(1)``, services, daemons), or
   * whose parent is a *boundary*: absent (pid 0, exited, unreadable), pid 1 (also a PID
     namespace's init), a kernel thread (kthreadd's usermode helpers), another uid, an
     interactive shell that leads its session (each job of a shell is an app: two hogs from one
     shell are two apps), a process with a desktop role (:mod:`memwarden.core.desktop_roles`: the
     compositor, a session manager, the user manager, the start-up script that runs the
     compositor, MemWarden: each program they start is an app), a *start-up script* (a
     non-interactive shell started by such a process: ``exec`` lines of a compositor's config,
     autostart scripts; each program it starts is an app, so a leak started beside a game and
     the tray is none of them), or a process that belongs to a unit (its children that left the
     unit are not that unit's app).

   A process belongs to the app of the root its walk ends at, so a root's descendants are its app
   up to the next root below it. A session leader that is not a shell keeps its children
   (``setsid hog`` with forked workers is one app; so is a daemon with its workers), while each job
   of an interactive shell is split off.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from memwarden.core.app_identity import AppIdentity, AppSource
from memwarden.core.app_kinds import classify_app
from memwarden.core.app_units import AppUnit
from memwarden.core.desktop_file import DesktopEntry
from memwarden.core.desktop_index import DesktopIndex
from memwarden.core.desktop_roles import is_interactive_shell, is_shell, unit_of
from memwarden.core.process import ProcessIdentity
from memwarden.core.process_names import process_program

UNKNOWN_APP_ID = "org.freedesktop.Unknown"
"""What gnome-desktop names an app it has no id for; such scopes never merge."""


@dataclass(slots=True)
class _Group:
    """Processes that form one app, before naming."""

    members: list[ProcessIdentity]
    source: AppSource
    units: list[AppUnit] = field(default_factory=list)
    entry: DesktopEntry | None = None
    base_id: str = ""
    shared_cgroups: set[str] = field(default_factory=set)

    @property
    def root(self) -> ProcessIdentity:
        return self.members[0]


def _oldest_first(members: Iterable[ProcessIdentity]) -> list[ProcessIdentity]:
    return sorted(members, key=lambda p: (p.starttime_ticks, p.pid))


def _desktop_for_program(program: str, desktop: DesktopIndex) -> DesktopEntry | None:
    if not program:
        return None
    return desktop.by_exec(program) or desktop.by_wm_class(program)


def _desktop_for_unit(
    unit: AppUnit, root: ProcessIdentity, desktop: DesktopIndex
) -> DesktopEntry | None:
    if unit.scheme == "plain":
        # systemd-run --user --scope firefox, org.gnome.Shell@wayland.service, pipewire.service
        return desktop.by_id(unit.app_id) or _desktop_for_program(process_program(root), desktop)
    entry = desktop.by_id(unit.app_id)
    if entry is None and unit.scheme == "snap":
        entry = desktop.by_id(unit.app_id.split("_", 1)[-1])
    return entry


def _unit_instance_id(unit: AppUnit) -> str:
    """An id for one unit that is not merged: ``python3-4242``, ``getty@tty1``, ``run-u12``."""
    if not unit.instance:
        return unit.app_id
    sep = "@" if "@" in unit.unit else "-"
    return f"{unit.app_id}{sep}{unit.instance}"


def _pretty_app_id(app_id: str) -> str:
    """A display name for an app id with no desktop entry: ``org.gnome.Evince`` → ``Evince``."""
    parts = app_id.split(".")
    if len(parts) >= 3 and all(parts):
        return parts[-1]
    return app_id


class _Grouper:
    """One run of :func:`group_apps` (holds the lookups so the helpers stay small)."""

    def __init__(
        self,
        processes: Iterable[ProcessIdentity],
        desktop: DesktopIndex,
        roles: Mapping[int, str],
    ) -> None:
        self.procs = {p.pid: p for p in processes if not p.kernel_thread}
        self.desktop = desktop
        self.roles = roles
        self.units: dict[int, AppUnit] = {}
        for pid, proc in self.procs.items():
            unit = unit_of(proc.cgroup) if proc.cgroup else None
            if unit is not None:
                self.units[pid] = unit
        self._tree_roots: dict[int, int] = {}

    def _same_unit(self, pid: int, cgroup: str) -> bool:
        unit = self.units.get(pid)
        return unit is not None and unit.cgroup == cgroup

    def job_root_in_unit(self, pid: int) -> int | None:
        """The root of the terminal job ``pid`` belongs to inside its unit, or ``None``."""
        cgroup = self.units[pid].cgroup
        cur = self.procs[pid]
        seen = {pid}
        while True:
            parent = self.procs.get(cur.ppid)
            if parent is None or parent.pid in seen or not self._same_unit(parent.pid, cgroup):
                return None
            if is_interactive_shell(parent):
                # A shell that the unit's own process started (a terminal's tab) rather than the
                # unit's entry point (a launcher script such as /usr/bin/steam).
                return cur.pid if self._same_unit(parent.ppid, cgroup) else None
            seen.add(parent.pid)
            cur = parent

    def _is_startup_script(self, proc: ProcessIdentity) -> bool:
        """A non-interactive shell started by the desktop (see the module docstring)."""
        return proc.ppid in self.roles and proc.pid != proc.session and is_shell(proc)

    def _is_boundary(self, parent: ProcessIdentity, child: ProcessIdentity) -> bool:
        return (
            parent.pid == 1
            or parent.uid != child.uid
            or parent.pid in self.units
            or parent.pid in self.roles
            or is_interactive_shell(parent)
            or self._is_startup_script(parent)
        )

    def tree_root(self, pid: int) -> int:
        """The app root of a process outside any unit (see the module docstring)."""
        chain: list[int] = []
        cur = self.procs[pid]
        while True:
            known = self._tree_roots.get(cur.pid)
            if known is not None:
                root = known
                break
            chain.append(cur.pid)
            if cur.pid == cur.session:
                root = cur.pid
                break
            parent = self.procs.get(cur.ppid)
            if parent is None or parent.pid in chain or self._is_boundary(parent, cur):
                root = cur.pid
                break
            cur = parent
        for member in chain:
            self._tree_roots[member] = root
        return root

    def groups(self) -> list[_Group]:
        by_unit: dict[str, list[ProcessIdentity]] = {}
        by_root: dict[int, list[ProcessIdentity]] = {}
        carved_cgroups: set[str] = set()
        for pid, proc in self.procs.items():
            unit = self.units.get(pid)
            if unit is not None:
                job_root = self.job_root_in_unit(pid)
                if job_root is None:
                    by_unit.setdefault(unit.cgroup, []).append(proc)
                else:
                    by_root.setdefault(job_root, []).append(proc)
                    carved_cgroups.add(unit.cgroup)
            else:
                by_root.setdefault(self.tree_root(pid), []).append(proc)

        merged: dict[tuple[str, int, str], _Group] = {}
        for cgroup in sorted(by_unit):
            members = _oldest_first(by_unit[cgroup])
            root = members[0]
            unit = self.units[root.pid]
            entry = _desktop_for_unit(unit, root, self.desktop)
            mergeable = (
                unit.scheme != "plain"
                and entry is not None
                and not entry.terminal
                and unit.app_id != UNKNOWN_APP_ID
            )
            if mergeable and entry is not None:
                key = ("app", root.uid, entry.desktop_id)
                base_id = entry.app_id
            else:
                key = ("unit", root.uid, cgroup)
                base_id = _unit_instance_id(unit)
            group = merged.get(key)
            if group is None:
                group = merged[key] = _Group([], "scope", entry=entry, base_id=base_id)
            group.members = _oldest_first([*group.members, *members])
            group.units.append(unit)
            if cgroup in carved_cgroups:
                group.shared_cgroups.add(cgroup)

        result = list(merged.values())
        for root_pid in sorted(by_root):
            members = _oldest_first(by_root[root_pid])
            root = self.procs[root_pid]
            members.remove(root)
            members.insert(0, root)  # the tree root, even if a member is older (pid reuse)
            program = process_program(root)
            entry = _desktop_for_program(program, self.desktop)
            base = entry.app_id if entry is not None else program
            result.append(_Group(members, "tree", entry=entry, base_id=f"{base}-{root_pid}"))
        return result


def _identity(group: _Group, app_id: str, roles: Mapping[int, str]) -> AppIdentity:
    root = group.root
    entry = group.entry
    if entry is not None and entry.name:
        name = entry.name
    elif group.source == "scope" and group.units[0].scheme != "plain":
        name = _pretty_app_id(group.units[0].app_id)
    else:
        name = process_program(root)
    cgroups = tuple(sorted({u.cgroup for u in group.units} - group.shared_cgroups))
    return AppIdentity(
        app_id=app_id,
        name=name or app_id,
        icon=entry.icon if entry is not None else None,
        kind=classify_app(group.members, group.units, group.entry, roles),
        uid=root.uid,
        source=group.source,
        cgroups=cgroups,
        root_pid=root.pid,
        root_starttime_ticks=root.starttime_ticks,
        desktop_id=entry.desktop_id if entry is not None else None,
    )


def group_apps(
    processes: Iterable[ProcessIdentity],
    desktop: DesktopIndex,
    roles: Mapping[int, str] | None = None,
) -> dict[int, AppIdentity]:
    """Map every process to its app (see the module docstring for the rules).

    Merging: units of one uid merge when their id names a desktop application (a ``.desktop``
    entry found by id) that is not ``Terminal=true`` (vim, htop: many unrelated instances) and not
    ``org.freedesktop.Unknown``. Anything else (GNOME's basename ids for ad-hoc commands, plain
    units) stays one app per unit. Tree apps never merge: two ``python3`` from one shell are two
    apps, even when a desktop entry names them.

    Args:
        processes: Identities from one scan; ppid links are followed only among these, so a parent
            missing from the scan (exited, unreadable) ends the walk.
        desktop: Installed applications, for names, icons, categories and merging.
        roles: Desktop roles by pid (:func:`memwarden.core.desktop_roles.desktop_roles`): the
            children of a process with a role are apps of their own, and an app whose every
            process has one is of kind ``session``.

    Returns:
        ``pid -> AppIdentity`` for every process except kernel threads.
    """
    roles = roles or {}
    grouper = _Grouper(processes, desktop, roles)
    groups = grouper.groups()
    # Make (uid, app_id) unique: the oldest group keeps the id, later ones get their root pid.
    groups.sort(key=lambda g: (g.root.starttime_ticks, g.root.pid))
    taken: set[tuple[int, str]] = set()
    result: dict[int, AppIdentity] = {}
    for group in groups:
        app_id = group.base_id
        if (group.root.uid, app_id) in taken:
            app_id = f"{app_id}-{group.root.pid}"
        while (group.root.uid, app_id) in taken:
            app_id += "+"
        taken.add((group.root.uid, app_id))
        identity = _identity(group, app_id, roles)
        for proc in group.members:
            result[proc.pid] = identity
    return result
