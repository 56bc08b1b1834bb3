# SPDX-License-Identifier: GPL-3.0-or-later
"""A throw-away Wayland session of an ordinary user, started the way a desktop starts it.

sway refuses to run as root, so everything runs as a test user (root creates it, starts the bus
and the session as that user, and reads what happened):

* a private session bus (root may connect too, to look), with MemWarden's monitor D-Bus-
  activatable from the *installed* program (``/usr/bin/memwarden monitor``);
* ``session.sh``, the user's start-up script (as ``~/.xinitrc``, a display manager's session or
  an autostart script): it runs sway with the headless wlroots backend and the pixman renderer,
  swaybar (a StatusNotifierItem host) from sway's config, mako (notifications), and then the
  programs of the scenario: a 1 GiB "game", MemWarden's tray and a leak that writes an unmapped
  memfd once it is told to go. In ``script`` mode the script starts them as its children; in
  ``compositor`` mode it asks sway to (``swaymsg exec``), as a launcher or sway's ``exec`` lines
  do;
* ``grim`` takes screenshots, ``makoctl list`` says what mako shows.

Learnt here: sway's own ``exec`` forks twice, so what it starts is reparented (not its child);
swaybar has no menu of its own, so the tray's menu is read over ``com.canonical.dbusmenu``; Qt
needs ``QT_QPA_PLATFORM=wayland`` (no Xwayland is installed). Nothing here imports Qt.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from desktop import bus_call, wait_until

PROGRAMS = ("sway", "swaybar", "swaymsg", "mako", "makoctl", "grim", "dbus-daemon")
USER = "mwwayland"

BUS_CONFIG = """\
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <servicedir>{services}</servicedir>
  <policy context="default">
    <allow user="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

SWAY_CONFIG = """\
output HEADLESS-1 resolution 1280x800
bar {
  position top
  tray_output *
  status_command while date +%H:%M; do sleep 60; done
}
"""

# The user's start-up script. $MODE: "script" (it starts the programs) or "compositor" (sway
# does). It waits for its children, as a session script does until the session ends.
SESSION_SH = """\
#!/bin/sh
cd "$RUN"
sway -c "$RUN/sway.cfg" > "$RUN/sway.log" 2>&1 &
for _ in $(seq 200); do
  WAYLAND_DISPLAY=$(ls "$XDG_RUNTIME_DIR" | grep -m1 '^wayland-[0-9]*$') && break
  sleep 0.05
done
export WAYLAND_DISPLAY
mako > "$RUN/mako.log" 2>&1 &
for _ in $(seq 200); do
  SWAYSOCK=$(ls "$XDG_RUNTIME_DIR"/sway-ipc.*.sock 2>/dev/null | head -n1)
  [ -n "$SWAYSOCK" ] && break
  sleep 0.05
done
export SWAYSOCK
echo "$WAYLAND_DISPLAY" > "$RUN/wayland-display"
GAME="python3 $RUN/game.py"; TRAY="/usr/bin/memwarden"; LEAK="python3 $RUN/leak.py"
if [ "$MODE" = compositor ]; then
  swaymsg exec "$GAME" > /dev/null
  swaymsg exec "$TRAY > $RUN/tray.log 2>&1" > /dev/null
  swaymsg exec "$LEAK" > /dev/null
else
  $GAME &
  $TRAY > "$RUN/tray.log" 2>&1 &
  $LEAK &
fi
wait
"""

GAME_PY = """\
import os, pathlib, time
here = pathlib.Path(__file__).parent
world = bytearray(1024 << 20)
for i in range(0, len(world), 4096):
    world[i] = 1                                  # every page resident: 1 GiB the kernel sees
(here / "game.pid").write_text(str(os.getpid()))
while True:
    time.sleep(60)
"""

# Waits for the test's "go", then writes 20 MiB to an unmapped memfd every 200 ms (100 MiB/s),
# up to 5 GiB: memory no process maps, which the kernel's OOM killer counts for nobody. The cap is
# far beyond the kill point (1.5 GiB away), so that other memory coming free meanwhile on a shared
# machine cannot keep the leak from reaching it; and still bounded.
LEAK_PY = """\
import os, pathlib, time
here = pathlib.Path(__file__).parent
(here / "leak.pid").write_text(str(os.getpid()))
while not (here / "go").exists():
    time.sleep(0.05)
fd = os.memfd_create("leak")
chunk = b"\\x5a" * (20 << 20)
for _ in range(5 * 1024 // 20):
    os.write(fd, chunk)
    time.sleep(0.2)
while True:
    time.sleep(60)
"""


def missing_programs() -> list[str]:
    """The Wayland desktop's programs that are not installed."""
    return [p for p in PROGRAMS if shutil.which(p) is None]


def ensure_user(name: str = USER) -> pwd.struct_passwd:
    """The test user, created (with a home) if missing."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "-m", "-s", "/bin/sh", name], check=True, timeout=60)
        return pwd.getpwnam(name)


class WaylandSession:
    """One session of the test user under a fresh directory (see the module doc).

    Args:
        mode: ``script`` or ``compositor``: who starts the game, the tray and the leak.
    """

    def __init__(self, mode: str, user: str = USER) -> None:
        self.mode = mode
        self.user = ensure_user(user)
        self.run_dir = Path(tempfile.mkdtemp(prefix="memwarden-wayland-", dir="/tmp"))
        self.home = self.run_dir / "home"
        self.runtime = self.run_dir / "rt"
        self.address = f"unix:path={self.run_dir / 'bus'}"
        self.ui_events = self.run_dir / "ui-events.jsonl"
        self._procs: list[subprocess.Popen[bytes]] = []

    # -- bring-up ---------------------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        """The session's environment (as a display manager would set it)."""
        return {
            "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(self.home),
            "USER": self.user.pw_name, "LOGNAME": self.user.pw_name, "RUN": str(self.run_dir),
            "MODE": self.mode, "XDG_RUNTIME_DIR": str(self.runtime),
            "XDG_CONFIG_HOME": str(self.home / "config"),
            "XDG_STATE_HOME": str(self.home / "state"), "XDG_DATA_HOME": str(self.home / "data"),
            "XDG_CURRENT_DESKTOP": "sway", "XDG_SESSION_TYPE": "wayland",
            "DBUS_SESSION_BUS_ADDRESS": self.address, "QT_QPA_PLATFORM": "wayland",
            "WLR_BACKENDS": "headless", "WLR_LIBINPUT_NO_DEVICES": "1", "WLR_RENDERER": "pixman",
            "MEMWARDEN_UI_EVENTS": str(self.ui_events),
        }  # fmt: skip

    def _write(self, name: str, text: str, mode: int = 0o644) -> Path:
        path = self.run_dir / name
        path.write_text(text)
        path.chmod(mode)
        return path

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        log = open(self.run_dir / f"{name}.out", "wb")  # noqa: SIM115 - the child owns it
        proc = subprocess.Popen(
            argv, user=self.user.pw_uid, group=self.user.pw_gid, extra_groups=[],
            env=self.env(), cwd=self.run_dir, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            start_new_session=True,
        )  # fmt: skip
        log.close()
        self._procs.append(proc)
        return proc

    def start(self) -> None:
        """The bus, then the start-up script; returns once the game holds its memory."""
        services = self.run_dir / "services"
        for directory in (self.home / "config" / "memwarden", self.home / "state",
                          self.home / "data", services):  # fmt: skip
            directory.mkdir(parents=True)
        self.runtime.mkdir(mode=0o700)
        self._write("session.conf", BUS_CONFIG.format(socket=self.run_dir / "bus",
                                                      services=services))  # fmt: skip
        # The monitor as the installed package makes it activatable (its own file names the
        # systemd unit, which a bus without systemd cannot use).
        (services / "io.github.memwarden.Monitor1.service").write_text(
            "[D-BUS Service]\nName=io.github.memwarden.Monitor1\n"
            "Exec=/usr/bin/memwarden monitor --json-events\n"
        )
        self._write("sway.cfg", SWAY_CONFIG)
        self._write("session.sh", SESSION_SH, 0o755)
        self._write("game.py", GAME_PY)
        self._write("leak.py", LEAK_PY)
        self.ui_events.touch()
        for path in (self.run_dir, *self.run_dir.rglob("*")):
            os.chown(path, self.user.pw_uid, self.user.pw_gid)
        self.run_dir.chmod(0o755)
        self._spawn("dbus-daemon", ["dbus-daemon", "--nofork",
                                    f"--config-file={self.run_dir / 'session.conf'}"])
        wait_until(lambda: (self.run_dir / "bus").exists(), 10, "the session bus")
        self._spawn("session", ["/bin/sh", str(self.run_dir / "session.sh")])
        wait_until(lambda: self.pid_of_file("game.pid") is not None, 60, "the game")

    def stop(self) -> None:
        """Stop every process of the test user, then the directory."""
        subprocess.run(["pkill", "-TERM", "-u", self.user.pw_name], check=False)
        deadline = time.monotonic() + 10
        while subprocess.run(["pgrep", "-u", self.user.pw_name], capture_output=True,
                             check=False).returncode == 0:  # fmt: skip
            if time.monotonic() > deadline:
                subprocess.run(["pkill", "-KILL", "-u", self.user.pw_name], check=False)
                break
            time.sleep(0.1)
        for proc in self._procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
        shutil.rmtree(self.run_dir, ignore_errors=True)

    # -- looking ----------------------------------------------------------------------------------

    def pid_of_file(self, name: str) -> int | None:
        """The pid a program of the session wrote to ``name``, while it runs."""
        try:
            pid = int((self.run_dir / name).read_text())
        except (OSError, ValueError):
            return None
        return pid if alive(pid) else None

    def pids_of(self, program: str) -> list[int]:
        """The test user's running processes of this program (by exact comm)."""
        out = subprocess.run(["pgrep", "-u", self.user.pw_name, "-x", program],
                             capture_output=True, text=True, check=False)  # fmt: skip
        return [int(p) for p in out.stdout.split()]

    def as_user(self, *argv: str, timeout: float = 30) -> str:
        """Run a program as the test user in the session; its stdout."""
        env = self.env()
        display = (self.run_dir / "wayland-display").read_text().strip()
        env["WAYLAND_DISPLAY"] = display
        out = subprocess.run(
            list(argv), user=self.user.pw_uid, group=self.user.pw_gid, extra_groups=[], env=env,
            cwd=self.run_dir, capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
        if out.returncode != 0:
            raise RuntimeError(f"{argv} failed ({out.returncode}): {out.stderr}")
        return out.stdout

    def write_thresholds(self, warn_mib: int, close_mib: int, kill_mib: int) -> None:
        """The monitor's thresholds (it reloads its config when the file changes)."""
        path = self.home / "config" / "memwarden" / "config.toml"
        tmp = path.with_name(".config.toml.test")
        tmp.write_text(
            f"[thresholds]\nwarn_mib = {warn_mib}\nclose_mib = {close_mib}\n"
            f"kill_mib = {kill_mib}\npsi_full_percent = 100.0\npsi_some_warn_percent = 100.0\n"
        )
        os.chown(tmp, self.user.pw_uid, self.user.pw_gid)
        tmp.replace(path)  # as an editor saves: the monitor never reads half a file

    def go(self) -> None:
        """Let the leak start."""
        self._write("go", "")

    def ui_events_of(self, kind: str) -> list[dict[str, Any]]:
        """What the tray showed (MEMWARDEN_UI_EVENTS), of one kind."""
        lines = self.ui_events.read_text().splitlines()
        return [e for e in map(json.loads, lines) if e.get("event") == kind]

    def mako_list(self) -> list[dict[str, Any]]:
        """What mako shows now (``makoctl list``), as summary/body dicts."""
        doc = json.loads(self.as_user("makoctl", "list") or "{}")
        out = []
        for group in doc.get("data", []):
            for n in group:
                out.append({k: n.get(k, {}).get("data", "") for k in ("summary", "body")})
        return out

    def screenshot(self, path: Path) -> Path:
        """The whole output as a PNG (grim), copied to ``path``."""
        shot = self.run_dir / "screen.png"
        self.as_user("grim", str(shot))
        shutil.copyfile(shot, path)
        return path

    def call(self, dest: str, path: str, interface: str, member: str, signature: str = "",
             body: list[Any] | None = None) -> list[Any]:  # fmt: skip
        """A method call on the session bus (as root: its policy lets root look)."""
        return bus_call(self.address, dest, path, interface, member, signature, body)

    def get_property(self, dest: str, path: str, interface: str, name: str) -> Any:
        """A D-Bus property's value."""
        (variant,) = self.call(dest, path, "org.freedesktop.DBus.Properties", "Get", "ss",
                               [interface, name])  # fmt: skip
        return variant.value

    def name_owner_pid(self, name: str) -> int | None:
        """The pid behind a well-known name, or None."""
        try:
            return int(self.call("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                 "org.freedesktop.DBus", "GetConnectionUnixProcessID", "s",
                                 [name])[0])  # fmt: skip
        except RuntimeError:
            return None

    def sni_items(self) -> list[str]:
        """The StatusNotifierItems swaybar's watcher knows (``service/path`` strings)."""
        try:
            return list(self.get_property("org.kde.StatusNotifierWatcher",
                                          "/StatusNotifierWatcher",
                                          "org.kde.StatusNotifierWatcher",
                                          "RegisteredStatusNotifierItems"))  # fmt: skip
        except RuntimeError:
            return []

    def menu_layout(self, service: str, menu_path: str) -> Any:
        """The tray menu as swaybar would show it now (AboutToShow, then GetLayout)."""
        self.call(service, menu_path, "com.canonical.dbusmenu", "AboutToShow", "i", [0])
        return self.call(service, menu_path, "com.canonical.dbusmenu", "GetLayout", "iias",
                         [0, -1, []])[1]  # fmt: skip

    def click_menu_item(self, service: str, menu_path: str, *labels: str) -> None:
        """Click the item at the end of ``labels`` (a submenu whose label contains
        ``labels[0]``, ...; the last one exactly), as swaybar does on a click."""
        from dbus_fast import Variant

        item_id = menu_item_id(self.menu_layout(service, menu_path), labels)
        if item_id is None:
            raise LookupError(f"no menu item {labels} in {self.menu_layout(service, menu_path)}")
        self.call(service, menu_path, "com.canonical.dbusmenu", "Event", "isvu",
                  [item_id, "clicked", Variant("i", 0), 0])  # fmt: skip

    def logs(self) -> str:
        """Every log of the session, for a failing test."""
        parts = []
        for name in ("session.out", "dbus-daemon.out", "sway.log", "mako.log", "tray.log"):
            path = self.run_dir / name
            if path.exists():
                parts.append(f"--- {name}\n{path.read_text(errors='replace')[-20000:]}")
        return "\n".join(parts)


def menu_item_id(node: Any, labels: tuple[str, ...]) -> int | None:
    """The id of the dbusmenu item that ``labels`` lead to from ``node`` (an ``(ia{sv}av)``
    layout): each label but the last is contained in a submenu's label, the last is an item's
    whole label (mnemonic underscores dropped)."""
    if not labels:
        return int(node[0])
    for child in node[2]:
        child = child.value
        label = str(child[1].get("label").value if "label" in child[1] else "").replace("_", "")
        last = len(labels) == 1
        if (label == labels[0]) if last else (labels[0] in label):
            found = menu_item_id(child, labels[1:])
            if found is not None:
                return found
    return None


def process_state(pid: int) -> str:
    """The one-letter state of a process (``T``: stopped), or ``""`` when it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return ""


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie is dead)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def kill_quietly(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
