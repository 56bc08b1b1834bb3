# SPDX-License-Identifier: GPL-3.0-or-later
"""Who an app is (:class:`AppIdentity`, made by :func:`memwarden.core.apps.group_apps`), and which
app a rule's NAME means.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from memwarden.core.app_kinds import AppKind
from memwarden.core.process import ProcessIdentity
from memwarden.core.process_names import process_names

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


def app_matches(app: AppIdentity, processes_of_app: Iterable[ProcessIdentity], name: str) -> bool:
    """Whether a rule's NAME means this app (case-insensitive).

    NAME matches the app's id, display name or desktop id (with or without ``.desktop``), or the
    ``comm``, executable basename or program (script) of any of its processes. ``firefox`` thus
    matches ``org.mozilla.firefox`` (by name and executable) and ``hog.py`` a Python script.
    """
    needle = name.strip().casefold()
    if not needle:
        return False
    candidates: list[str] = [app.app_id, app.name]
    if app.desktop_id:
        candidates += [app.desktop_id, app.desktop_id.removesuffix(".desktop")]
    if any(c.casefold() == needle for c in candidates):
        return True
    return any(needle == n.casefold() for proc in processes_of_app for n in process_names(proc))
