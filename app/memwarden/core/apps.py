# SPDX-License-Identifier: GPL-3.0-or-later
"""Group processes into the apps a person knows (Firefox, a game, a script in a terminal) and
classify them: ``browser``, ``game``, ``session`` (never a victim) or ``other``.

Why apps and not processes: the person chooses and protects apps, an app's hidden memory is spread
over its processes, and a kill must take the whole app (reference/kernel-memory.md §7.2) and nothing
else. The last point drives every rule here: **when in doubt, split** - a split app is killed in two
steps, a wrongly merged one kills an innocent program.

Grouping, in order:

1. **Units** (reference §8.1). A process whose cgroup is an app unit (:func:`parse_app_unit`:
   ``app-gnome-firefox-4242.scope``, flatpak, KDE, snap, D-Bus activation, or a plain service/scope)
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
     namespace's init), a kernel thread (kthreadd's usermode helpers), another uid, the systemd user
     manager (the subreaper orphans are reparented to), an interactive shell that leads its session
     (each job of a shell is an app: two hogs from one shell are two apps), a session process
     (panel, compositor, session manager: each program they start is an app), or a process that
     belongs to a unit (its children that left the unit are not that unit's app).

   A process belongs to the app of the root its walk ends at, so a root's descendants are its app
   up to the next root below it. A session leader that is not a shell keeps its children
   (``setsid hog`` with forked workers is one app; so is a daemon with its workers), while each job
   of an interactive shell is split off.

Classification (first match wins): ``session`` if any process is MemWarden's own, pid 1, the user
manager or a known session process, or the unit is in ``session.slice``; ``game`` for Steam, Proton,
Wine, Lutris, Heroic, gamescope markers or desktop category ``Game``; ``browser`` for desktop
category ``WebBrowser``, a known browser program or flatpak/snap id; else ``other``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Literal

from memwarden.core.cgroup import AppUnit, parse_app_unit
from memwarden.core.desktop_entries import (
    SHELLS,
    DesktopEntry,
    DesktopIndex,
    is_interpreter,
    program_of_argv,
)
from memwarden.core.process import ProcessIdentity

AppKind = Literal["browser", "game", "session", "other"]
AppSource = Literal["scope", "tree"]

UNKNOWN_APP_ID = "org.freedesktop.Unknown"
"""What gnome-desktop names an app it has no id for; such scopes never merge."""

SESSION_PROGRAMS = frozenset(
    {
        # Compositors, window managers, X servers.
        "gnome-shell", "mutter", "kwin_wayland", "kwin_wayland_wrapper", "kwin_x11", "Xorg", "X",
        "Xwayland", "sway", "swaybg", "Hyprland", "weston", "labwc", "wayfire", "river", "niri",
        "cosmic-comp", "xfwm4", "marco", "muffin", "openbox", "i3", "bspwm", "awesome",
        "budgie-wm", "cinnamon", "gnome-flashback",
        # Panels, desktops, bars, shells.
        "plasmashell", "xfce4-panel", "xfdesktop", "lxqt-panel", "mate-panel", "budgie-panel",
        "waybar", "i3bar", "cosmic-panel", "krunner",
        # Session managers and their helpers.
        "gnome-session-binary", "gnome-session-service", "gnome-session-ctl",
        "gnome-session-init-worker", "ksmserver", "kded5", "kded6", "startplasma-wayland",
        "startplasma-x11", "plasma_session", "xfce4-session", "xfsettingsd", "lxqt-session",
        "lxsession", "mate-session", "cinnamon-session", "cinnamon-session-binary",
        "budgie-daemon", "cosmic-session", "gnome-shell-calendar-server",
        # Display managers and greeters.
        "gdm", "gdm3", "gdm-session-worker", "gdm-wayland-session", "gdm-x-session", "sddm",
        "sddm-helper", "sddm-greeter", "sddm-greeter-qt6", "lightdm", "lightdm-gtk-greeter",
        "slick-greeter", "greetd", "gtkgreet", "tuigreet",
        # User bus, user manager, portals, accessibility, input methods, keyring, polkit agents.
        "dbus-daemon", "dbus-broker", "dbus-broker-launch", "systemd", "(sd-pam)",
        "xdg-desktop-portal", "xdg-document-portal", "xdg-permission-store",
        "at-spi-bus-launcher", "at-spi2-registryd", "ibus-daemon", "fcitx5", "fcitx",
        "gnome-keyring-daemon", "polkit-gnome-authentication-agent-1",
        "polkit-kde-authentication-agent-1", "lxqt-policykit-agent",
        "polkit-mate-authentication-agent-1",
        # Audio and screen-cast servers: every app's sound and screen sharing goes through them,
        # they are small, and PipeWire's own user unit says "Slice=session.slice" (PipeWire
        # src/daemon/systemd/user/pipewire.service.in); killing them frees little and breaks the
        # whole desktop.
        "pipewire", "pipewire-pulse", "wireplumber", "pulseaudio",
    }
)  # fmt: skip
"""Programs that are the session itself (compared with the exe basename and ``comm``)."""

SESSION_PREFIXES = ("gsd-", "xdg-desktop-portal-")
"""GNOME settings daemons (``gsd-power``, …) and portal backends."""

BROWSER_PROGRAMS = frozenset(
    {
        "firefox", "firefox-esr", "firefox-bin", "firefox.real", "firefox-developer-edition",
        "chrome", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable",
        "brave", "brave-browser", "vivaldi", "vivaldi-bin", "opera", "epiphany", "msedge",
        "microsoft-edge", "librewolf", "zen", "zen-bin", "thorium", "floorp", "waterfox",
        "palemoon", "falkon", "qutebrowser", "midori", "seamonkey", "icecat", "yandex_browser",
        "mullvadbrowser",
    }
)  # fmt: skip
"""Browser executables (basename)."""

BROWSER_APP_IDS = frozenset(
    {
        "org.mozilla.firefox", "org.mozilla.firefox_beta", "com.google.Chrome",
        "com.google.ChromeDev", "org.chromium.Chromium",
        "io.github.ungoogled_software.ungoogled_chromium", "com.brave.Browser",
        "com.vivaldi.Vivaldi", "com.opera.Opera", "org.gnome.Epiphany", "com.microsoft.Edge",
        "io.gitlab.librewolf-community", "app.zen_browser.zen", "one.ablaze.floorp",
        "net.waterfox.waterfox", "org.qutebrowser.qutebrowser", "org.kde.falkon",
        "firefox_firefox", "chromium_chromium", "brave_brave", "opera_opera",
    }
)  # fmt: skip
"""Flatpak app ids and snap desktop ids (``<snap>_<app>``) of browsers."""

GAME_PROGRAMS = frozenset(
    {
        "steam", "steamwebhelper", "wine", "wine64", "wine-preloader", "wine64-preloader",
        "wineserver", "proton", "pressure-vessel-wrap", "pressure-vessel-adverb", "lutris",
        "lutris-wrapper", "heroic", "gamescope", "legendary", "gogdl", "umu-run",
    }
)  # fmt: skip
"""Launchers and compatibility layers whose whole app is a game (Steam included: its web helper
is Steam's own UI, and games started from Steam run inside Steam's app)."""

_COMM_LEN = 15  # TASK_COMM_LEN - 1: the kernel truncates comm to this many bytes
_SESSION_TRUNCATED = frozenset(n[:_COMM_LEN] for n in SESSION_PROGRAMS if len(n) > _COMM_LEN)


@dataclass(frozen=True, slots=True)
class AppIdentity:
    """Who an app is. Equal for every process of one app in one scan, so it can be a dict key.

    ``(uid, app_id)`` is unique among the apps of one :func:`group_apps` result.

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


def _exe_basename(proc: ProcessIdentity) -> str:
    # A replaced binary reads as "/usr/bin/foo (deleted)" (proc(5)).
    return proc.exe.removesuffix(" (deleted)").rsplit("/", 1)[-1]


def process_program(proc: ProcessIdentity) -> str:
    """The program a process runs, by the name a person knows: the executable's basename, or for
    an interpreter the script or module (``python3 -m http.server`` → ``http.server``).

    ``exe`` is unreadable for other users' processes; then ``comm`` (15 bytes at most) is extended
    from ``argv[0]`` when that starts with it.
    """
    exe = _exe_basename(proc)
    base = exe or proc.comm
    if is_interpreter(base) and len(proc.cmdline) > 1:
        return program_of_argv([base, *proc.cmdline[1:]]) or base
    if exe:
        return exe
    if proc.cmdline:
        argv0 = proc.cmdline[0].split(" ", 1)[0].rsplit("/", 1)[-1]
        if argv0.startswith(proc.comm) and proc.comm:
            return argv0
    return proc.comm


def _names(proc: ProcessIdentity) -> set[str]:
    names = {proc.comm, process_program(proc)}
    exe = _exe_basename(proc)
    if exe:
        names.add(exe)
    names.discard("")
    return names


def _is_session_process(proc: ProcessIdentity) -> bool:
    exe = _exe_basename(proc)
    if exe in SESSION_PROGRAMS or proc.comm in SESSION_PROGRAMS:
        return True
    if len(proc.comm) == _COMM_LEN and proc.comm in _SESSION_TRUNCATED:
        return True
    return (exe or proc.comm).startswith(SESSION_PREFIXES)


def _is_user_manager(proc: ProcessIdentity) -> bool:
    return proc.comm == "systemd" and proc.pid != 1 and "--user" in proc.cmdline


def _is_interactive_shell(proc: ProcessIdentity) -> bool:
    """A shell that leads its session: what a terminal, tmux, sshd or login starts."""
    if proc.pid != proc.session:
        return False
    return (_exe_basename(proc) or proc.comm) in SHELLS or proc.comm in SHELLS


def _is_game_process(proc: ProcessIdentity) -> bool:
    if _names(proc) & GAME_PROGRAMS:
        return True
    if proc.comm == "reaper" and any("SteamLaunch" in a for a in proc.cmdline):
        return True  # Steam's per-game reaper: "reaper SteamLaunch AppId=… -- …"
    # Wine shows the Windows program as comm and argv[0] (C:\…\Game.exe).
    if proc.comm.casefold().endswith(".exe"):
        return True
    if proc.cmdline and proc.cmdline[0].casefold().endswith(".exe"):
        return True
    # Native Steam games run from <library>/steamapps/common/<Game>/.
    if "steamapps/common" in proc.exe.casefold():
        return True
    return any("steamapps/common" in a.casefold() for a in proc.cmdline)


def _is_browser_process(proc: ProcessIdentity) -> bool:
    return bool(_names(proc) & BROWSER_PROGRAMS)


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


def _classify(group: _Group, own: Collection[int]) -> AppKind:
    members = group.members
    if (
        any(u.slice == "session" for u in group.units)
        or any(p.pid in own or p.pid == 1 for p in members)
        or any(_is_session_process(p) or _is_user_manager(p) for p in members)
    ):
        return "session"
    categories = group.entry.categories if group.entry is not None else ()
    if "Game" in categories or any(_is_game_process(p) for p in members):
        return "game"
    if (
        "WebBrowser" in categories
        or any(u.app_id in BROWSER_APP_IDS for u in group.units)
        or any(_is_browser_process(p) for p in members)
    ):
        return "browser"
    return "other"


class _Grouper:
    """One run of :func:`group_apps` (holds the lookups so the helpers stay small)."""

    def __init__(self, processes: Iterable[ProcessIdentity], desktop: DesktopIndex) -> None:
        self.procs = {p.pid: p for p in processes if not p.kernel_thread}
        self.desktop = desktop
        self.units: dict[int, AppUnit] = {}
        for pid, proc in self.procs.items():
            unit = parse_app_unit(proc.cgroup) if proc.cgroup else None
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
            if _is_interactive_shell(parent):
                # A shell that the unit's own process started (a terminal's tab) rather than the
                # unit's entry point (a launcher script such as /usr/bin/steam).
                return cur.pid if self._same_unit(parent.ppid, cgroup) else None
            seen.add(parent.pid)
            cur = parent

    def _is_boundary(self, parent: ProcessIdentity, child: ProcessIdentity) -> bool:
        return (
            parent.pid == 1
            or parent.uid != child.uid
            or parent.pid in self.units
            or _is_user_manager(parent)
            or _is_interactive_shell(parent)
            or _is_session_process(parent)
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


def _identity(group: _Group, app_id: str, own: Collection[int]) -> AppIdentity:
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
        kind=_classify(group, own),
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
    own_pids: Collection[int] = (),
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
        own_pids: MemWarden's own processes: their apps are ``session``, never a victim.

    Returns:
        ``pid -> AppIdentity`` for every process except kernel threads.
    """
    own = frozenset(own_pids)
    grouper = _Grouper(processes, desktop)
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
        identity = _identity(group, app_id, own)
        for proc in group.members:
            result[proc.pid] = identity
    return result


def pids_by_app(app_of_pid: dict[int, AppIdentity]) -> dict[AppIdentity, tuple[int, ...]]:
    """Invert :func:`group_apps`: each app with its pids, sorted."""
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
    return any(needle == n.casefold() for proc in processes_of_app for n in _names(proc))
