# SPDX-License-Identifier: GPL-3.0-or-later
"""A private ``dbus-daemon`` of type "system", for tests that need a bus but not the real one.

Being of type "system", services it activates get ``DBUS_SYSTEM_BUS_ADDRESS`` pointing at it, so
the helper (which connects to "the system bus") finds this bus. There is no polkitd on it, which
is exactly what the fail-closed tests want. Its policy lets anyone own and call anything.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

from dbus_fast import Message
from dbus_fast.aio import MessageBus

from memwarden.helper import constants as c

REPO = Path(__file__).resolve().parents[2]

CONFIG = """\
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <servicedir>{services}</servicedir>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
  </policy>
</busconfig>
"""


class PrivateBus:
    """One private bus daemon under ``directory``.

    Attributes:
        address: The D-Bus address, once started.
        services: Directory of activation files (``*.service``) the daemon reads.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.services = directory / "services"
        self.socket = directory / "socket"
        self.log = directory / "daemon.log"
        self.address = ""
        self._proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        """Start the daemon and wait until it prints its address."""
        self.services.mkdir(parents=True, exist_ok=True)
        config = self.directory / "bus.conf"
        config.write_text(CONFIG.format(socket=self.socket, services=self.services))
        with open(self.log, "w") as log:
            self._proc = subprocess.Popen(
                ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                env=self.service_env(),
            )
        assert self._proc.stdout is not None
        self.address = self._proc.stdout.readline().strip()
        if not self.address:
            raise RuntimeError(f"dbus-daemon did not start: {self.log.read_text()}")

    def service_env(self) -> dict[str, str]:
        """The environment activated services inherit: this checkout's app on PYTHONPATH."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("DBUS_")}
        env["PYTHONPATH"] = str(REPO / "app")
        return env

    def add_service(self, name: str, exec_line: str) -> None:
        """Write an activation file for ``name`` and make the daemon read it now.

        Activation alone would rescan on a miss, but ListActivatableNames only knows what the
        daemon has read, and its inotify reload is asynchronous: ReloadConfig is not.
        """
        (self.services / f"{name}.service").write_text(
            f"[D-BUS Service]\nName={name}\nExec={exec_line}\n"
        )
        subprocess.run(
            [
                "dbus-send", f"--bus={self.address}", "--print-reply",
                "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                "org.freedesktop.DBus.ReloadConfig",
            ],
            check=True, capture_output=True, timeout=30,
        )  # fmt: skip

    def helper_command(self, *args: str) -> list[str]:
        """The argv that runs this checkout's helper (with this interpreter)."""
        return [sys.executable, "-m", "memwarden.helper.service", "--verbose", *args]

    def env_for_clients(self) -> dict[str, str]:
        """An environment whose "system bus" is this bus (for subprocesses)."""
        env = self.service_env()
        env["DBUS_SYSTEM_BUS_ADDRESS"] = self.address
        return env

    def stop(self) -> None:
        """Stop the daemon (services it activated exit when their bus goes away)."""
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(timeout=10)
            assert self._proc.stdout is not None
            self._proc.stdout.close()
            self._proc = None


class HelperProcess:
    """A helper subprocess on a private bus, with its stderr in a file."""

    def __init__(self, bus: PrivateBus, *args: str) -> None:
        self.bus = bus
        self.log = bus.directory / f"helper-{len(list(bus.directory.glob('helper-*')))}.log"
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(
                bus.helper_command(*args),
                env=bus.env_for_clients(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )

    def owns_name(self) -> bool:
        """True while some connection owns the helper's bus name on this bus."""
        return asyncio.run(asyncio.wait_for(name_has_owner(self.bus.address), 10))

    def wait_owning(self, timeout_s: float = 30) -> None:
        """Wait until the helper owns its name; fail if it exits or takes too long."""
        deadline = time.monotonic() + timeout_s
        while not self.owns_name():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"helper did not start:\n{self.output()}")
            time.sleep(0.05)

    def stop(self) -> int:
        """SIGTERM (if still running) and wait; returns the exit status."""
        if self.proc.poll() is None:
            self.proc.terminate()
        return self.proc.wait(timeout=30)

    def output(self) -> str:
        """Everything the helper logged."""
        return self.log.read_text()


async def name_has_owner(address: str) -> bool:
    """Ask the bus at ``address`` whether the helper's name has an owner (starts nothing)."""
    bus = await MessageBus(bus_address=address).connect()
    try:
        reply = await bus.call(
            Message(
                destination="org.freedesktop.DBus",
                path="/org/freedesktop/DBus",
                interface="org.freedesktop.DBus",
                member="NameHasOwner",
                signature="s",
                body=[c.BUS_NAME],
            )
        )
        return bool(reply.body[0])
    finally:
        bus.disconnect()
