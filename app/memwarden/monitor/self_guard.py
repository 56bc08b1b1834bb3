# SPDX-License-Identifier: GPL-3.0-or-later
"""The monitor guards itself: its pages locked in RAM when that is safe, a low oom_score_adj.

``mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)`` keeps the watcher's pages from being reclaimed
when the machine thrashes, so it can still act. With a finite ``RLIMIT_MEMLOCK`` every later
allocation past the limit would fail (and a Python process would die of MemoryError), so it locks
only when the limit is unlimited or the process has CAP_IPC_LOCK.
"""

from __future__ import annotations

import ctypes
import logging
import resource

log = logging.getLogger(__name__)

MCL_CURRENT, MCL_FUTURE, MCL_ONFAULT = 1, 2, 4
CAP_IPC_LOCK = 14


def _has_capability(bit: int, status_text: str) -> bool:
    for line in status_text.splitlines():
        if line.startswith("CapEff:"):
            return bool(int(line.split()[1], 16) >> bit & 1)
    return False


def lock_memory() -> str:
    """Try to lock the monitor's memory. Returns a reason code: ``locked``,
    ``memlock-limit`` (the limit is finite and we lack CAP_IPC_LOCK) or ``failed``."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_MEMLOCK)
    with open("/proc/self/status") as f:
        capable = _has_capability(CAP_IPC_LOCK, f.read())
    if soft != resource.RLIM_INFINITY and not capable:
        log.info("not locking memory: RLIMIT_MEMLOCK is %d bytes", soft)
        return "memlock-limit"
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) != 0:
        log.warning("mlockall failed: errno %d", ctypes.get_errno())
        return "failed"
    return "locked"
