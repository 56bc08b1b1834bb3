# SPDX-License-Identifier: GPL-3.0-or-later
"""A throw-away desktop for the tray's tests and benchmark: a private session bus, and on top of
it, when asked for, Xvfb, a real XEmbed system tray (``trayer``) and a real notification daemon
(``dunst``) whose actions a test can invoke.

Learnt the hard way (see the notes in the project's history):

* Xvfb runs with ``-noreset``: without it the X server resets when its last client leaves, and a
  readiness probe (``xdpyinfo``) is such a client.
* The session bus has its own config with its own service directory, never the system's: the
  system's would D-Bus-activate a second, unconfigured dunst behind the test's back (and anything
  else installed). Readiness is probed with ``NameHasOwner``, which activates nothing.
* No dbus-x11: with it, libdbus autolaunches stray session buses when ``DBUS_SESSION_BUS_ADDRESS``
  is unset. Every process started here gets the private address.
* dunst only offers a non-default action through its context menu, which runs the ``dmenu``
  program of its config: a fake one prints the menu line that contains the text of a pick file.
* ``dunstctl action``/``context`` act only on notifications already on screen: wait for
  ``dunstctl count displayed`` first.

Everything started is stopped by its recorded pid. Usable from pytest fixtures and from
``bench/tray.py``; nothing here imports Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BUS_CONFIG = """\
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <servicedir>{services}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

DUNSTRC = """\
[global]
    monitor = 0
    follow = none
    width = 420
    height = 160
    origin = top-left
    offset = 10x50
    font = DejaVu Sans 9
    dmenu = {dmenu}
    mouse_left_click = do_action, close_current
    history_length = 100
    show_indicators = yes
[urgency_low]
    timeout = 0
[urgency_normal]
    timeout = 0
[urgency_critical]
    timeout = 0
[log]
    summary = "*"
    script = {logger}
"""

FAKE_DMENU = """\
#!/bin/sh
# A fake dmenu for dunst's context menu: print the menu line containing the text in the pick file.
input=$(cat); printf '%s\\n' "$input" >> "{log}"
pick=$(cat "{pick}" 2>/dev/null)
if [ -n "$pick" ]; then printf '%s\\n' "$input" | grep -m1 -F -- "$pick"
else printf '%s\\n' "$input" | head -n1; fi
"""

# dunst runs this for every notification: one JSON line with what it shows (summary, body, app).
NOTIFY_LOGGER = """\
#!{python}
import json, os
keys = ("DUNST_APP_NAME", "DUNST_SUMMARY", "DUNST_BODY", "DUNST_URGENCY", "DUNST_ID")
with open({out!r}, "a") as out:
    out.write(json.dumps({{k[6:].lower(): os.environ.get(k, "") for k in keys}}) + "\\n")
"""

X_PROGRAMS = ("Xvfb", "xdpyinfo", "xdotool", "xwininfo", "import", "trayer", "dunst", "dunstctl")


def missing_programs(programs: tuple[str, ...] = ("dbus-daemon", "dbus-send")) -> list[str]:
    """The programs of this list that are not installed."""
    return [p for p in programs if shutil.which(p) is None]


def wait_until(predicate: object, timeout_s: float = 10.0, what: str = "") -> None:
    """Poll ``predicate()`` every 50 ms until true; raise TimeoutError naming ``what``."""
    deadline = time.monotonic() + timeout_s
    while True:
        if predicate():  # type: ignore[operator]
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what or predicate}")
        time.sleep(0.05)


def bus_call(address: str, dest: str, path: str, interface: str, member: str,
             signature: str = "", body: list[Any] | None = None) -> list[Any]:  # fmt: skip
    """A method call with any D-Bus types (dbus-send cannot build variants) on the bus at
    ``address``; the reply's body. Raises RuntimeError on an error reply."""
    from dbus_fast import Message, MessageType
    from dbus_fast.aio import MessageBus

    async def go() -> list[Any]:
        bus = await MessageBus(bus_address=address).connect()
        try:
            reply = await asyncio.wait_for(bus.call(Message(
                destination=dest, path=path, interface=interface, member=member,
                signature=signature, body=body or [],
            )), 30)  # fmt: skip
        finally:
            bus.disconnect()
        if reply is None or reply.message_type is MessageType.ERROR:
            raise RuntimeError(f"{member}: {reply.error_name if reply else 'no reply'} "
                               f"{reply.body if reply else ''}")  # fmt: skip
        return list(reply.body)

    return asyncio.run(go())


class TestDesktop:
    """The desktop under ``directory``: :meth:`start_bus` alone, or :meth:`start` for all.

    Attributes:
        address: The session bus address.
        display: The X display (``:N``), with :meth:`start`.
    """

    __test__ = False  # not a pytest test class

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.services = directory / "services"
        self.address = ""
        self.display = ""
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self.pick_file = directory / "dunst-pick"
        self.notify_log = directory / "notifications.jsonl"

    # -- bring-up ---------------------------------------------------------------------------------

    def _spawn(self, name: str, argv: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
        log = open(self.dir / f"{name}.log", "wb")  # noqa: SIM115 - the child owns it
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=kwargs.pop("stdout", log), stderr=log,
            env=self.env(), **kwargs,  # type: ignore[call-overload]
        )  # fmt: skip
        log.close()
        self._procs[name] = proc
        return proc

    def start_bus(self) -> None:
        """Only the private session bus (no X): for offscreen tests."""
        self.dir.mkdir(parents=True, exist_ok=True)
        self.services.mkdir(exist_ok=True)
        config = self.dir / "session.conf"
        config.write_text(BUS_CONFIG.format(socket=self.dir / "bus", services=self.services))
        proc = self._spawn(
            "dbus-daemon",
            ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE,
        )
        assert proc.stdout is not None
        self.address = proc.stdout.readline().decode().strip()
        proc.stdout.close()
        if not self.address:
            raise RuntimeError(f"dbus-daemon did not start: {self.read_log('dbus-daemon')}")

    def start(self) -> None:
        """The bus, Xvfb, trayer and dunst; each waited for."""
        if not self.address:
            self.start_bus()
        display_file = self.dir / "display"
        read_fd, write_fd = os.pipe()
        self._spawn(
            "xvfb",
            ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24",
             "-nolisten", "tcp", "-noreset"],
            pass_fds=(write_fd,),
        )  # fmt: skip
        os.close(write_fd)
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        if not number:
            raise RuntimeError(f"Xvfb did not start: {self.read_log('xvfb')}")
        self.display = f":{number}"
        display_file.write_text(self.display)
        wait_until(lambda: self._ok(["xdpyinfo"]), what="Xvfb")
        self._spawn(
            "trayer",
            ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request",
             "--height", "32", "--SetDockType", "true", "--transparent", "false",
             "--tint", "0xdddddd"],
        )  # fmt: skip
        wait_until(lambda: self._ok(["xdotool", "search", "--class", "trayer"]), what="trayer")
        self._start_dunst()

    def _start_dunst(self) -> None:
        dmenu, logger = self.dir / "dmenu-pick.sh", self.dir / "dunst-logger.py"
        dmenu.write_text(FAKE_DMENU.format(log=self.dir / "dmenu.log", pick=self.pick_file))
        logger.write_text(NOTIFY_LOGGER.format(python=sys.executable, out=str(self.notify_log)))
        dmenu.chmod(0o755)
        logger.chmod(0o755)
        rc = self.dir / "dunstrc"
        rc.write_text(DUNSTRC.format(dmenu=dmenu, logger=logger))
        proc = self._spawn("dunst", ["dunst", "-config", str(rc)])
        wait_until(lambda: self.name_has_owner("org.freedesktop.Notifications") or
                   proc.poll() is not None, what="dunst")  # fmt: skip
        if proc.poll() is not None:
            raise RuntimeError(f"dunst exited: {self.read_log('dunst')}")

    def stop(self) -> None:
        """Stop everything started here (by pid), the last started first."""
        for name in reversed(list(self._procs)):
            proc = self._procs.pop(name)
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=5)

    # -- using it ---------------------------------------------------------------------------------

    def env(self, **extra: str) -> dict[str, str]:
        """An environment for a process of this desktop (its bus, its display, xcb Qt)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "QT_"))}
        env.pop("DISPLAY", None)
        env.pop("WAYLAND_DISPLAY", None)
        if self.address:
            env["DBUS_SESSION_BUS_ADDRESS"] = self.address
        if self.display:
            env["DISPLAY"] = self.display
            env["QT_QPA_PLATFORM"] = "xcb"
        else:
            env["QT_QPA_PLATFORM"] = "offscreen"
        env["XDG_RUNTIME_DIR"] = str(self._runtime_dir())
        env.update(extra)
        return env

    def _runtime_dir(self) -> Path:
        path = self.dir / "xdg-runtime"
        path.mkdir(mode=0o700, exist_ok=True)
        return path

    def _ok(self, argv: list[str]) -> bool:
        return subprocess.run(argv, env=self.env(), capture_output=True, check=False,
                              timeout=30).returncode == 0

    def run(self, *argv: str, check: bool = True) -> str:
        """Run a program on this desktop; its stdout."""
        out = subprocess.run(list(argv), env=self.env(), capture_output=True, text=True,
                             check=False, timeout=60)
        if check and out.returncode != 0:
            raise RuntimeError(f"{argv} failed ({out.returncode}): {out.stderr}")
        return out.stdout

    def bus_call(self, dest: str, path: str, method: str, *args: str) -> str:
        """``dbus-send --print-reply`` on this bus (args as ``type:value``)."""
        return self.run("dbus-send", f"--bus={self.address}", "--print-reply",
                        f"--dest={dest}", path, method, *args)

    def call(self, dest: str, path: str, interface: str, member: str, signature: str = "",
             body: list[object] | None = None) -> list[object]:  # fmt: skip
        """A method call with any D-Bus types on this bus (:func:`bus_call`)."""
        return bus_call(self.address, dest, path, interface, member, signature, body)

    def name_has_owner(self, name: str) -> bool:
        """NameHasOwner (activates nothing)."""
        out = self.bus_call("org.freedesktop.DBus", "/org/freedesktop/DBus",
                            "org.freedesktop.DBus.NameHasOwner", f"string:{name}")
        return "boolean true" in out

    def add_service(self, name: str, exec_line: str) -> None:
        """An activation file for ``name``, read by the bus now."""
        (self.services / f"{name}.service").write_text(
            f"[D-BUS Service]\nName={name}\nExec={exec_line}\n"
        )
        self.bus_call("org.freedesktop.DBus", "/org/freedesktop/DBus",
                      "org.freedesktop.DBus.ReloadConfig")

    def screenshot(self, path: Path) -> Path:
        """The whole screen as a PNG."""
        self.run("import", "-window", "root", str(path))
        return path

    def notifications(self) -> list[dict[str, str]]:
        """Every notification dunst showed, as its logger recorded it."""
        if not self.notify_log.exists():
            return []
        return [json.loads(line) for line in self.notify_log.read_text().splitlines() if line]

    def displayed_count(self) -> int:
        """Notifications on screen now."""
        return int(self.run("dunstctl", "count", "displayed").strip() or 0)

    def invoke_action(self, notification_id: int, action: str) -> None:
        """Choose ``action`` of a notification on screen through dunst's context menu."""
        self.pick_file.write_text(f"[{notification_id},{action}]")
        self.run("dunstctl", "context")

    def close_all_notifications(self) -> None:
        """Clear the screen of notifications."""
        with contextlib.suppress(RuntimeError):
            self.run("dunstctl", "close-all")

    def read_log(self, name: str) -> str:
        """The output of a process started here."""
        path = self.dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def tray_icons(self) -> list[tuple[int, int, int, int]]:
        """Geometry (x, y, w, h, absolute) of every icon window embedded in trayer."""
        icons = []
        # Qt names its tray window after the app (WM_CLASS "memwarden").
        out = self.run("xdotool", "search", "--class", "memwarden", check=False)
        for wid in out.split():
            info = self.run("xwininfo", "-id", wid, check=False)
            fields = dict(
                (k.strip(), v.strip()) for k, _, v in
                (line.partition(":") for line in info.splitlines()) if v
            )
            try:
                x = int(fields["Absolute upper-left X"])
                y = int(fields["Absolute upper-left Y"])
                w, h = int(fields["Width"]), int(fields["Height"])
            except (KeyError, ValueError):
                continue
            if fields.get("Map State") == "IsViewable" and y < 32 and w <= 64:
                icons.append((x, y, w, h))
        return icons
