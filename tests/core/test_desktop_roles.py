# SPDX-License-Identifier: GPL-3.0-or-later
"""Who is the desktop and who is MemWarden: facts, per process, never a name alone.

Synthetic process tables for the layouts (a start-up script, the compositor's exec lines, xinit,
the spoofs of a hostile program), then real processes: a real listening socket found through
/proc/net/unix and fd links, and real files for program trust.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_apps import APP, USER, leader, proc

from memwarden.core.apps import group_apps
from memwarden.core.desktop_index import DesktopIndex
from memwarden.core.desktop_roles import SessionFacts, desktop_roles
from memwarden.core.display_sockets import display_socket_paths, parse_listening_inodes
from memwarden.core.program_trust import program_of_process, script_argument
from memwarden.core.scanner import Scanner

EMPTY = DesktopIndex({})


def roles_of(procs, **facts):  # type: ignore[no-untyped-def]
    return desktop_roles({p.pid: p for p in procs}, SessionFacts(**facts))


def grouped(procs, **facts):  # type: ignore[no-untyped-def]
    roles = roles_of(procs, **facts)
    apps = group_apps(procs, EMPTY, roles)
    return roles, apps


def same_app(apps, a: int, b: int) -> bool:  # type: ignore[no-untyped-def]
    return bool(apps[a] == apps[b])


# --- a session started by a script, as ~/.xinitrc, sway's exec lines or autostart do -----------


def startup_session() -> list:  # type: ignore[type-arg]
    """login shell -> session.sh -> {sway (listens on the Wayland socket), mako, swaybar via
    sway, the tray, a 1.3 GB game, a leak}: what the issue's user ran."""
    return [
        leader(100, 1, "bash", exe="/usr/bin/bash", cmdline=("-bash",)),
        proc(110, 100, "sh", exe="/usr/bin/dash", cmdline=("sh", "/home/u/session.sh")),
        proc(120, 110, "sway", exe="/usr/bin/sway"),
        proc(121, 120, "swaybar", exe="/usr/bin/swaybar"),
        proc(130, 110, "mako", exe="/usr/bin/mako"),
        proc(140, 110, "python3", exe="/usr/bin/python3.11",
             cmdline=("python3", "/usr/lib/memwarden/tray.py")),
        proc(150, 110, "python3", exe="/usr/bin/python3.11",
             cmdline=("python3", "/home/u/game.py")),
        proc(160, 110, "python3", exe="/usr/bin/python3.11",
             cmdline=("python3", "/home/u/leak.py")),
    ]  # fmt: skip


def test_a_start_up_scripts_programs_are_apps_of_their_own() -> None:
    procs = startup_session()
    roles, apps = grouped(procs, display_listeners={120}, own={140: 140},
                          bus_names={130: (130, "org.freedesktop.Notifications")})  # fmt: skip
    assert roles[120] == "display-server"
    assert roles[110] == roles[100] == "session-chain"  # their death ends the session
    assert roles[130] == "bus-name" and roles[140] == "self"
    assert roles[121] == "session-program"
    # The game, the leak and the tray are three apps, none of them the desktop.
    assert not same_app(apps, 150, 160) and not same_app(apps, 150, 140)
    assert 150 not in roles and 160 not in roles
    assert apps[150].kind == apps[160].kind == "other"
    assert apps[140].kind == "session"  # all of it is MemWarden


def test_the_compositors_exec_lines_start_apps_of_their_own() -> None:
    """sway -> sh -c session.sh -> programs: the script is a start-up script."""
    procs = [
        proc(120, 1, "sway", exe="/usr/bin/sway"),
        proc(200, 120, "sh", exe="/usr/bin/dash", cmdline=("sh", "/home/u/.config/sway/run")),
        proc(210, 200, "python3", exe="/usr/bin/python3.11", cmdline=("python3", "/g/game.py")),
        proc(220, 200, "python3", exe="/usr/bin/python3.11", cmdline=("python3", "/l/leak.py")),
        proc(221, 220, "python3", exe="/usr/bin/python3.11", cmdline=("python3", "/l/leak.py")),
        proc(230, 120, "python3", exe="/usr/bin/python3.11", cmdline=("python3", "/l/other.py")),
    ]
    roles, apps = grouped(procs, display_listeners={120})
    assert roles == {120: "display-server"}  # the script is not the desktop: closable
    assert not same_app(apps, 210, 220) and same_app(apps, 220, 221)
    assert not same_app(apps, 200, 210) and not same_app(apps, 230, 120)


def test_xinit_and_its_client_script_are_the_session() -> None:
    procs = [
        leader(100, 1, "bash", exe="/usr/bin/bash", cmdline=("-bash",)),
        proc(101, 100, "startx", exe="/usr/bin/dash", cmdline=("/bin/sh", "/usr/bin/startx")),
        proc(102, 101, "xinit", exe="/usr/bin/xinit"),
        proc(103, 102, "Xorg", exe="/usr/lib/xorg/Xorg"),
        proc(104, 102, "sh", exe="/usr/bin/dash", cmdline=("sh", "/home/u/.xinitrc")),
        proc(105, 104, "i3", exe="/usr/bin/i3"),
        proc(106, 104, "python3", exe="/usr/bin/python3.11", cmdline=("python3", "/h/leak.py")),
    ]
    roles, apps = grouped(procs, display_listeners={103})
    assert roles[103] == "display-server"
    assert roles[101] == roles[100] == "session-chain"
    assert roles[102] == "session-program"  # xinit, by its (trusted) name first
    assert roles[104] == "startup-client"  # xinit ends the session when .xinitrc exits
    assert 106 not in roles and apps[106].root_pid == 106


# --- the spoofs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["pipewire", "gnome-shell", "sway", "Xorg", "swaylock", "mako"])
def test_a_desktop_name_alone_is_nobody(name: str) -> None:
    procs = [
        proc(10, 1, name, exe="/usr/bin/python3.11", cmdline=(name, "/tmp/x.py")),  # prctl name
        proc(20, 1, name, exe=f"/home/u/bin/{name}"),  # a file of that name in the home dir
        proc(30, 1, "python3", exe="/usr/bin/python3.11", cmdline=("python3", f"/tmp/{name}")),
        proc(40, 1, name, exe=f"/usr/bin/{name}", trusted=False),  # a root-owned copy in /tmp
    ]
    assert roles_of(procs) == {}


def test_a_desktop_named_child_leaves_its_parent_closable() -> None:
    procs = [
        proc(10, 1, "python3", exe="/usr/bin/python3.11", cmdline=("python3", "/tmp/leak.py")),
        proc(11, 10, "gnome-shell", exe="/usr/bin/python3.11", cmdline=("gnome-shell",)),
        proc(12, 10, "gnome-shell", exe="/usr/bin/gnome-shell"),  # even a real one
    ]
    roles, apps = grouped(procs)
    assert roles == {12: "session-program"}
    assert apps[10].kind == "other" and 10 not in roles and 11 not in roles


def test_memwarden_is_known_by_pid_and_start_time_only() -> None:
    procs = [
        proc(10, 1, "memwarden", exe="/usr/bin/python3.11",
             cmdline=("/usr/bin/python3", "/usr/bin/memwarden", "monitor")),
        proc(20, 1, "memwarden", exe="/tmp/memwarden"),
    ]  # fmt: skip
    assert roles_of(procs) == {}
    assert roles_of(procs, own={10: 10}) == {10: "self"}
    assert roles_of(procs, own={10: 9}) == {}  # the pid was reused


def test_bus_names_and_listeners_count_for_trusted_programs_only() -> None:
    procs = [
        proc(10, 1, "mako", exe="/usr/bin/mako"),
        proc(20, 1, "leak", exe="/home/u/leak"),
        proc(30, 1, "python3", exe="/usr/bin/python3.11", cmdline=("python3", "/tmp/w.py")),
    ]
    names = {10: (10, "org.freedesktop.Notifications"), 20: (20, "org.freedesktop.ScreenSaver")}
    assert roles_of(procs, bus_names=names) == {10: "bus-name"}
    assert roles_of(procs, bus_names={10: (99, "org.freedesktop.Notifications")}) == {
        10: "session-program"  # a stale owner: only its (trusted) name speaks for it
    }
    assert roles_of(procs, display_listeners={20, 30}) == {10: "session-program"}


def test_systemd_facts() -> None:
    procs = [
        proc(10, 900, "anything", exe="/home/u/x", cgroup=f"{USER}/session.slice/x.service"),
        proc(20, 1, "gdm-wayland-ses", exe="/usr/libexec/gdm-wayland-session",
             cgroup="/user.slice/user-1000.slice/session-2.scope", session=20),
        proc(21, 20, "bash", exe="/usr/bin/bash",
             cgroup="/user.slice/user-1000.slice/session-2.scope"),
        proc(30, 1, "gdm", exe="/usr/sbin/gdm3", cgroup="/system.slice/gdm.service", uid=0),
        proc(40, 900, "python3", exe="/usr/bin/python3.11", cmdline=("python3", "/h/x.py"),
             cgroup=f"{APP}/app-gnome-x-40.scope"),
    ]  # fmt: skip
    assert roles_of(procs) == {
        10: "session-slice", 20: "session-leader", 30: "display-manager"
    }


# --- real processes -----------------------------------------------------------------------------


def test_display_socket_paths_from_the_environment() -> None:
    env = {"XDG_RUNTIME_DIR": "/run/user/1000", "WAYLAND_DISPLAY": "wayland-1", "DISPLAY": ":0"}
    assert display_socket_paths(env) == ("/run/user/1000/wayland-1", "/tmp/.X11-unix/X0")
    assert display_socket_paths({"WAYLAND_DISPLAY": "/tmp/w/sock"}) == ("/tmp/w/sock",)
    assert display_socket_paths({"DISPLAY": "unix:3.0", "XDG_RUNTIME_DIR": "/r"}) == (
        "/tmp/.X11-unix/X3",
    )
    # Remote X or nothing at all: every Wayland socket of the runtime dir and every X socket.
    assert display_socket_paths({"DISPLAY": "host:1", "XDG_RUNTIME_DIR": "/r"}) == (
        "/r/wayland-*", "/tmp/.X11-unix/X*",
    )


def test_listening_inodes_parse_proc_net_unix() -> None:
    text = (
        "Num       RefCount Protocol Flags    Type St Inode Path\n"
        "0000000000000000: 00000002 00000000 00010000 0001 01 24310 /run/user/1000/wayland-0\n"
        "0000000000000000: 00000003 00000000 00000000 0001 03 24311 /run/user/1000/wayland-0\n"
        "0000000000000000: 00000002 00000000 00010000 0001 01 555 @/tmp/.X11-unix/X0\n"
        "0000000000000000: 00000002 00000000 00010000 0001 01 777 /run/user/1000/bus\n"
        "0000000000000000: 00000002 00000000 00000000 0002 01 888\n"
        "garbage line\n"
    )
    wanted = ("/run/user/1000/wayland-0", "/tmp/.X11-unix/X0")
    # Only listening sockets (the connected one has the same path but no __SO_ACCEPTCON).
    assert parse_listening_inodes(text, wanted) == {24310, 555}
    assert parse_listening_inodes(text, ("/run/user/1000/wayland-*",)) == {24310}


@pytest.mark.skipif(shutil.which("dbus-daemon") is None, reason="needs dbus-daemon")
def test_the_real_listener_of_the_display_socket_is_the_display_server(tmp_path: Path) -> None:
    """A real trusted program (/usr/bin/dbus-daemon) listening where the compositor would: the
    scanner finds it through /proc/net/unix and its fd links; an untrusted listener on the same
    kind of socket is found too, but gets no role."""
    runtime = tmp_path / "rt"
    runtime.mkdir(mode=0o700)
    sock = runtime / "wayland-7"
    server = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", f"--address=unix:path={sock}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    fake_sock = runtime / "wayland-8"
    fake = subprocess.Popen([sys.executable, "-c", (
        "import socket, sys, time\n"
        "s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen()\n"
        "print('ready', flush=True); time.sleep(60)\n"), str(fake_sock)],
        stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert fake.stdout is not None and fake.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 10
        while not sock.exists():
            assert time.monotonic() < deadline and server.poll() is None
            time.sleep(0.02)
        scanner = Scanner(with_nvidia=False, display_sockets=[str(sock), str(fake_sock)])
        snap = scanner.scan(full=True)
        assert snap.processes[server.pid].role == "display-server"
        assert snap.processes[fake.pid].role is None  # python -c: no file to trust
        # The scanner itself is MemWarden, by pid.
        assert snap.processes[os.getpid()].role == "self"
        # And the listener is found again by later scans that reuse the cache.
        assert scanner.scan(full=False).processes[server.pid].role == "display-server"
    finally:
        for child in (server, fake):
            child.kill()
            child.wait()
        assert fake.stdout is not None
        fake.stdout.close()


def test_program_trust_of_real_processes(tmp_path: Path) -> None:
    """Root-owned is not enough: the file must be in a system directory (tests run as root, so
    every file they write is root's)."""
    script = tmp_path / "pipewire"
    script.write_text("import time; time.sleep(60)\n")
    python = shutil.which("python3", path="/usr/bin")
    assert python is not None
    children = [
        subprocess.Popen(["/usr/bin/sleep", "60"]),
        subprocess.Popen([python, str(script)]),
        subprocess.Popen([python, script.name], cwd=tmp_path),
        subprocess.Popen([python, "-c", "import time; time.sleep(60)"]),
    ]
    try:
        time.sleep(0.3)
        found = []
        for child in children:
            base = f"/proc/{child.pid}/"
            found.append(program_of_process(base, os.readlink(base + "exe"),
                                            tuple(Path(base + "cmdline").read_bytes()
                                                  .decode().split("\0")[:-1])))  # fmt: skip
        assert found[0] == (os.path.realpath("/usr/bin/sleep"), True)
        assert found[1] == (str(script), False) and found[2] == (str(script), False)
        assert found[3] == ("", False)
    finally:
        for child in children:
            child.kill()
            child.wait()


def test_script_argument() -> None:
    assert script_argument(["python3", "-u", "-W", "ignore", "/opt/x.py", "-v"]) == "/opt/x.py"
    assert script_argument(["python3", "-m", "http.server"]) is None
    assert script_argument(["bash", "-c", "echo"]) is None
    assert script_argument(["sh", "--", "run.sh"]) == "run.sh"
    assert script_argument(["python3"]) is None
