# SPDX-License-Identifier: GPL-3.0-or-later
"""What kind an app is: ``browser``, ``game``, ``session`` (never a victim) or ``other``.

Classification (first match wins): ``session`` if any process is MemWarden's own, pid 1, the user
manager or a known session process, or the unit is in ``session.slice``; ``game`` for Steam, Proton,
Wine, Lutris, Heroic, gamescope markers or desktop category ``Game``; ``browser`` for desktop
category ``WebBrowser``, a known browser program or flatpak/snap id; else ``other``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Literal

from memwarden.core.app_units import AppUnit
from memwarden.core.desktop_file import DesktopEntry
from memwarden.core.process import ProcessIdentity
from memwarden.core.process_names import exe_basename, process_names

AppKind = Literal["browser", "game", "session", "other"]

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


def is_session_process(proc: ProcessIdentity) -> bool:
    """Whether the process is part of the session itself (compositor, panel, portal, …)."""
    exe = exe_basename(proc)
    if exe in SESSION_PROGRAMS or proc.comm in SESSION_PROGRAMS:
        return True
    if len(proc.comm) == _COMM_LEN and proc.comm in _SESSION_TRUNCATED:
        return True
    return (exe or proc.comm).startswith(SESSION_PREFIXES)


def is_user_manager(proc: ProcessIdentity) -> bool:
    """Whether the process is a systemd user manager (``systemd --user``)."""
    return proc.comm == "systemd" and proc.pid != 1 and "--user" in proc.cmdline


def _is_game_process(proc: ProcessIdentity) -> bool:
    if process_names(proc) & GAME_PROGRAMS:
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
    return bool(process_names(proc) & BROWSER_PROGRAMS)


def classify_app(
    members: Sequence[ProcessIdentity],
    units: Sequence[AppUnit],
    entry: DesktopEntry | None,
    own: Collection[int],
) -> AppKind:
    """The kind of one app (see the module docstring for the rules).

    Args:
        members: The app's processes.
        units: The systemd units it was grouped by (empty for a process-tree app).
        entry: Its desktop entry, if one was found.
        own: MemWarden's own pids: an app holding one is ``session``.
    """
    if (
        any(u.slice == "session" for u in units)
        or any(p.pid in own or p.pid == 1 for p in members)
        or any(is_session_process(p) or is_user_manager(p) for p in members)
    ):
        return "session"
    categories = entry.categories if entry is not None else ()
    if "Game" in categories or any(_is_game_process(p) for p in members):
        return "game"
    if (
        "WebBrowser" in categories
        or any(u.app_id in BROWSER_APP_IDS for u in units)
        or any(_is_browser_process(p) for p in members)
    ):
        return "browser"
    return "other"
