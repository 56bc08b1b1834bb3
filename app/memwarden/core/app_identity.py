# SPDX-License-Identifier: GPL-3.0-or-later
"""Who an app is (:class:`AppIdentity`, made by :func:`memwarden.core.apps.group_apps`), and what
a rule may call it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from memwarden.core.app_kinds import AppKind
from memwarden.core.process import ProcessIdentity

AppSource = Literal["scope", "tree"]


@dataclass(frozen=True, slots=True)
class AppIdentity:
    """Who an app is. Equal for every process of one app in one scan, so it can be a dict key.

    ``(uid, app_id)`` is unique among the apps of one
    :func:`~memwarden.core.apps.group_apps` result.

    Attributes:
        app_id: The logical id rules use. For an app from units: the desktop id without
            ``.desktop`` when units merged on it (``org.mozilla.firefox``), else the unit's id and
            random part (``python3-4242`` from ``app-gnome-python3-4242.scope``, ``pipewire`` from
            ``pipewire.service``). For a tree app: ``<desktop id or program>-<root pid>``
            (``hog.py-4242``): unique per instance, so two unrelated ``python3`` never merge.
        name: Display name: the desktop ``Name``, else the program (script name for interpreters).
        icon: Desktop ``Icon`` (theme name or absolute path), if known.
        kind: ``"browser"``, ``"game"``, ``"session"`` (never a victim) or ``"other"``.
        uid: Owner (of the root process).
        source: ``"scope"`` when grouped by systemd unit (scope or service), ``"tree"`` when by
            process tree (including terminal jobs carved out of a terminal's unit).
        cgroups: The unit cgroups (v2 paths, sorted) that hold this app **and nothing else**: safe
            for ``cgroup.kill``. Several after a merge; empty for tree apps and for a unit from
            which terminal jobs were carved out (kill those apps by pid).
        root_pid: The tree root, or for unit apps the oldest process.
        root_starttime_ticks: Start time of ``root_pid``, the pid-reuse guard for ``app_id``.
        desktop_id: The matched desktop file id (``org.mozilla.firefox.desktop``), if any.
    """

    app_id: str
    name: str
    icon: str | None
    kind: AppKind
    uid: int
    source: AppSource
    cgroups: tuple[str, ...]
    root_pid: int
    root_starttime_ticks: int
    desktop_id: str | None = None

    @property
    def key(self) -> tuple[int, str]:
        """``(uid, app_id)``: the app's unique key within one scan."""
        return (self.uid, self.app_id)


def pids_by_app(app_of_pid: dict[int, AppIdentity]) -> dict[AppIdentity, tuple[int, ...]]:
    """Invert :func:`~memwarden.core.apps.group_apps`: each app with its pids, sorted."""
    out: dict[AppIdentity, list[int]] = {}
    for pid, app in app_of_pid.items():
        out.setdefault(app, []).append(pid)
    return {app: tuple(sorted(pids)) for app, pids in out.items()}


def rule_key(rule_name: str) -> str:
    """A rule's NAME as compared: a path (``/…``) exactly, any other name case-insensitively."""
    name = rule_name.strip()
    return f"path:{name}" if name.startswith("/") else f"name:{name.casefold()}"


def rule_keys(app: AppIdentity, processes_of_app: Iterable[ProcessIdentity]) -> frozenset[str]:
    """What a rule may name this app by, as :func:`rule_key` makes them: only what a process
    cannot fake cheaply.

    * its app id (from its systemd unit, or the id of its process tree);
    * its desktop id (with or without ``.desktop``) and the desktop entry's name, when the entry
      was found from a unit, or from a program that is a trusted file (a script in the home
      directory named ``firefox`` is not Firefox);
    * the path of every process's program (:attr:`ProcessIdentity.program_path`: the executable,
      the script for an interpreter);
    * the basename of a program that is a trusted file (``firefox`` for ``/usr/bin/firefox``).

    Never a ``comm``, an argv word or the name of an untrusted file: a leak that calls itself like
    a protected app must not be protected.
    """
    procs = list(processes_of_app)
    keys = {rule_key(app.app_id)}
    root_trusted = any(p.pid == app.root_pid and p.program_trusted for p in procs)
    if app.desktop_id and (app.source == "scope" or root_trusted):
        keys |= {
            rule_key(app.desktop_id),
            rule_key(app.desktop_id.removesuffix(".desktop")),
            rule_key(app.name),
        }
    for proc in procs:
        if proc.program_path:
            keys.add(rule_key(proc.program_path))
            if proc.program_trusted:
                keys.add(rule_key(proc.program_path.rsplit("/", 1)[-1]))
    return frozenset(keys)


def rule_target(app: AppIdentity, processes_of_app: Iterable[ProcessIdentity]) -> str:
    """The NAME to save a rule for this app under, so that it holds the next time it runs.

    The desktop id when it is one of :func:`rule_keys` (``org.mozilla.firefox``), else the app id
    of a unit; for a process tree (whose id ends in its root pid and means nothing after a
    restart) the path of its root's program (``/home/me/games/spacegame.py``), else the app id.
    """
    procs = list(processes_of_app)
    keys = rule_keys(app, procs)
    if app.desktop_id and rule_key(app.desktop_id) in keys:
        return app.desktop_id.removesuffix(".desktop")
    if app.source == "scope":
        return app.app_id
    root = next((p for p in procs if p.pid == app.root_pid), None)
    if root is not None and root.program_path:
        return root.program_path
    return app.app_id
