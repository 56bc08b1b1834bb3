# SPDX-License-Identifier: GPL-3.0-or-later
"""A replica of the kernel's ``oom_badness()`` and ``/proc/PID/oom_score``.

Source: mm/oom_kill.c ``oom_badness`` and fs/proc/base.c ``proc_oom_score`` (unchanged since 5.9,
see docs/kernel-memory.md §1.1/§1.3). The replica must reproduce ``/proc/PID/oom_score`` exactly; a
test checks it against every process on the machine.
"""

from __future__ import annotations

from memwarden.core.pid_status import PidStatus

OOM_SCORE_ADJ_MIN = -1000
OOM_SCORE_ADJ_MAX = 1000


def oom_badness_pages(
    status: PidStatus, oom_score_adj: int, total_pages: int, page_size: int, *, global_init: bool
) -> int | None:
    """What ``oom_badness()`` returns, in pages; ``None`` where the kernel returns ``LONG_MIN``.

    Args:
        status: The process's ``/proc/PID/status``.
        oom_score_adj: Its ``/proc/PID/oom_score_adj``.
        total_pages: ``MemTotal + SwapTotal`` in pages (global OOM).
        page_size: The page size in bytes.
        global_init: True for the initial PID namespace's init. The pid number alone does not tell:
            ``/proc/1`` inside a PID namespace is an ordinary, killable process.

    Kernel threads and zombies have no mm (``find_lock_task_mm`` fails); ``oom_score_adj == -1000``
    opts out. ``MMF_OOM_SKIP`` and ``in_vfork`` are invisible from userspace.
    """
    if global_init or not status.has_mm or oom_score_adj == OOM_SCORE_ADJ_MIN:
        return None
    points_kib = status.rss_kib + status.swap_kib + status.page_tables_kib
    points = points_kib * 1024 // page_size
    # ``adj *= totalpages / 1000`` with C integer division, then added.
    return points + oom_score_adj * (total_pages // 1000)


def _c_div(a: int, b: int) -> int:
    """C's ``/`` on ``long``: truncates toward zero (Python's ``//`` floors)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def oom_score(badness_pages: int | None, total_pages: int) -> int:
    """``/proc/PID/oom_score``: ``(1000 + badness * 1000 / totalpages) * 2 / 3``; 0: ineligible."""
    if badness_pages is None:
        return 0
    points = _c_div((1000 + _c_div(badness_pages * 1000, total_pages)) * 2, 3)
    return max(points, 0)
