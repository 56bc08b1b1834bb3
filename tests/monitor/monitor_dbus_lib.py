# SPDX-License-Identifier: GPL-3.0-or-later
"""The D-Bus API tests' tools: a private session bus, the monitor in a sandbox, and a client.

* :class:`SessionBus`: a throw-away ``dbus-daemon`` of type "session" with its own config: no
  service directories, so nothing is ever activated behind the test's back (the test desktop's
  pitfall with dunst), and a policy that lets anyone own and call anything.
* :class:`Sandbox`: the real monitor (``python -m memwarden monitor``) with a config file of its
  own, under monitor_dbus_sandbox.py as PID 1 of a fresh PID namespace, plus hogs started there.
* :class:`MonitorClient`: a dbus-fast client that keeps the properties as PropertiesChanged says
  and records every signal, with bounded waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from dbus_fast import Message, MessageType
from dbus_fast.aio import MessageBus

from memwarden.monitor import dbus_constants as c

REPO = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("monitor_dbus_sandbox.py")
MiB = 1024 * 1024
T = TypeVar("T")

#: Every wait in these tests is bounded by this (or less).
WAIT_S = 30.0

#: The config every sandbox starts with unless a test writes its own: PSI and the forecast can
#: never make the state leave "calm" (a busy CI machine must not flip it), SIGTERM gets 2 s.
BASE_CONFIG = """\
[thresholds]
horizon_seconds = 1.0
grace_seconds = 2.0
psi_full_percent = 100.0
psi_some_warn_percent = 100.0
"""

#: The limits are the stock session bus's (/usr/share/dbus-1/session.conf, dbus 1.14): without
#: them dbus-daemon's built-in ones apply (128 pending replies per connection), which answer a
#: flood of calls for the monitor and so hide what a real session bus lets through to it.
BUS_CONFIG = """\
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
  <limit name="max_incoming_bytes">1000000000</limit>
  <limit name="max_outgoing_bytes">1000000000</limit>
  <limit name="max_message_size">1000000000</limit>
  <limit name="max_replies_per_connection">50000</limit>
</busconfig>
"""


def run_async(coro: Coroutine[Any, Any, T], timeout_s: float = 120) -> T:
    """Run a test coroutine in a fresh event loop, failing instead of hanging."""

    async def bounded() -> T:
        return await asyncio.wait_for(coro, timeout_s)

    return asyncio.run(bounded())


class SessionBus:
    """A private session bus daemon under ``directory``; it can be killed and started again on
    the same address (the same socket path)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.log = directory / "dbus-daemon.log"
        self.socket = directory / "socket"
        self.address = ""
        self._proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        """Start the daemon and wait until it prints its address."""
        self.directory.mkdir(parents=True, exist_ok=True)
        config = self.directory / "session.conf"
        config.write_text(BUS_CONFIG.format(socket=self.socket))
        self.socket.unlink(missing_ok=True)  # left by a killed daemon: the new one binds afresh
        with open(self.log, "a") as log:
            self._proc = subprocess.Popen(
                ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
                stdout=subprocess.PIPE, stderr=log, text=True,
            )  # fmt: skip
        assert self._proc.stdout is not None
        self.address = self._proc.stdout.readline().strip()
        if not self.address:
            raise RuntimeError(f"dbus-daemon did not start: {self.log.read_text()}")

    def stop(self, *, kill: bool = False) -> None:
        """Stop the daemon (SIGTERM; SIGKILL with ``kill``: a crash, every client cut off)."""
        if self._proc is not None:
            if kill:
                self._proc.kill()
            else:
                self._proc.terminate()
            self._proc.wait(timeout=10)
            assert self._proc.stdout is not None
            self._proc.stdout.close()
            self._proc = None


@dataclass(frozen=True)
class HogRef:
    """A hog in the sandbox; pids as the monitor sees them (the namespace's), and the path of
    its program (what a rule names it by)."""

    pid: int
    pids: list[int]
    program: str = ""


class Sandbox:
    """The monitor under test, with its config file and log, and the hogs it may see.

    Args:
        bus: The session bus the monitor serves on.
        directory: Where the config file and the log go.
        monitor_args: Flags after ``memwarden monitor`` (``--config`` is added).
        config_text: The config file's content before the monitor starts (None: no file).
        namespace: Run in a fresh PID namespace (else as a plain child).
        hogs: label -> :meth:`hog` arguments: hogs started before the monitor, so that it never
            sees them grow (a hog filling its memory during a scan counts as "growing", and may
            become the next victim for that). Available as ``hogs[label]``.
    """

    def __init__(
        self,
        bus: SessionBus,
        directory: Path,
        *,
        monitor_args: list[str],
        config_text: str | None,
        namespace: bool,
        hogs: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.bus = bus
        self.directory = directory
        self.config = directory / "config.toml"
        self.log = directory / "monitor.log"
        self.namespace = namespace
        directory.mkdir(parents=True, exist_ok=True)
        if config_text is not None:
            self.config.write_text(config_text)
        spec = {
            "monitor_args": [
                "--no-helper",
                "--json-events",
                "--config",
                str(self.config),
                *monitor_args,
            ],
            "log": str(self.log),
            "hogs": hogs or {},
        }
        argv = [sys.executable, str(RUNNER), json.dumps(spec)]
        if namespace:
            argv = ["unshare", "--pid", "--fork", "--mount-proc", *argv]
        env = {k: v for k, v in os.environ.items() if not k.startswith("DBUS_")}
        env.update(PYTHONPATH=str(REPO / "app"), DBUS_SESSION_BUS_ADDRESS=bus.address)
        self._proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )
        self._answers: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read_answers, daemon=True)
        self._reader.start()
        self.rc: int | None = None
        self.hogs = {
            label: HogRef(h["pid"], h["pids"], h["program"])
            for label, h in self.request("hogs").items()
        }

    def _read_answers(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            self._answers.put(line)
        self._answers.put(None)

    def request(self, op: str, timeout_s: float = WAIT_S, **args: Any) -> dict[str, Any]:
        """Send one command to the sandbox and return its answer."""
        assert self._proc.stdin is not None
        self._proc.stdin.write(json.dumps({"op": op, **args}) + "\n")
        self._proc.stdin.flush()
        try:
            line = self._answers.get(timeout=timeout_s)
        except queue.Empty:
            raise AssertionError(f"sandbox did not answer {op!r}\n{self.output()}") from None
        if line is None:
            raise AssertionError(f"sandbox exited during {op!r}\n{self.output()}")
        doc: dict[str, Any] = json.loads(line)
        if "error" in doc:
            raise AssertionError(f"sandbox {op!r}: {doc['error']}")
        return doc

    def hog(self, kind: str, size_mib: int = 0, **kwargs: Any) -> HogRef:
        """Start a hog (tests/hogs.py) in the sandbox."""
        doc = self.request("hog", kind=kind, size_mib=size_mib, **kwargs)
        return HogRef(doc["pid"], doc["pids"], doc["program"])

    def spawn(self, *argv: str) -> int:
        """Start any program in the sandbox; its pid there."""
        return int(self.request("spawn", argv=list(argv))["pid"])

    def alive(self, pids: list[int]) -> list[bool]:
        """Whether each pid still runs (in the sandbox's namespace)."""
        return list(self.request("alive", pids=pids)["alive"])

    def monitor(self) -> dict[str, Any]:
        """``{"pid", "rc"}`` of the monitor under test."""
        return self.request("monitor")

    def start_leak(self, label: str) -> None:
        """Let the SPEC's leak hog ``label`` start growing."""
        self.request("leak", label=label)

    def states(self, pids: list[int]) -> list[str | None]:
        """Each process's state letter (``T``: stopped); None when it is gone."""
        return list(self.request("states", pids=pids)["states"])

    def stop_monitor(self) -> int | None:
        """SIGTERM to the monitor alone (the hogs stay); its exit status."""
        rc = self.request("stop_monitor")["rc"]
        return None if rc is None else int(rc)

    def output(self) -> str:
        """Everything the monitor printed (events and log)."""
        try:
            return self.log.read_text(errors="replace")
        except FileNotFoundError:
            return "(no monitor log)"

    def stop(self) -> int | None:
        """Stop the monitor (SIGTERM), the hogs and the sandbox; returns the monitor's status."""
        if self._proc.poll() is None and self.rc is None:
            with contextlib.suppress(AssertionError, OSError):
                self.rc = self.request("stop")["rc"]
        assert self._proc.stdin is not None
        with contextlib.suppress(OSError):
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=WAIT_S)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(timeout=WAIT_S)
        self._reader.join(timeout=WAIT_S)
        assert self._proc.stdout is not None
        self._proc.stdout.close()
        return self.rc


class CallError(Exception):
    """A D-Bus error reply: ``name`` and ``text`` (the reason code)."""

    def __init__(self, name: str, text: str) -> None:
        super().__init__(f"{name}: {text}")
        self.name = name
        self.text = text


class MonitorClient:
    """A client of the monitor's API on a private bus.

    ``props`` starts as GetAll says and afterwards changes *only* through PropertiesChanged, so
    waiting on it tests the signal. ``signals`` holds every signal of our interface, in order.
    """

    def __init__(self, address: str) -> None:
        self.address = address
        self.bus: MessageBus | None = None
        self.props: dict[str, Any] = {}
        self.signals: list[tuple[str, list[Any]]] = []
        self.prop_changes: list[dict[str, Any]] = []
        self._changed = asyncio.Event()

    async def connect(self) -> MonitorClient:
        """Connect, subscribe to our object's signals, read every property."""
        self.bus = await MessageBus(bus_address=self.address).connect()
        self.bus.add_message_handler(self._on_message)
        await self._bus_call(
            "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "AddMatch",
            "s", [f"type='signal',path='{c.OBJECT_PATH}'"],
        )  # fmt: skip
        return self

    async def load_properties(self) -> dict[str, Any]:
        """(Re)read every property with GetAll."""
        (values,) = await self._bus_call(
            c.BUS_NAME, c.OBJECT_PATH, "org.freedesktop.DBus.Properties", "GetAll", "s",
            [c.INTERFACE],
        )  # fmt: skip
        self.props = {k: v.value for k, v in values.items()}
        return self.props

    def close(self) -> None:
        """Disconnect."""
        if self.bus is not None:
            self.bus.disconnect()

    def _on_message(self, msg: Message) -> None:
        if msg.message_type is not MessageType.SIGNAL or msg.path != c.OBJECT_PATH:
            return
        if msg.interface == "org.freedesktop.DBus.Properties" and msg.member == "PropertiesChanged":
            if msg.body[0] == c.INTERFACE:
                changed = {k: v.value for k, v in msg.body[1].items()}
                self.prop_changes.append(changed)
                self.props.update(changed)
        elif msg.interface == c.INTERFACE:
            self.signals.append((msg.member or "", list(msg.body)))
        self._changed.set()

    async def _bus_call(
        self, dest: str, path: str, interface: str, member: str, sig: str, body: list[Any]
    ) -> list[Any]:
        assert self.bus is not None
        reply = await asyncio.wait_for(
            self.bus.call(
                Message(
                    destination=dest,
                    path=path,
                    interface=interface,
                    member=member,
                    signature=sig,
                    body=body,
                )
            ),
            WAIT_S,
        )
        if reply.message_type is MessageType.ERROR:
            text = reply.body[0] if reply.body else ""
            raise CallError(reply.error_name or "", str(text))
        return list(reply.body)

    async def call(self, member: str, sig: str = "", *body: Any) -> Any:
        """Call one of our methods; returns its single result (or None)."""
        out = await self._bus_call(c.BUS_NAME, c.OBJECT_PATH, c.INTERFACE, member, sig, list(body))
        return out[0] if out else None

    async def snapshot(self) -> dict[str, Any]:
        """GetSnapshot, parsed."""
        doc: dict[str, Any] = json.loads(await self.call("GetSnapshot"))
        return doc

    async def introspect_xml(self) -> str:
        """The object's introspection XML, as the monitor sends it."""
        (xml,) = await self._bus_call(
            c.BUS_NAME, c.OBJECT_PATH, "org.freedesktop.DBus.Introspectable", "Introspect", "", []
        )
        return str(xml)

    async def own_name(self, name: str) -> None:
        """Own a well-known name on the bus (the tray's, to be the tray the monitor asks for)."""
        (result,) = await self._bus_call(
            "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
            "RequestName", "su", [name, 4],  # DBUS_NAME_FLAG_DO_NOT_QUEUE
        )  # fmt: skip
        assert result == 1, f"could not own {name}: {result}"  # PRIMARY_OWNER

    async def release_name(self, name: str) -> None:
        """Give a well-known name back."""
        await self._bus_call(
            "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
            "ReleaseName", "s", [name],
        )  # fmt: skip

    async def name_has_owner(self) -> bool:
        """Whether someone owns the monitor's name (asks the bus; activates nothing)."""
        (owned,) = await self._bus_call(
            "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
            "NameHasOwner", "s", [c.BUS_NAME],
        )  # fmt: skip
        return bool(owned)

    async def _until(self, check: Callable[[], T | None], what: str, timeout_s: float) -> T:
        deadline = time.monotonic() + timeout_s
        while True:
            result = check()
            if result is not None and result is not False:
                return result
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(
                    f"timed out waiting for {what}; properties {self.props}, "
                    f"signals {self.signals[-5:]}"
                )
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(left, 0.5))

    async def wait_property(
        self, name: str, predicate: Callable[[Any], bool], timeout_s: float = WAIT_S
    ) -> Any:
        """Wait until PropertiesChanged made ``name`` satisfy ``predicate``; returns the value."""

        def check() -> tuple[Any] | None:
            if name in self.props and predicate(self.props[name]):
                return (self.props[name],)
            return None

        (value,) = await self._until(check, f"property {name}", timeout_s)
        return value

    async def wait_signal(
        self,
        member: str,
        predicate: Callable[[list[Any]], bool] = lambda body: True,
        timeout_s: float = WAIT_S,
        *,
        start: int = 0,
    ) -> list[Any]:
        """Wait for a signal of ours (from index ``start`` of ``signals``); returns its body."""

        def find() -> list[Any] | None:
            for name, body in self.signals[start:]:
                if name == member and predicate(body):
                    return body
            return None

        return await self._until(find, f"signal {member}", timeout_s)


async def wait_for_monitor(client: MonitorClient, sandbox: Sandbox) -> None:
    """Wait until the monitor owns its name; fail early, with its log, if it exited."""
    deadline = time.monotonic() + WAIT_S
    while not await client.name_has_owner():
        state = sandbox.monitor()
        if state["rc"] is not None or time.monotonic() > deadline:
            raise AssertionError(f"monitor not on the bus (rc={state['rc']}):\n{sandbox.output()}")
        await asyncio.sleep(0.05)


def config_text(*, apps: dict[str, list[str]] | None = None, **thresholds: float) -> str:
    """BASE_CONFIG plus more ``[thresholds]`` keys and an ``[apps]`` table."""
    lines = [BASE_CONFIG.rstrip("\n"), *(f"{k} = {v!r}" for k, v in thresholds.items())]
    if apps:
        lines += ["", "[apps]", *(f"{k} = {json.dumps(v)}" for k, v in apps.items())]
    return "\n".join(lines) + "\n"


def write_config(path: Path, text: str) -> None:
    """Replace the file atomically: the monitor must never read a half-written one."""
    tmp = path.with_name(".test-config.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


@contextlib.asynccontextmanager
async def client_of(sandbox: Sandbox) -> AsyncIterator[MonitorClient]:
    """A client connected once the monitor owns its name, with every property loaded."""
    client = await MonitorClient(sandbox.bus.address).connect()
    try:
        await wait_for_monitor(client, sandbox)
        await client.load_properties()
        yield client
    finally:
        client.close()


async def on_the_bus(sandbox: Sandbox) -> None:
    """Return once the monitor owns its name (fails with its log if it does not)."""
    async with client_of(sandbox):
        pass


def app_of(snapshot: dict[str, Any], pid: int) -> dict[str, Any]:
    """The app of ``pid`` in a GetSnapshot document."""
    apps: list[dict[str, Any]] = snapshot["apps"]
    for app in apps:
        if pid in app["pids"]:
            return app
    raise AssertionError(f"no app holds pid {pid}: {[a['id'] for a in snapshot['apps']]}")
