# SPDX-License-Identifier: GPL-3.0-or-later
"""Which processes are the desktop or MemWarden itself: from facts, per process, never by name
alone.

A process named ``pipewire``, ``gnome-shell`` or ``memwarden`` may be anything: the name is its own
choice. What the system says about a process is harder to fake, and each of these makes it part
of the desktop (a *role*, a reason code):

``self``
    MemWarden's own processes, known by pid and start time (the monitor's own pid, the tray's and
    the helper's as their buses report them), never by a command line.
``init``
    pid 1 of the namespace we read (the real init, or a namespace's, whose death kills all in it).
``user-manager``
    ``systemd --user`` (trusted program): every user service lives under it.
``session-slice``
    A systemd unit in the user manager's ``session.slice``, where desktops put the compositor, the
    shell and their services (systemd ``docs/DESKTOP_ENVIRONMENTS.md``).
``display-manager``
    A process in a display-manager unit (``display-manager.service``, ``gdm.service``, …).
``session-leader``
    The leader of a login session scope (``session-N.scope``): the login shell or
    ``gdm-wayland-session``; the session ends with it.
``display-server``
    The process listening on the session's Wayland socket or X socket (found by socket inode from
    ``/proc/net/unix`` and the process's fd links), running a trusted program.
``bus-name``
    The owner of a session-critical well-known name on the session bus (notifications, the tray
    host, the screen saver, portals, accessibility, secrets, input methods, the polkit agent),
    running a trusted program; the bus itself says who owns it.
``screen-locker``
    A trusted program known as a screen locker: killing an X11 locker unlocks the screen.
``session-program``
    A trusted program whose name is a known desktop component (compositor, panel, session
    manager, audio server): the one place a name counts, and only for a root-owned system file.
``session-chain``
    An ancestor of the display server (``xinit``, ``startx``, the start-up script that runs the
    compositor, the login shell): its death ends the session.
``startup-client``
    A non-interactive shell started by a session-chain program that is not itself a script (an
    ``.xinitrc`` that does not ``exec`` its window manager): ``xinit`` ends the session when it
    exits.

"Trusted program" is :attr:`ProcessIdentity.program_trusted` (:mod:`memwarden.core.program_trust`).
A role protects one process, not its app: an app with one desktop process in it can still be
closed, without that process.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from memwarden.core.app_units import AppUnit, parse_app_unit
from memwarden.core.command_program import SHELLS, basename
from memwarden.core.process import ProcessIdentity

SESSION_PROGRAMS = frozenset(
    {
        # Compositors, window managers, X servers.
        "gnome-shell", "mutter", "kwin_wayland", "kwin_wayland_wrapper", "kwin_x11", "Xorg", "X",
        "Xwayland", "sway", "swaybg", "Hyprland", "weston", "labwc", "wayfire", "river", "niri",
        "cosmic-comp", "xfwm4", "marco", "muffin", "openbox", "i3", "bspwm", "awesome",
        "budgie-wm", "cinnamon", "gnome-flashback",
        # Panels, desktops, bars, shells, tray hosts.
        "plasmashell", "xfce4-panel", "xfdesktop", "lxqt-panel", "mate-panel", "budgie-panel",
        "waybar", "swaybar", "i3bar", "cosmic-panel", "krunner", "trayer", "stalonetray",
        # Session managers and their helpers.
        "gnome-session-binary", "gnome-session-service", "gnome-session-ctl",
        "gnome-session-init-worker", "ksmserver", "kded5", "kded6", "startplasma-wayland",
        "startplasma-x11", "plasma_session", "xfce4-session", "xfsettingsd", "lxqt-session",
        "lxsession", "mate-session", "cinnamon-session", "cinnamon-session-binary",
        "budgie-daemon", "cosmic-session", "gnome-shell-calendar-server", "xinit",
        # Display managers and greeters.
        "gdm", "gdm3", "gdm-session-worker", "gdm-wayland-session", "gdm-x-session", "sddm",
        "sddm-helper", "sddm-greeter", "sddm-greeter-qt6", "lightdm", "lightdm-gtk-greeter",
        "slick-greeter", "greetd", "gtkgreet", "tuigreet",
        # User bus, portals, accessibility, input methods, keyring, polkit agents, notifications.
        "dbus-daemon", "dbus-broker", "dbus-broker-launch", "xdg-desktop-portal",
        "xdg-document-portal", "xdg-permission-store", "at-spi-bus-launcher",
        "at-spi2-registryd", "ibus-daemon", "fcitx5", "fcitx", "gnome-keyring-daemon",
        "polkit-gnome-authentication-agent-1", "polkit-kde-authentication-agent-1",
        "lxqt-policykit-agent", "polkit-mate-authentication-agent-1", "mako", "dunst",
        "swaync", "xfce4-notifyd",
        # Audio and screen-cast servers: every app's sound and screen sharing goes through them,
        # and PipeWire's own user unit says "Slice=session.slice" (PipeWire
        # src/daemon/systemd/user/pipewire.service.in).
        "pipewire", "pipewire-pulse", "wireplumber", "pulseaudio",
    }
)  # fmt: skip
"""Desktop components by program name: a hint that counts only for a trusted program."""

SESSION_PREFIXES = ("gsd-", "xdg-desktop-portal-")
"""GNOME settings daemons (``gsd-power``, …) and portal backends."""

SCREEN_LOCKERS = frozenset(
    {
        "swaylock", "i3lock", "i3lock-color", "xscreensaver", "xsecurelock", "light-locker",
        "gnome-screensaver", "kscreenlocker_greet", "hyprlock", "waylock", "slock", "xlock",
        "physlock", "xss-lock", "gtklock", "cinnamon-screensaver", "mate-screensaver",
        "xfce4-screensaver",
    }
)  # fmt: skip
"""Screen lockers (a trusted program of this name is the desktop)."""

SESSION_BUS_NAMES = frozenset(
    {
        "org.freedesktop.Notifications", "org.kde.StatusNotifierWatcher",
        "org.freedesktop.StatusNotifierWatcher", "org.freedesktop.ScreenSaver",
        "org.gnome.ScreenSaver", "org.freedesktop.portal.Desktop",
        "org.freedesktop.portal.Documents", "org.a11y.Bus", "org.freedesktop.secrets",
        "org.freedesktop.IBus", "org.fcitx.Fcitx5", "org.freedesktop.impl.portal.PermissionStore",
        "org.gnome.Shell", "org.gnome.SessionManager", "org.kde.KWin", "org.kde.plasmashell",
        "org.kde.ksmserver", "org.kde.polkit-kde-authentication-agent-1",
        "org.freedesktop.PolicyKit1.AuthenticationAgent", "org.freedesktop.DBus",
    }
)  # fmt: skip
"""Well-known session-bus names whose owner the desktop cannot do without."""

SESSION_BUS_PREFIXES = (
    "org.kde.StatusNotifierHost-",
    "org.freedesktop.StatusNotifierHost-",
    "org.freedesktop.impl.portal.desktop.",
)
"""Names with a per-instance part: tray hosts (``…Host-<pid>``) and portal backends."""

DISPLAY_MANAGER_UNITS = frozenset(
    {"display-manager.service", "gdm.service", "gdm3.service", "sddm.service",
     "lightdm.service", "greetd.service", "lxdm.service", "ly.service"}
)  # fmt: skip
"""System units of display managers (a process in one, or below one, is the desktop)."""


def is_session_bus_name(name: str) -> bool:
    """Whether owning ``name`` on the session bus makes a (trusted) process the desktop."""
    return name in SESSION_BUS_NAMES or name.startswith(SESSION_BUS_PREFIXES)


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """What the system says about who is who, beyond /proc/PID (gathered by the monitor).

    Attributes:
        own: MemWarden's processes: pid -> start time (ticks). A pid whose start time differs is
            another process that reused it.
        bus_names: pid -> (start time, a session-critical bus name it owns).
        display_listeners: pids of processes listening on the display sockets (the scanner finds
            them from ``/proc/net/unix`` and fd links).
    """

    own: Mapping[int, int] = field(default_factory=dict)
    bus_names: Mapping[int, tuple[int, str]] = field(default_factory=dict)
    display_listeners: Collection[int] = frozenset()


@lru_cache(maxsize=4096)
def unit_of(cgroup: str) -> AppUnit | None:
    """:func:`parse_app_unit`, cached: a desktop has far fewer cgroups than processes."""
    return parse_app_unit(cgroup)


def is_shell(proc: ProcessIdentity) -> bool:
    """Whether the process runs a shell (by its executable, or ``comm`` when that is unreadable).
    Only used to *split* apps, where a wrong guess costs a split, never a wrong kill."""
    return (basename(proc.exe.removesuffix(" (deleted)")) or proc.comm) in SHELLS


def is_interactive_shell(proc: ProcessIdentity) -> bool:
    """A shell that leads its session: what a terminal, tmux, sshd or login starts."""
    return proc.pid == proc.session and (is_shell(proc) or proc.comm in SHELLS)


def trusted_name(proc: ProcessIdentity) -> str:
    """The program's name when the program is trusted (else ``""``): the basename of the file it
    runs (the script, for an interpreter)."""
    return basename(proc.program_path) if proc.program_trusted else ""


def is_user_manager(proc: ProcessIdentity) -> bool:
    """Whether the process is a systemd user manager (``systemd --user``, trusted program)."""
    return (
        proc.pid != 1
        and trusted_name(proc) == "systemd"
        and ("--user" in proc.cmdline or (proc.cgroup or "").endswith("/init.scope"))
    )


def _role_by_facts(proc: ProcessIdentity, facts: SessionFacts) -> str | None:
    """The role a process has on its own (everything but the chain)."""
    if facts.own.get(proc.pid) == proc.starttime_ticks:
        return "self"
    if proc.pid == 1:
        return "init"
    unit = unit_of(proc.cgroup) if proc.cgroup else None
    if unit is not None and unit.slice == "session":
        return "session-slice"
    if proc.cgroup and any(f"/{u}" in proc.cgroup for u in DISPLAY_MANAGER_UNITS):
        return "display-manager"
    if proc.pid == proc.session and "/session-" in (proc.cgroup or "") and unit is None:
        # parse_app_unit() says None for session-N.scope: the login session, not an app.
        return "session-leader"
    if not proc.program_trusted:
        return None
    if proc.pid in facts.display_listeners:
        return "display-server"
    owned = facts.bus_names.get(proc.pid)
    if owned is not None and owned[0] == proc.starttime_ticks:
        return "bus-name"
    if is_user_manager(proc):
        return "user-manager"
    name = trusted_name(proc)
    if name in SCREEN_LOCKERS:
        return "screen-locker"
    if name in SESSION_PROGRAMS or name.startswith(SESSION_PREFIXES):
        return "session-program"
    return None


def desktop_roles(
    processes: Mapping[int, ProcessIdentity], facts: SessionFacts
) -> dict[int, str]:
    """The role of every process that has one (see the module doc); others are absent.

    Args:
        processes: One scan's processes by pid (kernel threads may be included: they get none).
        facts: What the monitor learnt from the buses, and the display listeners.
    """
    roles: dict[int, str] = {}
    for pid, proc in processes.items():
        if proc.kernel_thread:
            continue
        role = _role_by_facts(proc, facts)
        if role is not None:
            roles[pid] = role
    # The chain: the ancestors of the display server, up to init, the user manager or another
    # uid. A leak cannot join it: the display server is running before it and is not its child.
    chain: set[int] = set()
    for pid, role in list(roles.items()):
        if role != "display-server":
            continue
        server = processes[pid]
        seen = {pid}
        parent = processes.get(server.ppid)
        while (
            parent is not None
            and parent.pid not in seen
            and parent.uid == server.uid
            and roles.get(parent.pid) not in ("init", "user-manager")
        ):
            seen.add(parent.pid)
            chain.add(parent.pid)
            roles.setdefault(parent.pid, "session-chain")
            parent = processes.get(parent.ppid)
    for pid, proc in processes.items():
        parent = processes.get(proc.ppid)
        if (
            pid not in roles
            and parent is not None
            and parent.pid in chain
            and not is_shell(parent)  # xinit, not a start-up script: its jobs are apps
            and is_shell(proc)
            and pid != proc.session
        ):
            roles[pid] = "startup-client"
    return roles
