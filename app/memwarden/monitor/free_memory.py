# SPDX-License-Identifier: GPL-3.0-or-later
""" "Free memory now": get memory back without closing anything, and measure what came back.

Two steps, each reported with a reason code, then memory left measured again:

1. ``reclaim-background``: write to ``memory.reclaim`` (cgroup v2, Linux 5.19) of the user's
   ``background.slice``, the slice systemd's desktop convention reserves for work nobody is looking
   at (systemd's docs/DESKTOP_ENVIRONMENTS.md). Its page cache is dropped and, with swap, its
   anonymous memory swapped out; apps the person uses are not touched. Needs the v2 memory
   controller delegated to the user manager (``user@UID.service``); on a cgroup v1 or hybrid
   machine (like CI's) the code says why not.
2. ``drop-caches``: the privileged helper drops clean caches and compacts memory (polkit action
   ``io.github.memwarden.helper.free-memory``), when there is a helper.

Neither frees memfd/tmpfs memory (docs/kernel-memory.md §5.5): only closing its holder does. The
result never claims more than was measured: ``freed_bytes`` is the measured rise of memory left
(core/memory_left.py, the measure the guard decides on), often near zero, because
``MemAvailable`` already counts most clean cache as available, and a reclaim into swap moves
memory rather than freeing it (``swapped_out_bytes`` says how much went there).
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
from pathlib import Path
from typing import Any, Protocol

from memwarden.core import reason_codes as codes
from memwarden.core.cgroup2 import Cgroup2Mount, read_memory_current_bytes
from memwarden.core.errors import CoreError
from memwarden.core.memory_left import MemoryLeft, MemoryLeftReader
from memwarden.core.pid_cgroup import read_pid_cgroups

log = logging.getLogger(__name__)

MiB = 1024 * 1024
#: At most this much per call: memory.reclaim works synchronously, and a few GiB of swap-out could
#: keep the call busy for many seconds.
RECLAIM_CAP_BYTES = 1024 * MiB
#: Below this, a reclaim is not worth the call.
RECLAIM_MIN_BYTES = 1 * MiB


class FreeMemoryHelper(Protocol):
    """The part of :class:`memwarden.helper.client.HelperClient` used here."""

    async def free_memory(self, *, interactive: bool = False) -> Any: ...


def reclaim_background(
    cgroup2: Cgroup2Mount | None, uid: int, proc_root: Path = Path("/proc")
) -> dict[str, Any]:
    """Ask the kernel to reclaim memory from the user's ``background.slice``.

    Returns:
        ``{"step": "reclaim-background", "result": code, …}``; ``result`` is ``done``,
        ``partial`` (the kernel reclaimed less than asked: EAGAIN), ``nothing-to-reclaim``,
        ``no-cgroup-v2``, ``not-delegated`` (we do not run under our ``user@UID.service`` or may not
        write its files), ``no-background-slice``, ``no-memory-controller`` or ``failed``.
    """
    step: dict[str, Any] = {"step": codes.RECLAIM_BACKGROUND}
    if cgroup2 is None:
        return {**step, "result": codes.NO_CGROUP_V2}
    try:
        own = read_pid_cgroups(os.getpid(), proc_root).v2
    except CoreError:
        return {**step, "result": codes.FAILED}
    parts = (own or "").split("/")
    manager = f"user@{uid}.service"
    if manager not in parts:
        return {**step, "result": codes.NOT_DELEGATED}
    slice_cgroup = "/".join([*parts[: parts.index(manager) + 1], "background.slice"])
    directory = cgroup2.dir_of(slice_cgroup)
    if directory is None or not directory.is_dir():
        return {**step, "result": codes.NO_BACKGROUND_SLICE}
    if not (directory / "memory.reclaim").exists():
        return {**step, "result": codes.NO_MEMORY_CONTROLLER}
    try:
        current = read_memory_current_bytes(directory) or 0
    except CoreError:
        return {**step, "result": codes.NOT_DELEGATED}
    amount = min(current, RECLAIM_CAP_BYTES)
    step.update(cgroup=slice_cgroup, requested_bytes=amount)
    if amount < RECLAIM_MIN_BYTES:
        return {**step, "result": codes.NOTHING_TO_RECLAIM}
    try:
        (directory / "memory.reclaim").write_text(str(amount))
    except OSError as exc:
        if exc.errno == errno.EAGAIN:
            return {**step, "result": codes.PARTIAL}
        if exc.errno in (errno.EACCES, errno.EPERM):
            return {**step, "result": codes.NOT_DELEGATED}
        log.warning("memory.reclaim of %s: %s", slice_cgroup, exc)
        return {**step, "result": codes.FAILED}
    return {**step, "result": codes.DONE}


async def drop_caches(helper: FreeMemoryHelper | None) -> dict[str, Any]:
    """Ask the helper to drop caches and compact memory.

    Returns:
        ``{"step": "drop-caches", "result": code}``: ``done``, ``no-helper``, the helper's reason
        code (``access-denied``, ``not-activatable``, ``no-reply``, …) or ``failed``.
    """
    step: dict[str, Any] = {"step": codes.DROP_CACHES}
    if helper is None:
        return {**step, "result": codes.NO_HELPER}
    from memwarden.helper.errors import HelperError

    try:
        # Not interactive: the caller of FreeMemoryNow waits for the reply, and a password dialog
        # would outlast its D-Bus timeout.
        await helper.free_memory()
    except HelperError as exc:
        return {**step, "result": exc.reason}
    except Exception as exc:  # the helper is optional: nothing about it may break the monitor
        log.warning("helper free_memory: %s", exc)
        return {**step, "result": codes.FAILED}
    return {**step, "result": codes.DONE}


async def free_memory_now(
    *,
    helper: FreeMemoryHelper | None,
    cgroup2: Cgroup2Mount | None,
    uid: int,
    proc_root: Path = Path("/proc"),
) -> dict[str, Any]:
    """Run both steps and measure.

    Returns:
        ``steps`` (in the order run); ``available_before``/``_after``: memory left
        (core/memory_left.py), measured before the first step and after the last;
        ``freed_bytes``: their difference, never below 0; ``swapped_out_bytes``: how much more
        swap is in use after the steps (a reclaim moves memory there), never below 0.
    """
    reader = MemoryLeftReader(proc_root)
    try:
        before = reader.read()
        # memory.reclaim is synchronous and may take seconds: keep the loop (and the guard) free.
        steps = [await asyncio.to_thread(reclaim_background, cgroup2, uid, proc_root)]
        steps.append(await drop_caches(helper))
        after = reader.read()
    finally:
        reader.close()
    return {
        "steps": steps,
        "available_before": before.bytes,
        "available_after": after.bytes,
        "freed_bytes": max(0, after.bytes - before.bytes),
        "swapped_out_bytes": _swapped_out(before, after),
    }


def _swapped_out(before: MemoryLeft, after: MemoryLeft) -> int:
    return max(0, (before.meminfo.swap_free_kib - after.meminfo.swap_free_kib) * 1024)
