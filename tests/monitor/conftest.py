# SPDX-License-Identifier: GPL-3.0-or-later
"""Monitor scenarios run in their own PID namespace (see scenario.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

SCENARIO = Path(__file__).with_name("scenario.py")
APP = Path(__file__).resolve().parents[2] / "app"


def _can_unshare() -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "true"],
                           capture_output=True, check=False)
    return probe.returncode == 0


@pytest.fixture(scope="session")
def pid_namespaces() -> None:
    if not _can_unshare():
        pytest.skip("needs root and unshare --pid (PID namespaces)")


@pytest.fixture
def run_scenario(pid_namespaces: None) -> Callable[..., dict[str, Any]]:
    """Run a scenario spec in a fresh PID namespace and return its result document."""

    def run(**spec: Any) -> dict[str, Any]:
        env = {**os.environ, "PYTHONPATH": str(APP)}
        out = subprocess.run(
            ["unshare", "--pid", "--fork", "--mount-proc", sys.executable, str(SCENARIO),
             json.dumps(spec)],
            capture_output=True, text=True, env=env, timeout=spec.get("timeout_s", 60) + 60,
            check=False,
        )
        if out.returncode != 0:
            raise AssertionError(f"scenario failed rc={out.returncode}\n{out.stderr[-4000:]}")
        result: dict[str, Any] = json.loads(out.stdout)
        result["events_of"] = lambda kind: [e for e in result["events"] if e["event"] == kind]
        return result

    return run


# -- the D-Bus API tests (test_dbus_api.py): a private session bus and sandboxed monitors --------


@pytest.fixture(scope="module")
def session_bus(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A private ``dbus-daemon`` of type session, one per test module."""
    from monitor_dbus_lib import SessionBus

    if shutil.which("dbus-daemon") is None:
        pytest.fail("dbus-daemon not found: install tests/debian-packages.txt", pytrace=False)
    bus = SessionBus(tmp_path_factory.mktemp("session-bus"))
    bus.start()
    yield bus
    bus.stop()


class SandboxFactory:
    """``monitor_sandbox(...)`` starts the real monitor on the test's session bus (see
    monitor_dbus_lib.Sandbox); every sandbox is stopped when the test ends."""

    def __init__(self, bus: Any, directory: Path) -> None:
        self.bus = bus
        self.directory = directory
        self.started: list[Any] = []

    def __call__(
        self,
        *,
        monitor_args: tuple[str, ...] = ("--kill-below-mib", "1"),
        config_text: str | None = None,
        needs_namespace: bool = False,
        hogs: dict[str, dict[str, Any]] | None = None,
    ) -> Any:
        """Start a monitor.

        Args:
            monitor_args: Flags; by default the close threshold is 1 MiB, so it never closes
                anything by itself on a machine that is not out of memory.
            config_text: The config file before start (None: monitor_dbus_lib.BASE_CONFIG).
            needs_namespace: The test relies on the monitor seeing only the sandbox's processes
                (which app is the next victim, anything that sends signals): skip without PID
                namespaces. Every sandbox uses one when it can.
            hogs: Hogs to start before the monitor (monitor_dbus_lib.Sandbox).
        """
        from monitor_dbus_lib import BASE_CONFIG, Sandbox

        namespace = _can_unshare_cached()
        if needs_namespace and not namespace:
            pytest.skip("needs root and unshare --pid (PID namespaces)")
        sandbox = Sandbox(
            self.bus,
            self.directory / f"sandbox-{len(self.started)}",
            monitor_args=list(monitor_args),
            config_text=BASE_CONFIG if config_text is None else config_text,
            namespace=namespace,
            hogs=hogs,
        )
        self.started.append(sandbox)
        return sandbox

    def logs(self) -> str:
        return "\n".join(
            f"--- {s.log} (namespace={s.namespace})\n{s.output()}" for s in self.started
        )

    def stop_all(self) -> None:
        for sandbox in self.started:
            sandbox.stop()


_UNSHARE: list[bool] = []


def _can_unshare_cached() -> bool:
    if not _UNSHARE:
        _UNSHARE.append(_can_unshare())
    return _UNSHARE[0]


@pytest.fixture
def monitor_sandbox(session_bus: Any, tmp_path: Path) -> Any:
    """Start sandboxed monitors on the module's session bus (see SandboxFactory)."""
    factory = SandboxFactory(session_bus, tmp_path)
    yield factory
    factory.stop_all()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Attach the monitor's output to a failing test that started one."""
    report = yield
    if report.failed and "monitor_sandbox" in getattr(item, "fixturenames", ()):
        factory = item.funcargs.get("monitor_sandbox") if hasattr(item, "funcargs") else None
        if isinstance(factory, SandboxFactory):
            report.sections.append(("memwarden monitor output", factory.logs()))
    return report
