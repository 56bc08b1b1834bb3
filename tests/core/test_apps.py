# SPDX-License-Identifier: GPL-3.0-or-later
"""App grouping and classification: units, merging, terminal jobs, process-tree fallback, kinds.

Synthetic process lists cover every layout; two tests group real process trees of this machine
(one in its own session, one inside real cgroup v2 scopes).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from memwarden.core.app_identity import AppIdentity, pids_by_app, rule_key, rule_keys, rule_target
from memwarden.core.apps import group_apps
from memwarden.core.cgroup2 import read_cgroup2_mount
from memwarden.core.command_program import basename, is_interpreter
from memwarden.core.desktop_index import DesktopIndex
from memwarden.core.desktop_roles import SessionFacts, desktop_roles
from memwarden.core.errors import ParseError
from memwarden.core.pid_cgroup import parse_pid_cgroup
from memwarden.core.pid_stat import parse_pid_stat
from memwarden.core.policy import Rule, RuleMatch, Rules
from memwarden.core.process import ProcessIdentity
from memwarden.core.process_names import process_names, process_program
from memwarden.core.program_trust import SYSTEM_DIRS, program_of_process, script_argument

UID = 1000
USER = f"/user.slice/user-{UID}.slice/user@{UID}.service"
APP = f"{USER}/app.slice"


def proc(
    pid: int,
    ppid: int,
    comm: str = "prog",
    *,
    session: int | None = None,
    uid: int = UID,
    exe: str | None = None,
    cmdline: tuple[str, ...] | None = None,
    cgroup: str | None = None,
    start: int | None = None,
    kthread: bool = False,
    trusted: bool | None = None,
) -> ProcessIdentity:
    """A synthetic process; by default in its parent's session (``session=pid`` leads one).

    Its program is the executable, or an interpreter's absolute script, as the scanner finds it;
    it is trusted (a root-owned system file) when its path is in a system directory, unless
    ``trusted`` says otherwise.
    """
    exe = exe if exe is not None else f"/usr/bin/{comm}"
    cmdline = cmdline if cmdline is not None else (comm,)
    program = exe
    if is_interpreter(basename(exe)):
        script = script_argument(cmdline) or ""
        program = script if script.startswith("/") else ""
    if trusted is None:
        trusted = program.startswith(SYSTEM_DIRS)
    return ProcessIdentity(
        pid=pid,
        ppid=ppid,
        session=session if session is not None else 0,
        uid=uid,
        comm=comm[:15],
        exe=exe,
        cmdline=cmdline,
        cgroup=cgroup,
        starttime_ticks=start if start is not None else pid,
        kernel_thread=kthread,
        program_path=program,
        program_trusted=trusted and bool(program),
    )


def group(
    procs: list[ProcessIdentity], desktop: DesktopIndex, **facts: object
) -> dict[int, AppIdentity]:
    """Group as the scanner does: desktop roles from the facts first, then apps."""
    roles = desktop_roles({p.pid: p for p in procs}, SessionFacts(**facts))  # type: ignore[arg-type]
    return group_apps(procs, desktop, roles)


def leader(pid: int, ppid: int, comm: str = "bash", **kw: object) -> ProcessIdentity:
    return proc(pid, ppid, comm, session=pid, **kw)  # type: ignore[arg-type]


def entry_text(name: str, exec_: str, extra: str = "") -> str:
    return f"[Desktop Entry]\nType=Application\nName={name}\nExec={exec_}\n{extra}"


@pytest.fixture
def desktop(tmp_path: Path) -> DesktopIndex:
    apps = tmp_path / "applications"
    apps.mkdir()
    files = {
        "org.mozilla.firefox.desktop": entry_text(
            "Firefox", "firefox %u", "Icon=org.mozilla.firefox\nCategories=Network;WebBrowser;\n"
        ),
        "Alacritty.desktop": entry_text("Alacritty", "alacritty", "Categories=TerminalEmulator;"),
        "vim.desktop": entry_text("Vim", "vim %F", "Terminal=true\n"),
        "steam.desktop": entry_text("Steam", "/usr/bin/steam %U", "Categories=Game;\n"),
        "org.gnome.Shell.desktop": entry_text("GNOME Shell", "gnome-shell", "NoDisplay=true\n"),
        "chromium_chromium.desktop": entry_text(
            "Chromium (snap)", "env BAMF_DESKTOP_FILE_HINT=x /snap/bin/chromium %U"
        ),
        "org.gnome.Evince.desktop": entry_text("Document Viewer", "evince %U", "Icon=evince\n"),
        "mw-hog.desktop": entry_text("Hog Viewer", "hogview"),
        "org.example.Chess.desktop": entry_text("Chess", "chess", "Categories=Game;BoardGame;\n"),
    }
    for name, text in files.items():
        (apps / name).write_text(text)
    return DesktopIndex.load([tmp_path])


@pytest.fixture
def empty() -> DesktopIndex:
    return DesktopIndex({})


def by_pid(apps: dict[int, AppIdentity]) -> dict[AppIdentity, tuple[int, ...]]:
    return pids_by_app(apps)


def members(apps: dict[int, AppIdentity], pid: int) -> set[int]:
    return {p for p, a in apps.items() if a == apps[pid]}


def systemd_user() -> ProcessIdentity:
    return proc(
        900, 1, "systemd", cmdline=("/usr/lib/systemd/systemd", "--user"),
        cgroup=f"{USER}/init.scope", session=900,
    )  # fmt: skip


# --- units ------------------------------------------------------------------------------------


def test_two_firefox_scopes_merge_into_one_browser_app(desktop: DesktopIndex) -> None:
    s1 = f"{APP}/app-gnome-org.mozilla.firefox-4242.scope"
    s2 = f"{APP}/app-flatpak-org.mozilla.firefox-5151.scope"
    procs = [
        systemd_user(),
        proc(4242, 900, "firefox", cgroup=s1),
        proc(4300, 4242, "Isolated Web Co", exe="/usr/lib/firefox/firefox", cgroup=s1),
        proc(5151, 900, "bwrap", cgroup=s2),
        proc(5152, 5151, "firefox", exe="/app/lib/firefox/firefox", cgroup=s2),
    ]
    apps = group(procs, desktop)
    app = apps[4242]
    assert members(apps, 4242) == {4242, 4300, 5151, 5152}
    assert app.app_id == "org.mozilla.firefox" and app.name == "Firefox"
    assert app.icon == "org.mozilla.firefox" and app.desktop_id == "org.mozilla.firefox.desktop"
    assert app.kind == "browser" and app.source == "scope"
    assert app.cgroups == tuple(sorted((s1, s2)))  # both safe for cgroup.kill
    assert app.root_pid == 4242 and app.root_starttime_ticks == 4242
    assert apps[900].kind == "session"  # the user manager


def test_scopes_without_a_desktop_application_never_merge(desktop: DesktopIndex) -> None:
    """GNOME's basename ids, org.freedesktop.Unknown and Terminal=true apps are not 'one app'."""
    procs = [
        proc(11, 1, "python3", cgroup=f"{APP}/app-gnome-python3-11.scope"),
        proc(12, 1, "python3", cgroup=f"{APP}/app-gnome-python3-12.scope"),
        proc(21, 1, "a", cgroup=f"{APP}/app-gnome-org.freedesktop.Unknown-21.scope"),
        proc(22, 1, "b", cgroup=f"{APP}/app-gnome-org.freedesktop.Unknown-22.scope"),
        proc(31, 1, "vim", cgroup=f"{APP}/app-gnome-vim-31.scope"),
        proc(32, 1, "vim", cgroup=f"{APP}/app-gnome-vim-32.scope"),
    ]
    apps = group(procs, desktop)
    assert len(by_pid(apps)) == 6
    assert apps[11].app_id == "python3-11" and apps[12].app_id == "python3-12"
    assert apps[21].app_id == "org.freedesktop.Unknown-21"
    assert apps[31].app_id == "vim-31" and apps[31].name == "Vim"
    assert all(len(a.cgroups) == 1 for a in apps.values())


def test_same_app_of_two_users_stays_two_apps(desktop: DesktopIndex) -> None:
    other = "/user.slice/user-1001.slice/user@1001.service/app.slice"
    procs = [
        proc(10, 1, "firefox", cgroup=f"{APP}/app-gnome-org.mozilla.firefox-10.scope"),
        proc(20, 1, "firefox", uid=1001, cgroup=f"{other}/app-gnome-org.mozilla.firefox-20.scope"),
    ]
    apps = group(procs, desktop)
    assert apps[10] != apps[20]
    assert apps[10].key == (1000, "org.mozilla.firefox")
    assert apps[20].key == (1001, "org.mozilla.firefox")


def test_session_and_background_slices(desktop: DesktopIndex) -> None:
    shell_unit = f"{USER}/session.slice/org.gnome.Shell@wayland.service"
    procs = [
        proc(50, 900, "gnome-shell", cgroup=shell_unit),
        proc(51, 50, "Xwayland", cgroup=shell_unit),
        proc(60, 900, "tracker-miner-f", exe="/usr/libexec/tracker-miner-fs-3",
             cgroup=f"{USER}/background.slice/tracker-miner-fs-3.service"),
        proc(70, 900, "mystery", cgroup=f"{USER}/session.slice/mystery.service"),
    ]  # fmt: skip
    apps = group(procs, desktop)
    shell = apps[50]
    assert members(apps, 50) == {50, 51}
    assert shell.kind == "session" and shell.name == "GNOME Shell"
    # A plain unit never merges, so its id keeps the instance.
    assert (
        shell.app_id == "org.gnome.Shell@wayland" and shell.desktop_id == "org.gnome.Shell.desktop"
    )
    assert apps[60].kind == "other" and apps[60].name == "tracker-miner-fs-3"
    assert apps[60].app_id == "tracker-miner-fs-3"
    assert apps[70].kind == "session"  # session.slice alone decides


def test_snap_flatpak_and_dbus_names(desktop: DesktopIndex) -> None:
    uuid_ = "6c0e2b8e-5a0f-4a4e-9d43-6bd2a1c1b6f1"
    chrome = f"{APP}/app-flatpak-com.google.Chrome-20.scope"
    dbus = (
        f"{APP}/app-dbus\\x2d:1.2\\x2dorg.gnome.Evince.slice/dbus-:1.2-org.gnome.Evince@0.service"
    )
    procs = [
        proc(10, 1, "chrome", exe="/snap/chromium/1/usr/lib/chromium-browser/chrome",
             cgroup=f"{APP}/snap.chromium.chromium-{uuid_}.scope"),
        proc(20, 1, "bwrap", cgroup=chrome),
        proc(21, 20, "chrome", exe="/app/extra/chrome", cgroup=chrome),
        proc(30, 1, "evince", cgroup=dbus),
    ]  # fmt: skip
    apps = group(procs, desktop)
    assert apps[10].name == "Chromium (snap)" and apps[10].kind == "browser"
    assert apps[10].app_id == "chromium_chromium"
    # No desktop entry for the flatpak here: a readable name from the id, browser by id.
    assert apps[20].name == "Chrome" and apps[20].kind == "browser"
    assert apps[20].app_id == "com.google.Chrome-20"
    assert apps[30].name == "Document Viewer" and apps[30].app_id == "org.gnome.Evince"


def test_plain_units_are_named_by_their_program(empty: DesktopIndex) -> None:
    procs = [
        proc(10, 900, "pipewire", cgroup=f"{APP}/pipewire.service"),
        proc(20, 900, "python3", exe="/usr/bin/python3.12", cmdline=("python3", "/opt/hog.py"),
             cgroup=f"{APP}/run-r0a1b2.scope"),
        proc(30, 1, "getty", exe="/sbin/agetty", uid=0,
             cgroup="/system.slice/system-getty.slice/getty@tty1.service"),
    ]  # fmt: skip
    apps = group(procs, empty)
    assert apps[10].app_id == "pipewire" and apps[10].kind == "session"
    assert apps[20].app_id == "run-r0a1b2" and apps[20].name == "hog.py"
    assert apps[30].app_id == "getty@tty1" and apps[30].name == "agetty"


# --- terminal jobs inside a unit ---------------------------------------------------------------


def test_jobs_in_a_terminal_scope_are_their_own_apps(desktop: DesktopIndex) -> None:
    """Alacritty from a menu: terminal, shell and jobs share one scope (as COSMIC shows)."""
    scope = f"{APP}/app-gnome-Alacritty-300.scope"
    procs = [
        proc(300, 900, "alacritty", cgroup=scope),
        leader(301, 300, "bash", cgroup=scope),
        proc(302, 301, "python3", cmdline=("python3", "hog.py"), cgroup=scope),
        proc(303, 302, "python3", cmdline=("python3", "hog.py"), cgroup=scope),
        proc(304, 301, "btop", cgroup=scope),
        leader(305, 300, "zsh", cgroup=scope),
        proc(306, 305, "vim", cgroup=scope),
    ]
    apps = group(procs, desktop)
    terminal = apps[300]
    assert members(apps, 300) == {300, 301, 305}
    assert terminal.name == "Alacritty" and terminal.source == "scope"
    # Jobs were carved out: cgroup.kill on the scope would reach them, so it is not offered.
    assert terminal.cgroups == ()
    hog = apps[302]
    assert members(apps, 302) == {302, 303}
    assert hog.source == "tree" and hog.root_pid == 302 and hog.cgroups == ()
    assert hog.app_id == "hog.py-302" and hog.name == "hog.py"
    assert members(apps, 304) == {304}
    assert apps[306].name == "Vim" and apps[306].app_id == "vim-306"


def test_terminal_scope_without_jobs_keeps_its_cgroup(desktop: DesktopIndex) -> None:
    scope = f"{APP}/app-gnome-Alacritty-300.scope"
    apps = group(
        [proc(300, 900, "alacritty", cgroup=scope), leader(301, 300, cgroup=scope)], desktop
    )
    assert apps[300] == apps[301] and apps[300].cgroups == (scope,)


def test_launcher_script_in_a_scope_is_not_a_terminal(desktop: DesktopIndex) -> None:
    """/usr/bin/steam is a bash script that leads its session; Steam is its child."""
    scope = f"{APP}/app-gnome-steam-400.scope"
    procs = [
        leader(400, 1, "bash", cmdline=("/bin/bash", "/usr/bin/steam"), cgroup=scope),
        proc(401, 400, "steam", exe="/home/u/.steam/ubuntu12_32/steam", cgroup=scope),
        proc(402, 401, "steamwebhelper", cgroup=scope),
    ]
    apps = group(procs, desktop)
    assert members(apps, 400) == {400, 401, 402}
    assert apps[400].kind == "game" and apps[400].name == "Steam"
    assert apps[400].cgroups == (scope,)


def test_gnome_terminal_tabs_fall_back_to_the_tree(desktop: DesktopIndex) -> None:
    slice_ = f"{APP}/app-org.gnome.Terminal.slice"
    tab = f"{slice_}/vte-spawn-0b3c5d9e-4b1a-4c39-8b2e-1c2d3e4f5a6b.scope"
    procs = [
        leader(500, 900, "gnome-terminal-", exe="/usr/libexec/gnome-terminal-server",
               cgroup=f"{slice_}/gnome-terminal-server.service"),
        leader(501, 500, "bash", cgroup=tab),
        proc(502, 501, "python3", cmdline=("python3", "hog.py"), cgroup=tab),
        proc(503, 502, "python3", cmdline=("python3", "hog.py"), cgroup=tab),
        proc(504, 501, "python3", cmdline=("python3", "hog.py"), cgroup=tab),
    ]  # fmt: skip
    apps = group(procs, desktop)
    assert apps[500].app_id == "org.gnome.Terminal"
    assert apps[500].cgroups == (f"{slice_}/gnome-terminal-server.service",)
    assert members(apps, 501) == {501}  # the tab's shell: its parent is in another unit
    assert members(apps, 502) == {502, 503}
    assert members(apps, 504) == {504}
    assert apps[502] != apps[504] and apps[502].app_id != apps[504].app_id


# --- process tree -----------------------------------------------------------------------------


def test_shell_job_with_forked_children_is_one_app_and_two_jobs_are_two(
    empty: DesktopIndex,
) -> None:
    procs = [
        leader(100, 1, "bash"),
        proc(101, 100, "python3", cmdline=("python3", "hog.py")),
        proc(102, 101, "python3", cmdline=("python3", "hog.py")),
        proc(103, 101, "python3", cmdline=("python3", "hog.py")),
        proc(104, 103, "python3", cmdline=("python3", "hog.py")),
        proc(105, 100, "python3", cmdline=("python3", "other.py")),
    ]
    apps = group(procs, empty)
    assert members(apps, 101) == {101, 102, 103, 104}
    assert apps[101].root_pid == 101 and apps[101].source == "tree" and apps[101].cgroups == ()
    assert members(apps, 105) == {105}
    assert members(apps, 100) == {100}
    assert len({a.key for a in apps.values()}) == 3


def test_two_unrelated_python3_never_merge(empty: DesktopIndex) -> None:
    procs = [
        proc(10, 1, "python3", cmdline=("python3", "-c", "x")),
        proc(20, 1, "python3", cmdline=("python3", "-c", "x")),
    ]
    apps = group(procs, empty)
    assert apps[10] != apps[20]
    assert {apps[10].app_id, apps[20].app_id} == {"python3-10", "python3-20"}


def test_tree_apps_with_the_same_desktop_entry_never_merge(desktop: DesktopIndex) -> None:
    apps = group([proc(10, 1, "vim"), proc(20, 1, "vim")], desktop)
    assert apps[10] != apps[20]
    assert apps[10].name == apps[20].name == "Vim"
    assert apps[10].desktop_id == "vim.desktop"
    assert apps[10].app_id == "vim-10"


def test_parent_pid1_and_namespace_init(empty: DesktopIndex) -> None:
    """pid 1 is a boundary, even when it is a PID namespace's init (unshare --pid)."""
    procs = [
        proc(1, 0, "bash", session=0, uid=0),  # a namespace's init: not a session leader here
        proc(2, 1, "python3", uid=0, cmdline=("python3", "a.py")),
        proc(3, 2, "python3", uid=0, cmdline=("python3", "a.py")),
        proc(4, 1, "python3", uid=0, cmdline=("python3", "b.py")),
    ]
    apps = group(procs, empty)
    assert members(apps, 2) == {2, 3}
    assert members(apps, 4) == {4}
    assert members(apps, 1) == {1}
    assert apps[1].kind == "session"  # pid 1: killing it ends the namespace (or is refused)
    assert apps[2].kind == "other"


def test_setsid_program_keeps_its_workers(empty: DesktopIndex) -> None:
    """A session leader that is not a shell (setsid hog, a service, a daemon) is one app."""
    procs = [
        proc(10, 1, "pytest", cmdline=("python3", "-m", "pytest")),
        leader(11, 10, "python3", cmdline=("python3", "hog.py")),
        proc(12, 11, "python3", cmdline=("python3", "hog.py")),
        proc(13, 11, "python3", cmdline=("python3", "hog.py")),
    ]
    apps = group(procs, empty)
    assert members(apps, 11) == {11, 12, 13}
    assert members(apps, 10) == {10}  # the parent is not dragged in, and not dragged down


def test_uid_change_user_manager_and_missing_parent_are_boundaries(empty: DesktopIndex) -> None:
    procs = [
        systemd_user(),
        proc(10, 900, "app"),  # reparented to the subreaper
        proc(11, 10, "helper"),
        proc(20, 1, "sudo", uid=0),
        proc(21, 20, "apt", uid=0),
        proc(22, 21, "dpkg", uid=0),
        proc(23, 22, "postinst", uid=UID),  # back to the user: its own app
        proc(30, 4444, "orphan"),  # parent not in the scan (exited, unreadable)
        proc(31, 30, "child"),
    ]
    apps = group(procs, empty)
    assert members(apps, 10) == {10, 11}
    assert members(apps, 20) == {20, 21, 22}
    assert members(apps, 23) == {23}
    assert members(apps, 30) == {30, 31}
    assert apps[900].kind == "session"


def test_children_of_session_processes_are_apps(desktop: DesktopIndex) -> None:
    """No scopes (Xfce from a display manager): the panel starts Firefox as its child."""
    procs = [
        proc(200, 1, "xfce4-session", session=200),
        proc(201, 200, "xfce4-panel"),
        proc(202, 201, "firefox"),
        proc(203, 202, "Web Content", exe="/usr/lib/firefox/firefox"),
        proc(204, 200, "xfwm4"),
        proc(205, 204, "xfwm4-helper"),  # a child of a window manager is its own app
    ]
    apps = group(procs, desktop)
    assert members(apps, 202) == {202, 203}
    assert apps[202].kind == "browser" and apps[202].name == "Firefox"
    assert apps[202].app_id == "org.mozilla.firefox-202"
    assert apps[201].kind == apps[200].kind == apps[204].kind == "session"
    assert members(apps, 201) == {201}
    assert apps[205].kind == "other"


def test_children_of_a_unit_process_outside_the_unit(empty: DesktopIndex) -> None:
    """A process that left its parent's unit (no unit of its own) is not the parent's app."""
    scope = f"{APP}/app-gnome-launcher-10.scope"
    procs = [proc(10, 900, "launcher", cgroup=scope), proc(11, 10, "child", cgroup="/")]
    apps = group(procs, empty)
    assert apps[10] != apps[11]
    assert apps[11].source == "tree" and apps[11].root_pid == 11


def test_kernel_threads_are_in_no_app(empty: DesktopIndex) -> None:
    procs = [
        proc(2, 0, "kthreadd", kthread=True, exe="", cmdline=()),
        proc(3, 2, "kworker/0:0", kthread=True, exe="", cmdline=()),
        proc(7, 2, "modprobe", uid=0),  # a usermode helper: a real process under kthreadd
    ]
    apps = group(procs, empty)
    assert set(apps) == {7} and apps[7].root_pid == 7


def test_ppid_cycle_does_not_hang(empty: DesktopIndex) -> None:
    procs = [proc(10, 11, "a"), proc(11, 10, "b"), proc(12, 12, "self")]
    apps = group(procs, empty)
    assert set(apps) == {10, 11, 12}


def test_own_pids_are_session(empty: DesktopIndex) -> None:
    procs = [leader(10, 1, "bash"), proc(11, 10, "python3", cmdline=("python3", "-m", "memwarden"))]
    apps = group(procs, empty, own={11: 11})
    assert apps[11].kind == "session" and apps[11].name == "memwarden"
    assert apps[10].kind == "other"
    # MemWarden inside a terminal scope: only its own carved-out job becomes session.
    scope = f"{APP}/app-gnome-Alacritty-20.scope"
    procs = [
        proc(20, 900, "alacritty", cgroup=scope),
        leader(21, 20, cgroup=scope),
        proc(22, 21, "python3", cmdline=("python3", "-m", "memwarden"), cgroup=scope),
    ]
    apps = group(procs, empty, own={22: 22})
    assert apps[22].kind == "session" and apps[20].kind == "other"


# --- classification ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("comm", "exe", "cmdline"),
    [
        ("steam", "/home/u/.steam/ubuntu12_32/steam", ("steam",)),
        ("wineserver", "/usr/bin/wineserver", ("/usr/bin/wineserver",)),
        ("wine64-preloade", "/usr/bin/wine64-preloader", ("Z:\\games\\x.exe",)),
        ("Game.exe", "/usr/bin/wine64-preloader", ("C:\\Game\\Game.exe",)),
        ("reaper", "/s/reaper", ("/s/reaper", "SteamLaunch", "AppId=570", "--", "/g/dota2")),
        ("Celeste", "/s/steamapps/common/Celeste/Celeste", ("./Celeste",)),
        ("python3", "/usr/bin/python3.12", ("python3", "/usr/bin/lutris")),
        ("proton", "/usr/bin/python3.12", ("python3", "/s/common/Proton 9.0/proton", "run")),
        ("gamescope", "/usr/bin/gamescope", ("gamescope", "--", "game")),
        ("heroic", "/opt/Heroic/heroic", ("/opt/Heroic/heroic",)),
    ],
)
def test_game_markers(empty: DesktopIndex, comm: str, exe: str, cmdline: tuple[str, ...]) -> None:
    apps = group([proc(10, 1, comm, exe=exe, cmdline=cmdline)], empty)
    assert apps[10].kind == "game"


def test_game_by_desktop_category_and_through_its_tree(desktop: DesktopIndex) -> None:
    apps = group([proc(10, 1, "chess")], desktop)
    assert apps[10].kind == "game" and apps[10].name == "Chess"
    # A game found deep in a tree makes the whole app a game.
    procs = [proc(20, 1, "launcher"), proc(21, 20, "wineserver")]
    assert group(procs, desktop)[20].kind == "game"


@pytest.mark.parametrize(
    "exe",
    ["/usr/lib/firefox-esr/firefox-esr", "/opt/google/chrome/chrome", "/usr/lib/chromium/chromium",
     "/opt/brave.com/brave/brave", "/opt/vivaldi/vivaldi-bin", "/usr/bin/epiphany",
     "/opt/microsoft/msedge/msedge", "/usr/lib/librewolf/librewolf", "/opt/zen/zen-bin"],
)  # fmt: skip
def test_browser_programs(empty: DesktopIndex, exe: str) -> None:
    comm = exe.rsplit("/", 1)[-1]
    assert group([proc(10, 1, comm, exe=exe)], empty)[10].kind == "browser"


@pytest.mark.parametrize(
    "comm",
    ["gnome-shell", "kwin_wayland", "plasmashell", "Xorg", "Xwayland", "sway", "Hyprland",
     "waybar", "pipewire", "wireplumber", "pulseaudio", "gsd-power", "dbus-broker",
     "gnome-session-binary", "xdg-desktop-portal-gnome", "sddm-greeter"],
)  # fmt: skip
def test_session_programs(empty: DesktopIndex, comm: str) -> None:
    # comm is cut to 15 bytes like the kernel does (gnome-session-b, xdg-desktop-por)
    apps = group([proc(10, 1, comm, exe=f"/usr/bin/{comm}")], empty)
    assert apps[10].kind == "session"
    # The name counts only for a trusted program: the same name from the home directory, or
    # given to itself with prctl by a program that is something else, is an ordinary app.
    apps = group([proc(10, 1, comm, exe=f"/home/u/bin/{comm}")], empty)
    assert apps[10].kind == "other"
    apps = group([proc(10, 1, comm, exe="/home/u/leak")], empty)
    assert apps[10].kind == "other"
    # A root-owned copy outside the system directories (trusted=False by the scanner) neither.
    apps = group([proc(10, 1, comm, exe=f"/usr/bin/{comm}", trusted=False)], empty)
    assert apps[10].kind == "other"


def test_other(empty: DesktopIndex) -> None:
    assert group([proc(10, 1, "blender")], empty)[10].kind == "other"


# --- names, ids, matching ---------------------------------------------------------------------


def test_process_program_names() -> None:
    python = "/usr/bin/python3.11"
    script = proc(1, 0, "python3", exe=python, cmdline=("/usr/bin/python3", "-u", "/srv/hog.py"))
    assert process_program(script) == "hog.py"
    shebang = proc(1, 0, "hog.py", exe=python, cmdline=("/usr/bin/python3", "./hog.py"))
    assert process_program(shebang) == "hog.py"
    # Other user's process: no exe; comm is cut, argv[0] completes it.
    server = "/usr/libexec/gnome-terminal-server"
    other_user = proc(1, 0, "gnome-terminal-server", exe="", cmdline=(server,))
    assert process_program(other_user) == "gnome-terminal-server"
    assert process_program(proc(1, 0, "kworker", exe="", cmdline=())) == "kworker"
    assert process_program(proc(1, 0, "app", exe="/opt/app (deleted)")) == "app"
    # Run from a memfd: argv[0] names it, not the memfd (nor a comm cut from the memfd's name).
    sealed = proc(1, 0, "memfd:sealed-91", exe="/memfd:sealed-91173221a7ea (deleted)",
                  cmdline=("tools/binary_backend", "--uid", "0"))  # fmt: skip
    assert process_program(sealed) == "binary_backend"
    empty_argv = proc(1, 0, "memfd:x", exe="/memfd:x (deleted)", cmdline=("",))
    assert process_program(empty_argv) == "memfd:x"


def test_app_ids_are_unique_per_uid(empty: DesktopIndex) -> None:
    """A unit id that equals a tree app's id still yields distinct keys."""
    procs = [
        proc(10, 1, "python3", cmdline=("python3", "-c", "")),  # tree: python3-10
        proc(11, 900, "python3", cgroup=f"{APP}/app-gnome-python3-10.scope"),  # unit: python3-10
    ]
    apps = group(procs, empty)
    assert apps[10] != apps[11]
    assert apps[10].key != apps[11].key


def matches(app: AppIdentity, procs: list[ProcessIdentity], name: str) -> bool:
    return name.strip() != "" and rule_key(name) in rule_keys(app, procs)


def test_rules_match_ids_paths_and_trusted_names_only(desktop: DesktopIndex) -> None:
    procs = [
        proc(10, 1, "firefox", exe="/usr/lib/firefox/firefox",
             cgroup=f"{APP}/app-gnome-org.mozilla.firefox-10.scope"),
        proc(11, 10, "Isolated Web Co", exe="/usr/lib/firefox/firefox",
             cgroup=f"{APP}/app-gnome-org.mozilla.firefox-10.scope"),
        proc(20, 1, "python3", exe="/usr/bin/python3.11", cmdline=("python3", "/home/u/hog.py")),
        proc(30, 1, "game", exe="/home/u/games/game"),
    ]  # fmt: skip
    apps = group(procs, desktop)
    firefox = apps[10]
    ff_procs = [p for p in procs if apps[p.pid] == firefox]
    for name in ["firefox", "FIREFOX", "org.mozilla.firefox", "org.mozilla.firefox.desktop",
                 " Firefox ", "/usr/lib/firefox/firefox"]:  # fmt: skip
        assert matches(firefox, ff_procs, name), name
    # A comm is the process's own choice: never a rule's match.
    for name in ["", "  ", "fire", "chrome", "python3", "isolated web co", "/usr/lib/firefox"]:
        assert not matches(firefox, ff_procs, name), name
    hog = apps[20]
    for name in ["/home/u/hog.py", "hog.py-20"]:
        assert matches(hog, [procs[2]], name), name
    # The interpreter is not the program, and a script's name is only a name.
    for name in ["python3", "python3.11", "/usr/bin/python3.11", "hog.py"]:
        assert not matches(hog, [procs[2]], name), name
    game = apps[30]
    assert matches(game, [procs[3]], "/home/u/games/game")
    assert not matches(game, [procs[3]], "game")  # a name in the home directory is anyone's


def test_a_comm_named_like_a_protected_app_matches_nothing(desktop: DesktopIndex) -> None:
    """The spoofs: a leak that calls itself firefox (prctl) or runs as a script named firefox."""
    procs = [
        proc(10, 1, "firefox", exe="/home/u/.cache/leak"),
        proc(20, 1, "python3", exe="/usr/bin/python3.11", cmdline=("python3", "/tmp/firefox")),
    ]
    apps = group(procs, desktop)
    # A desktop entry found by a script's name is a display hint, not who it is.
    assert apps[20].name == "Firefox"
    for pid in (10, 20):
        app, members_ = apps[pid], [p for p in procs if p.pid == pid]
        for name in ["firefox", "Firefox", "org.mozilla.firefox", "org.mozilla.firefox.desktop"]:
            assert not matches(app, members_, name), (pid, name)
    # The real one, from the system: the same entry counts.
    real = proc(30, 1, "firefox", exe="/usr/bin/firefox")
    app = group([real], desktop)[30]
    assert matches(app, [real], "org.mozilla.firefox") and matches(app, [real], "firefox")


def test_rules_say_which_of_the_names_gave_an_app_its_rule(desktop: DesktopIndex) -> None:
    """The rule and the name behind it, as written; protect wins over prefer; the killer's
    rule_for is the same decision."""
    procs = [
        proc(10, 1, "firefox", exe="/usr/lib/firefox/firefox",
             cgroup=f"{APP}/app-gnome-org.mozilla.firefox-10.scope"),
        proc(11, 10, "Isolated Web Co", exe="/usr/lib/firefox/firefox",
             cgroup=f"{APP}/app-gnome-org.mozilla.firefox-10.scope"),
        proc(20, 1, "firefox", exe="/home/u/.cache/leak"),  # calls itself firefox
    ]  # fmt: skip
    apps = group(procs, desktop)
    firefox, leak = apps[10], apps[20]
    ff_procs = [p for p in procs if apps[p.pid] == firefox]
    cases = [
        (Rules(), RuleMatch(Rule.NORMAL, "")),
        (Rules(protect=("chrome",), prefer=("/usr/bin/chromium",)), RuleMatch(Rule.NORMAL, "")),
        # By one of its programs, as written (a path exactly, a name in any case).
        (Rules(protect=("/usr/lib/firefox/firefox",)),
         RuleMatch(Rule.PROTECT, "/usr/lib/firefox/firefox")),
        (Rules(prefer=("FireFox",)), RuleMatch(Rule.PREFER, "FireFox")),
        # Protect wins over prefer, whichever list names what.
        (Rules(protect=("org.mozilla.firefox",), prefer=("/usr/lib/firefox/firefox",)),
         RuleMatch(Rule.PROTECT, "org.mozilla.firefox")),
        (Rules(protect=("/usr/lib/firefox/firefox",), prefer=("org.mozilla.firefox",)),
         RuleMatch(Rule.PROTECT, "/usr/lib/firefox/firefox")),
        # Several names of one list: the one written first, whatever the order of the keys.
        (Rules(prefer=("chrome", "org.mozilla.firefox.desktop", "firefox")),
         RuleMatch(Rule.PREFER, "org.mozilla.firefox.desktop")),
        (Rules(prefer=("firefox", "org.mozilla.firefox.desktop")),
         RuleMatch(Rule.PREFER, "firefox")),
    ]  # fmt: skip
    for rules, expected in cases:
        assert rules.match(firefox, ff_procs) == expected, rules
        assert rules.rule_for(firefox, ff_procs) is expected.rule
    # A process naming itself like a protected app gets no rule, and no name behind one.
    rules = Rules(protect=("firefox", "org.mozilla.firefox"))
    assert rules.match(leak, [procs[2]]) == RuleMatch(Rule.NORMAL, "")


def test_the_name_a_rule_is_saved_under(desktop: DesktopIndex) -> None:
    procs = [
        proc(10, 1, "firefox", exe="/usr/lib/firefox/firefox",
             cgroup=f"{APP}/app-gnome-org.mozilla.firefox-10.scope"),
        proc(20, 1, "python3", exe="/usr/bin/python3.11", cmdline=("python3", "/home/u/hog.py")),
        proc(30, 1, "firefox", exe="/usr/bin/firefox"),
        proc(40, 1, "python3", exe="/usr/bin/python3.11", cmdline=("python3", "-c", "x")),
        proc(50, 900, "python3", cgroup=f"{APP}/app-gnome-python3-50.scope"),
    ]  # fmt: skip
    apps = group(procs, desktop)
    targets = {pid: rule_target(apps[pid], [p for p in procs if p.pid == pid]) for pid in apps}
    assert targets == {10: "org.mozilla.firefox", 20: "/home/u/hog.py",
                       30: "org.mozilla.firefox", 40: "python3.11-40", 50: "python3-50"}
    for pid, target in targets.items():  # and each of them matches its app
        assert matches(apps[pid], [p for p in procs if p.pid == pid], target)


# --- properties -------------------------------------------------------------------------------

COMMS = ["bash", "python3", "firefox", "gnome-shell", "systemd", "steam", "vim", "zsh", "app"]
CGROUPS = [
    None,
    "/",
    f"{APP}/app-gnome-org.mozilla.firefox-1.scope",
    f"{APP}/app-gnome-org.mozilla.firefox-2.scope",
    f"{APP}/app-gnome-Alacritty-3.scope",
    f"{APP}/app-gnome-python3-4.scope",
    f"{USER}/session.slice/org.gnome.Shell@wayland.service",
    f"{APP}/app-org.gnome.Terminal.slice/vte-spawn-1.scope",
]


@st.composite
def process_lists(draw: st.DrawFn) -> list[ProcessIdentity]:
    pids = draw(st.lists(st.integers(1, 40), unique=True, max_size=25))
    out = []
    for pid in pids:
        comm = draw(st.sampled_from(COMMS))
        out.append(
            ProcessIdentity(
                pid=pid,
                ppid=draw(st.integers(0, 40)),
                session=draw(st.sampled_from([0, pid, *pids])),
                uid=draw(st.sampled_from([0, 1000, 1001])),
                comm=comm,
                exe=draw(st.sampled_from(["", f"/usr/bin/{comm}"])),
                cmdline=draw(st.sampled_from([(), (comm,), (comm, "--user"), (comm, "x.py")])),
                cgroup=draw(st.sampled_from(CGROUPS)),
                starttime_ticks=draw(st.integers(0, 50)),
                kernel_thread=draw(st.booleans()),
            )
        )
    return out


@settings(deadline=None)
@given(process_lists())
def test_grouping_invariants(procs: list[ProcessIdentity]) -> None:
    apps = group(procs, DesktopIndex({}))
    assert set(apps) == {p.pid for p in procs if not p.kernel_thread}
    by_app = pids_by_app(apps)
    keys = [a.key for a in by_app]
    assert len(keys) == len(set(keys)), "two apps share (uid, app_id)"
    table = {p.pid: p for p in procs}
    for app, pids in by_app.items():
        assert app.root_pid in pids
        assert table[app.root_pid].starttime_ticks == app.root_starttime_ticks
        if app.source == "tree":
            # A tree app never crosses users, and every member descends from the root.
            assert all(table[p].uid == app.uid for p in pids)
            for pid in pids:
                cur, seen = table[pid], set()
                while cur.pid != app.root_pid:
                    seen.add(cur.pid)
                    assert cur.ppid in pids and cur.ppid not in seen
                    cur = table[cur.ppid]


# --- real processes on this machine -----------------------------------------------------------


def read_identity(pid: int) -> ProcessIdentity:
    """A ProcessIdentity from /proc, in a few lines (the scanner has the production reader)."""
    base = Path(f"/proc/{pid}")
    stat = parse_pid_stat((base / "stat").read_text())
    status = (base / "status").read_text()
    uid = int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])
    try:
        exe = os.readlink(base / "exe")
    except OSError:
        exe = ""
    cmdline = (base / "cmdline").read_bytes().decode(errors="replace").split("\0")[:-1]
    cgroup = parse_pid_cgroup((base / "cgroup").read_text()).unit_path
    program_path, program_trusted = program_of_process(f"{base}/", exe, tuple(cmdline))
    return ProcessIdentity(
        pid=pid,
        ppid=stat.ppid,
        session=stat.session,
        uid=uid,
        comm=stat.comm,
        exe=exe,
        cmdline=tuple(cmdline),
        cgroup=cgroup,
        starttime_ticks=stat.starttime_ticks,
        kernel_thread=stat.ppid == 2 or pid == 2,
        program_path=program_path,
        program_trusted=program_trusted,
    )


def own_facts() -> dict[int, int]:
    """pytest itself stands in for MemWarden: its pid and start time."""
    return {os.getpid(): parse_pid_stat(Path("/proc/self/stat").read_text()).starttime_ticks}


def test_real_program_run_from_a_memfd_is_named_by_its_argv0() -> None:
    # The binary is copied into a memfd and executed from there, as sealed launchers do.
    code = (
        "import os, shutil\n"
        "fd = os.memfd_create('sealed-launcher', 0)\n"
        "with open(shutil.which('sleep'), 'rb') as f:\n"
        "    os.write(fd, f.read())\n"
        "os.execv(f'/proc/self/fd/{fd}', ['/opt/game/launcher', '60'])\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code])
    try:
        deadline = time.monotonic() + 30
        while "memfd:" not in (identity := read_identity(child.pid)).exe:
            assert child.poll() is None and time.monotonic() < deadline, identity
            time.sleep(0.01)
        assert identity.exe == "/memfd:sealed-launcher (deleted)"
        assert process_program(identity) == "launcher"
        assert "launcher" in process_names(identity)
    finally:
        child.kill()
        child.wait()


def read_all() -> list[ProcessIdentity]:
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                out.append(read_identity(int(name)))
            except (OSError, ParseError, StopIteration):
                continue  # exited meanwhile
    return out


# Forks 3 children that sleep; the token in argv tells our processes apart from everyone else's.
HOG = (
    "import os, sys, time\n"
    "for _ in range(3):\n"
    "    if os.fork() == 0:\n"
    "        time.sleep(60)\n"
    "        os._exit(0)\n"
    "time.sleep(60)\n"
)
SLEEPER = "import time; time.sleep(60)"


def wait_for(predicate: object, timeout: float = 15.0) -> list[ProcessIdentity]:
    deadline = time.monotonic() + timeout
    while True:
        procs = read_all()
        if predicate(procs):  # type: ignore[operator]
            return procs
        assert time.monotonic() < deadline, "the process tree never came up"
        time.sleep(0.02)


@pytest.fixture
def session_tree() -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    token = f"mw-test-{uuid.uuid4().hex[:10]}"
    script = (
        f"{sys.executable} -c '{HOG}' {token}-a & {sys.executable} -c '{SLEEPER}' {token}-b & wait"
    )
    shell = subprocess.Popen(["bash", "-c", script], start_new_session=True)
    try:
        yield shell, token
    finally:
        os.killpg(shell.pid, signal.SIGKILL)  # our own process group (start_new_session)
        shell.wait()


def test_real_process_tree_in_its_own_session(
    session_tree: tuple[subprocess.Popen[bytes], str], empty: DesktopIndex
) -> None:
    shell, token = session_tree

    def ready(procs: list[ProcessIdentity]) -> bool:
        ours = [p for p in procs if p.session == shell.pid]
        hog_a = [p for p in ours if f"{token}-a" in p.cmdline]
        hog_b = [p for p in ours if f"{token}-b" in p.cmdline]
        return len(hog_a) == 4 and len(hog_b) == 1

    procs = wait_for(ready)
    apps = group(procs, empty, own=own_facts())
    hog_a = sorted(p.pid for p in procs if f"{token}-a" in p.cmdline)
    hog_b = [p.pid for p in procs if f"{token}-b" in p.cmdline]
    table = {p.pid: p for p in procs}
    root_a = next(pid for pid in hog_a if table[pid].ppid == shell.pid)

    assert table[shell.pid].session == shell.pid  # bash leads the new session
    app_a = apps[root_a]
    assert {pid for pid, app in apps.items() if app == app_a} == set(hog_a)
    assert app_a.root_pid == root_a and app_a.source == "tree" and app_a.kind == "other"
    app_b = apps[hog_b[0]]
    assert {pid for pid, app in apps.items() if app == app_b} == set(hog_b)
    assert app_a != app_b and app_a.key != app_b.key
    assert apps[shell.pid] not in (app_a, app_b)
    # pytest itself (MemWarden's stand-in here) is in neither app, and is MemWarden by its pid.
    assert apps[os.getpid()] not in (app_a, app_b)
    roles = desktop_roles({p.pid: p for p in procs}, SessionFacts(own=own_facts()))
    assert roles[os.getpid()] == "self"
    assert not {shell.pid, *hog_a, *hog_b} & roles.keys()


@pytest.mark.root
def test_real_processes_in_real_app_scopes(tmp_path: Path) -> None:
    """Real cgroup v2 scopes named like GNOME's: two launches merge, terminal jobs split off.

    Needs root and a writable cgroup2 mount (here the controller-less hybrid hierarchy at
    /sys/fs/cgroup/unified; a normal v2 desktop works the same).
    """
    mount = read_cgroup2_mount()
    if os.geteuid() != 0 or mount is None or not os.access(mount.mount_point, os.W_OK):
        pytest.skip("needs root and a writable cgroup2 mount")
    token = f"mw-test-{uuid.uuid4().hex[:10]}"
    top = mount.mount_point / token
    app_slice = top / "user.slice" / "user-0.slice" / "user@0.service" / "app.slice"
    scope_1 = app_slice / "app-gnome-mw\\x2dhog-1.scope"
    scope_2 = app_slice / "app-gnome-mw\\x2dhog-2.scope"
    term = app_slice / "app-gnome-mw\\x2dterm-3.scope"
    for scope in (scope_1, scope_2, term):
        scope.mkdir(parents=True)
    (tmp_path / "applications").mkdir()
    (tmp_path / "applications" / "mw-hog.desktop").write_text(
        entry_text("MW Hog", "hogview", "Categories=Game;\n")
    )
    (tmp_path / "applications" / "mw-term.desktop").write_text(entry_text("MW Term", "mwterm"))
    desktop = DesktopIndex.load([tmp_path])

    hog_py = tmp_path / "hog.py"
    hog_py.write_text(HOG)
    sleeper_py = tmp_path / "sleeper.py"
    sleeper_py.write_text(SLEEPER)
    # A stand-in terminal: starts a shell in a new session, which runs a forking job.
    term_py = tmp_path / "term.py"
    term_py.write_text(
        "import subprocess, sys, time\n"
        "subprocess.Popen(['bash', '-c', sys.argv[2]], start_new_session=True)\n"
        "time.sleep(60)\n"
    )
    py = sys.executable

    def in_scope(scope: Path, *argv: str) -> subprocess.Popen[bytes]:
        # Join the scope first, then exec: every later fork inherits the cgroup.
        join = f"echo $$ > '{scope}/cgroup.procs' && exec \"$@\""
        return subprocess.Popen(["bash", "-c", join, "bash", *argv], start_new_session=True)

    started = [
        in_scope(scope_1, py, str(hog_py), f"{token}-one"),
        in_scope(scope_2, py, str(sleeper_py), f"{token}-two"),
        in_scope(term, py, str(term_py), f"{token}-term", f"{py} {hog_py} {token}-job & wait"),
    ]
    try:

        def ready(procs: list[ProcessIdentity]) -> bool:
            count = {k: 0 for k in ("one", "two", "term", "job")}
            for p in procs:
                for k in count:
                    if f"{token}-{k}" in p.cmdline and p.cgroup and token in p.cgroup:
                        count[k] += 1
            shells = [p for p in procs if p.comm == "bash" and p.cgroup and term.name in p.cgroup]
            return count == {"one": 4, "two": 1, "term": 1, "job": 4} and len(shells) == 1

        procs = wait_for(ready)
        apps = group(procs, desktop, own=own_facts())

        def pids(kind: str) -> set[int]:
            return {p.pid for p in procs if f"{token}-{kind}" in p.cmdline}

        hog = apps[min(pids("one"))]
        assert {pid for pid, a in apps.items() if a == hog} == pids("one") | pids("two")
        assert hog.app_id == "mw-hog" and hog.name == "MW Hog" and hog.kind == "game"
        assert hog.source == "scope"
        assert [mount.dir_of(c) for c in hog.cgroups] == [scope_1, scope_2]

        term_pid = next(iter(pids("term")))
        shell_pid = next(p.pid for p in procs if p.comm == "bash" and p.ppid == term_pid)
        terminal_app = apps[term_pid]
        assert {pid for pid, a in apps.items() if a == terminal_app} == {term_pid, shell_pid}
        assert terminal_app.name == "MW Term" and terminal_app.cgroups == ()
        job = apps[min(pids("job"))]
        assert {pid for pid, a in apps.items() if a == job} == pids("job")
        assert job.source == "tree" and job.cgroups == ()
        assert job.root_pid in pids("job") and read_identity(job.root_pid).ppid == shell_pid
        # Nothing else on the machine joined these apps.
        ours = pids("one") | pids("two") | pids("term") | pids("job") | {shell_pid}
        assert {pid for pid, a in apps.items() if a in (hog, terminal_app, job)} == ours
    finally:
        for child in started:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
        _kill_cgroup_members(top)
        _remove_cgroups(top)


def _kill_cgroup_members(top: Path) -> None:
    """Kill what is left in our test cgroups (the job's shell runs in a session of its own)."""
    for procs_file in top.rglob("cgroup.procs"):
        for line in procs_file.read_text().split():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(line), signal.SIGKILL)


def _remove_cgroups(top: Path) -> None:
    deadline = time.monotonic() + 10
    for directory in [*sorted((p for p in top.rglob("*") if p.is_dir()), reverse=True), top]:
        while True:
            try:
                directory.rmdir()
                break
            except FileNotFoundError:
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
