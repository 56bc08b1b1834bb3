# SPDX-License-Identifier: GPL-3.0-or-later
"""Small helpers shared by the helper tests."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from memwarden.core.pid_stat import read_pid_stat

T = TypeVar("T")

CAP_SYS_RESOURCE = 24


def run_async(coro: Coroutine[Any, Any, T], timeout_s: float = 60) -> T:
    """Run a coroutine to completion in a fresh event loop, failing instead of hanging."""

    async def bounded() -> T:
        return await asyncio.wait_for(coro, timeout_s)

    return asyncio.run(bounded())


def starttime(pid: int) -> int:
    """The start time of ``pid`` (``/proc/PID/stat`` field 22)."""
    return read_pid_stat(pid).starttime_ticks


def oom_score_adj(pid: int) -> int:
    """``/proc/PID/oom_score_adj`` as the kernel has it now."""
    return int(Path(f"/proc/{pid}/oom_score_adj").read_text())


def has_cap_sys_resource() -> bool:
    """CAP_SYS_RESOURCE in this process's effective set (CapEff bit 24 of /proc/self/status).

    The helper started by the test bus inherits the same bounding set, so this tells whether a
    negative oom_score_adj can land on this machine (CI's root lacks it).
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("CapEff:"):
            return bool(int(line.split()[1], 16) >> CAP_SYS_RESOURCE & 1)
    raise AssertionError("no CapEff line in /proc/self/status")


# The ``spawn_as`` fixture: ``spawn_as(user, argv=None)`` starts a process owned by ``user``.
Spawn = Callable[..., "subprocess.Popen[bytes]"]
