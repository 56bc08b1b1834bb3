# SPDX-License-Identifier: GPL-3.0-or-later
"""Give a paused app's memory back where the system allows: ``memory.reclaim`` of its own scope.

A frozen app's pages are idle until the person decides. With swap and the memory controller
delegated to its cgroup v2 scope, writing to the scope's ``memory.reclaim`` (Linux 5.19) moves
them to swap (anonymous memory and shmem alike, memfd included: both are swap-backed) and drops
its page cache, so the RAM goes to the apps in use, and nothing is closed.

What is reported is measured, never claimed: ``ram_freed_bytes`` is the rise of MemAvailable (the
RAM the other apps got back), ``swapped_out_bytes`` the rise of swap in use. It is not the rise of
memory left, the guard's measure (core/memory_left.py): that counts free swap, so moving pages to
swap leaves it about the same, and the person would read "nothing came back" when a gigabyte of
RAM did. Where it cannot be tried, the result says why (core/reason_codes.py
``PAUSE_RECLAIM_RESULTS``): this machine's CI, for one, has cgroup v2 without its memory
controller (``no-memory-controller``).
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from memwarden.core import reason_codes as codes
from memwarden.core.cgroup2 import read_memory_current_bytes
from memwarden.core.errors import CoreError
from memwarden.core.memory_left import MemoryLeft

log = logging.getLogger(__name__)

MiB = 1024 * 1024
#: At most this much per scope: memory.reclaim works synchronously (in a worker thread here),
#: and gigabytes of swap-out could keep it busy for many seconds.
RECLAIM_CAP_BYTES = 2048 * MiB
#: Below this, a reclaim is not worth it.
RECLAIM_MIN_BYTES = 1 * MiB


def reclaim_paused(
    frozen: list[Path], *, has_cgroup2: bool, read: Callable[[], MemoryLeft]
) -> dict[str, Any]:
    """Reclaim the frozen scopes of a paused app into swap, and measure.

    Args:
        frozen: The app's own scopes, frozen ([]: it was stopped process by process, not in a
            scope of its own).
        has_cgroup2: Whether the machine has a cgroup v2 hierarchy at all.
        read: Memory left now, with its meminfo (the engine's reader).

    Returns:
        ``{"result": code, "ram_freed_bytes": int, "swapped_out_bytes": int}``.
    """
    if not has_cgroup2:
        return _result(codes.NO_CGROUP_V2)
    if not frozen:
        return _result(codes.NO_OWN_CGROUP)
    amounts: list[tuple[Path, int]] = []
    for directory in frozen:
        if not (directory / "memory.reclaim").exists():
            return _result(codes.NO_MEMORY_CONTROLLER)
        try:
            current = read_memory_current_bytes(directory)
        except CoreError:
            return _result(codes.NOT_DELEGATED)
        if current is None:
            return _result(codes.NO_MEMORY_CONTROLLER)
        amounts.append((directory, min(current, RECLAIM_CAP_BYTES)))
    before = read()
    if before.meminfo.swap_free_kib * 1024 < RECLAIM_MIN_BYTES:
        return _result(codes.NO_SWAP)
    if sum(amount for _, amount in amounts) < RECLAIM_MIN_BYTES:
        return _result(codes.NOTHING_TO_RECLAIM)
    result = codes.DONE
    for directory, amount in amounts:
        try:
            (directory / "memory.reclaim").write_text(str(amount))
        except OSError as exc:
            if exc.errno == errno.EAGAIN:  # the kernel reclaimed less than asked
                result = codes.PARTIAL
            elif exc.errno in (errno.EACCES, errno.EPERM):
                return _result(codes.NOT_DELEGATED)
            else:
                log.warning("memory.reclaim of %s: %s", directory, exc)
                return _result(codes.FAILED)
    after = read()
    ram_freed = (after.meminfo.mem_available_kib - before.meminfo.mem_available_kib) * 1024
    swapped = (before.meminfo.swap_free_kib - after.meminfo.swap_free_kib) * 1024
    return _result(result, max(0, ram_freed), max(0, swapped))


def _result(code: str, ram_freed: int = 0, swapped: int = 0) -> dict[str, Any]:
    return {"result": code, "ram_freed_bytes": ram_freed, "swapped_out_bytes": swapped}
