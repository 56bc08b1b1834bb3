# SPDX-License-Identifier: GPL-3.0-or-later
"""Make sure a monitor guards the session, and bring it back when it dies.

How the monitor is started, in this order (the first that applies):

1. It is already on the bus (``NameHasOwner``): nothing to do.
2. The bus can activate it (an installed ``io.github.memwarden.Monitor1.service`` D-Bus service
   file): ``StartServiceByName``.
3. The systemd user unit ``memwarden-monitor.service`` is installed: ``systemctl --user start``.
4. Otherwise the tray starts ``memwarden monitor`` itself, in its own session so that it outlives
   the tray (guarding goes on when the tray quits), with its output in
   ``$XDG_STATE_HOME/memwarden/monitor.log``.

When the monitor leaves the bus without being asked to, it is started again the same way, after
1, 2, 4, … 30 s; after ``MAX_RESTARTS`` restarts within ``RESTART_WINDOW_S`` the launcher gives up
and says ``failed`` (the tray shows the error icon and where the log is). A monitor the tray
started is also watched through a pidfd, so one that dies before it reaches the bus is noticed.

``MEMWARDEN_MONITOR_COMMAND`` (a shell-quoted command line) replaces the command of step 4, for
development and tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from dbus_fast import Message, MessageType
from dbus_fast.aio import MessageBus
from PySide6.QtCore import QObject, QSocketNotifier, Signal

from memwarden.monitor import dbus_constants as c
from memwarden.ui.qt_compat import emit

log = logging.getLogger(__name__)

SYSTEMD_UNIT = "memwarden-monitor.service"
COMMAND_ENV = "MEMWARDEN_MONITOR_COMMAND"
#: How long a started monitor may take to own its name.
START_TIMEOUT_S = 15.0
MAX_RESTARTS = 5
RESTART_WINDOW_S = 120.0
BACKOFF_MAX_S = 30.0
#: The spawned monitor's log is started afresh when it grew beyond this.
LOG_LIMIT_BYTES = 1024 * 1024


def default_log_path() -> Path:
    """``$XDG_STATE_HOME/memwarden/monitor.log`` (``~/.local/state/...``)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "memwarden" / "monitor.log"


def monitor_command() -> list[str]:
    """The command that runs the monitor (step 4)."""
    override = os.environ.get(COMMAND_ENV, "").strip()
    if override:
        return shlex.split(override)
    return [sys.executable, "-m", "memwarden", "monitor"]


class MonitorLauncher(QObject):
    """Starts and restarts the monitor (see the module doc).

    Args:
        bus: The session bus.
        log_path: Where a monitor started by the tray writes its output.
        systemctl: The ``systemctl`` program (None: looked up on PATH; "" : never use systemd).

    Signals:
        statusChanged(str): ``starting``, ``running``, ``failed`` (gave up) or ``stopped`` (the
            person stopped guarding).
    """

    statusChanged = Signal(str)

    def __init__(
        self,
        bus: MessageBus,
        *,
        log_path: Path | None = None,
        systemctl: str | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._bus = bus
        self.log_path = log_path or default_log_path()
        self._systemctl = shutil.which("systemctl") if systemctl is None else systemctl
        #: How the monitor was found or started: ``bus``, ``activation``, ``systemd``, ``spawned``.
        self.method = ""
        self.status = ""
        self.process: subprocess.Popen[bytes] | None = None
        self._notifier: QSocketNotifier | None = None
        self._pidfd: int | None = None
        self._restarts: list[float] = []
        self._pending: asyncio.Task[None] | None = None
        self._stopping = False
        self._starting = False
        self.clock: Callable[[], float] = time.monotonic
        #: The first restart waits this long; each next one twice as long (up to BACKOFF_MAX_S).
        self.backoff_s = 1.0

    def _set_status(self, status: str) -> None:
        if status != self.status:
            self.status = status
            emit(self.statusChanged, status)

    # -- D-Bus helpers ----------------------------------------------------------------------------

    async def _dbus(self, member: str, signature: str = "", body: list[object] | None = None
                    ) -> Message:  # fmt: skip
        reply = await asyncio.wait_for(self._bus.call(Message(
            destination="org.freedesktop.DBus", path="/org/freedesktop/DBus",
            interface="org.freedesktop.DBus", member=member, signature=signature,
            body=body or [],
        )), START_TIMEOUT_S)  # fmt: skip
        if reply is None or reply.message_type is MessageType.ERROR:
            raise RuntimeError(f"{member}: {reply.error_name if reply else 'no reply'}")
        return reply

    async def monitor_running(self) -> bool:
        """Whether some process owns the monitor's name (activates nothing)."""
        return bool((await self._dbus("NameHasOwner", "s", [c.BUS_NAME])).body[0])

    async def _activatable(self) -> bool:
        return c.BUS_NAME in (await self._dbus("ListActivatableNames")).body[0]

    async def _systemd_unit_installed(self) -> bool:
        if not self._systemctl:
            return False
        out = await self._run([self._systemctl, "--user", "show", "-p", "LoadState", "--value",
                               SYSTEMD_UNIT])  # fmt: skip
        return out is not None and out.strip() == "loaded"

    @staticmethod
    async def _run(argv: list[str]) -> str | None:
        """Run a short command; its stdout, or None when it failed."""
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
        except OSError:
            return None
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), START_TIMEOUT_S)
        except TimeoutError:
            return None
        finally:
            if proc.returncode is None:
                # Timed out, or cancelled because the tray quits: killed and reaped while the
                # loop still runs. Left alone it would exit after the loop is closed, and asyncio
                # would print a traceback on the tray's way out.
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
        return out.decode(errors="replace") if proc.returncode == 0 else None

    async def _wait_for_name(self, timeout_s: float = START_TIMEOUT_S) -> bool:
        deadline = self.clock() + timeout_s
        while self.clock() < deadline:
            if await self.monitor_running():
                return True
            if self.process is not None and self.process.poll() is not None:
                return await self.monitor_running()  # it exited: maybe another one won the name
            await asyncio.sleep(0.05)
        return False

    # -- starting ---------------------------------------------------------------------------------

    async def ensure_running(self) -> str:
        """Find or start the monitor; returns how (``bus``, ``activation``, ``systemd``,
        ``spawned``) or ``failed`` (then it is tried again later, see :meth:`monitor_lost`)."""
        self._stopping = False
        self._set_status("starting")
        self._starting = True
        try:
            method = await self._start()
        except Exception as exc:  # the bus went away, or something unforeseen: say so
            log.warning("cannot start the monitor: %s", exc)
            method = "failed"
        finally:
            self._starting = False
        if method == "failed":
            self.monitor_lost()
        else:
            self.method = method
            self._set_status("running")
        return method

    async def _start(self) -> str:
        if await self.monitor_running():
            return "bus"
        if await self._activatable():
            log.info("starting the monitor by D-Bus activation")
            with contextlib.suppress(RuntimeError, TimeoutError):
                await self._dbus("StartServiceByName", "su", [c.BUS_NAME, 0])
            if await self._wait_for_name():
                return "activation"
        if await self._systemd_unit_installed():
            log.info("starting the monitor's systemd user unit")
            assert self._systemctl
            await self._run([self._systemctl, "--user", "start", SYSTEMD_UNIT])
            if await self._wait_for_name():
                return "systemd"
        self._spawn()
        return "spawned" if await self._wait_for_name() else "failed"

    def _spawn(self) -> None:
        argv = monitor_command()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            if self.log_path.stat().st_size > LOG_LIMIT_BYTES:
                self.log_path.unlink()
        log.info("starting the monitor: %s (log: %s)", shlex.join(argv), self.log_path)
        with open(self.log_path, "ab") as out:
            # Its own session: the monitor must not die with the tray, nor get the tray's signals.
            self.process = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True,
                close_fds=True,
            )  # fmt: skip
        self._watch_process(self.process.pid)

    def _watch_process(self, pid: int) -> None:
        self._unwatch_process()
        try:
            self._pidfd = os.pidfd_open(pid)
        except (OSError, AttributeError):  # Linux < 5.3: the bus name alone tells us
            return
        self._notifier = QSocketNotifier(self._pidfd, QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._process_exited)

    def _unwatch_process(self) -> None:
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None

    def _process_exited(self) -> None:
        self._unwatch_process()
        proc = self.process
        rc = proc.poll() if proc is not None else None
        log.info("the monitor we started exited (status %s)", rc)
        if not self._starting:  # else ensure_running sees it and decides
            self.process = None
            self.monitor_lost()

    # -- restarting -------------------------------------------------------------------------------

    def monitor_lost(self) -> None:
        """The monitor left the bus (or its process ended): start one again, unless the person
        stopped guarding, with a growing delay; give up after too many restarts."""
        if self._stopping or (self._pending is not None and not self._pending.done()):
            return
        now = self.clock()
        self._restarts = [t for t in self._restarts if now - t < RESTART_WINDOW_S]
        if len(self._restarts) >= MAX_RESTARTS:
            log.error("the monitor keeps stopping; giving up (see %s)", self.log_path)
            self._set_status("failed")
            return
        delay = min(BACKOFF_MAX_S, self.backoff_s * 2.0 ** len(self._restarts))
        self._restarts.append(now)
        self._set_status("starting")
        self._pending = asyncio.ensure_future(self._restart_after(delay))

    async def _restart_after(self, delay: float) -> None:
        await asyncio.sleep(delay)
        self._pending = None
        if self._stopping:
            return
        if self.process is not None and self.process.poll() is None:
            # Our process is alive but left the bus: it is on its way out; let it go.
            with contextlib.suppress(subprocess.TimeoutExpired):
                await asyncio.to_thread(self.process.wait, 5)
        await self.ensure_running()

    # -- stopping ---------------------------------------------------------------------------------

    async def stop_monitor(self) -> bool:
        """Stop guarding: end the monitor however it was started. Returns True when it stopped."""
        self._stopping = True
        if self._pending is not None:
            self._pending.cancel()
        self._unwatch_process()
        if self.method == "systemd" and self._systemctl:
            await self._run([self._systemctl, "--user", "stop", SYSTEMD_UNIT])
        elif self.process is not None and self.process.poll() is None:
            self.process.terminate()
        else:
            pid = await self._owner_pid()
            if pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
        deadline = self.clock() + START_TIMEOUT_S
        while self.clock() < deadline and await self.monitor_running():
            await asyncio.sleep(0.05)
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)
            self.process = None
        stopped = not await self.monitor_running()
        self._set_status("stopped" if stopped else self.status)
        return stopped

    async def _owner_pid(self) -> int | None:
        """The pid of the process owning the monitor's name, if it is ours to stop: same user,
        and its command line is a MemWarden monitor."""
        try:
            reply = await self._dbus("GetConnectionUnixProcessID", "s", [c.BUS_NAME])
        except (RuntimeError, TimeoutError):
            return None
        pid = int(reply.body[0])
        try:
            if os.stat(f"/proc/{pid}").st_uid != os.getuid():
                return None
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return None
        words = {os.path.basename(a.decode(errors="replace")) for a in argv}
        return pid if "monitor" in words and any("memwarden" in w for w in words) else None

    def forget(self) -> None:
        """Stop watching (the tray quits; the monitor it started keeps running)."""
        self._stopping = True
        if self._pending is not None:
            self._pending.cancel()
        self._unwatch_process()
