# SPDX-License-Identifier: GPL-3.0-or-later
"""The monitor stays small: what it must never load, checked on the real process."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from monitor_dbus_lib import WAIT_S, MonitorClient, run_async

REPO = Path(__file__).resolve().parents[2]


def test_the_monitor_serves_the_bus_without_openssl(session_bus: Any, tmp_path: Path) -> None:
    # OpenSSL is 3.4 MiB of the monitor's RSS and buys it nothing: D-Bus runs over a Unix socket.
    # A dry run with a 1 MiB threshold: it can close nothing.
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBUS_")}
    env.update(PYTHONPATH=str(REPO / "app"), DBUS_SESSION_BUS_ADDRESS=session_bus.address)
    log = tmp_path / "monitor.log"
    with open(log, "w") as out:
        monitor = subprocess.Popen(
            [sys.executable, "-m", "memwarden", "monitor", "--no-helper", "--no-config",
             "--dry-run", "--kill-below-mib", "1"],
            stdout=out, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip

    async def serve() -> tuple[str, dict[str, Any]]:
        client = await MonitorClient(session_bus.address).connect()
        try:
            deadline = time.monotonic() + WAIT_S
            while not await client.name_has_owner():
                assert monitor.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                await asyncio.sleep(0.05)
            # Introspection is where dbus_fast hashes (sha256), with CPython's own hashlib here.
            return await client.introspect_xml(), await client.snapshot()
        finally:
            client.close()

    try:
        xml, snapshot = run_async(serve())
        libraries = {
            Path(line.split()[-1]).name
            for line in Path(f"/proc/{monitor.pid}/maps").read_text().splitlines()
            if "/" in line
        }
    finally:
        monitor.terminate()
        assert monitor.wait(timeout=WAIT_S) == 0, log.read_text()
    assert "<interface name=" in xml and snapshot["apps"]
    openssl = sorted(n for n in libraries if n.startswith(("libcrypto.so", "libssl.so")))
    assert openssl == [], openssl
    assert any(n.startswith("libc.so") for n in libraries)  # the maps were read, and parsed
