# SPDX-License-Identifier: GPL-3.0-or-later
"""What kind an app is: ``browser``, ``game``, ``session`` or ``other``.

Classification (first match wins): ``session`` when every process of the app has a desktop role
(:mod:`memwarden.core.desktop_roles`: MemWarden, pid 1, the compositor, …); ``game`` for Steam,
Proton, Wine, Lutris, Heroic, gamescope markers or desktop category ``Game``; ``browser`` for
desktop category ``WebBrowser``, a known browser program or flatpak/snap id; else ``other``.

The kind decides words and emphasis (a warning calls a game a game), never safety: who may be
closed is decided per process by the roles, and names here are only hints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from memwarden.core.app_units import AppUnit
from memwarden.core.desktop_file import DesktopEntry
from memwarden.core.process import ProcessIdentity
from memwarden.core.process_names import process_names

AppKind = Literal["browser", "game", "session", "other"]

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
    roles: Mapping[int, str],
) -> AppKind:
    """The kind of one app (see the module docstring for the rules).

    Args:
        members: The app's processes.
        units: The systemd units it was grouped by (empty for a process-tree app).
        entry: Its desktop entry, if one was found.
        roles: Desktop roles by pid: an app whose every process has one is ``session``.
    """
    if all(p.pid in roles for p in members):
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
