# SPDX-License-Identifier: GPL-3.0-or-later
"""When the engine ticks: how long it waits before its next sample, and the loop that waits.

The interval adapts to the distance from the close threshold: memory could fill at
``ASSUMED_FILL_BYTES_PER_S`` (earlyoom's assumption, docs/peers.md §2.2) or at the measured rate,
whichever is faster, and the next sample must come before the threshold could be reached — 20 ms at
the closest (within 120 MiB of it at 6 GiB/s; a sample is a read of /proc/meminfo and PSI, a few
hundred microseconds), 1 s when calm, 3 s when very calm. A PSI trigger cuts a wait short when
stalls begin. How much accounting a tick does is :mod:`~memwarden.monitor.scan_cadence`'s.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from memwarden.core.forecast import TrendTracker
from memwarden.core.watch_state import Assessment, Thresholds, WatchState

ASSUMED_FILL_BYTES_PER_S = 6 * 1024**3
MIN_INTERVAL_S = 0.02
CALM_INTERVAL_S = 1.0
#: nohang's longest interval; the PSI trigger wakes us earlier when stalls begin.
VERY_CALM_INTERVAL_S = 3.0


def next_interval(
    last: Assessment | None, thresholds: Thresholds, trend_tracker: TrendTracker
) -> float:
    """Seconds until the next sample (see the module doc).

    Args:
        last: The latest assessment (None: nothing sampled yet).
        thresholds: The thresholds in force.
        trend_tracker: The trend of available memory; read only while above the close threshold.
    """
    if last is None:
        return MIN_INTERVAL_S
    margin = last.available_bytes - thresholds.close_bytes
    if margin <= 0:
        return MIN_INTERVAL_S
    trend = trend_tracker.trend()
    rate = float(ASSUMED_FILL_BYTES_PER_S)
    if trend is not None and -trend.slope_bytes_per_s > rate:
        rate = -trend.slope_bytes_per_s
    interval = margin / rate
    if last.state is WatchState.CALM and last.available_bytes > 2 * thresholds.warn_bytes:
        return min(max(interval, MIN_INTERVAL_S), VERY_CALM_INTERVAL_S)
    return min(max(interval, MIN_INTERVAL_S), CALM_INTERVAL_S)


async def run_ticks(
    tick: Callable[[], Awaitable[float]], stop: asyncio.Event, wake: asyncio.Event | None = None
) -> None:
    """Call ``tick`` until ``stop`` is set, waiting the seconds it returns between calls.

    Each wait is one future and one timer: an idle tick must cost next to nothing (the budget is
    0.02 CPU-seconds a minute), so no tasks are made per tick.

    Args:
        tick: One tick; returns the seconds until the next.
        stop: Ends the loop, cutting the current wait short.
        wake: Cuts the current wait short (a PSI trigger fired), and is cleared.
    """
    loop = asyncio.get_running_loop()
    wake = wake or asyncio.Event()
    sleeping: asyncio.Future[None] | None = None

    def wake_now() -> None:
        if sleeping is not None and not sleeping.done():
            sleeping.set_result(None)

    watchers = [
        asyncio.ensure_future(_forward(stop, wake_now, clear=False)),
        asyncio.ensure_future(_forward(wake, wake_now, clear=True)),
    ]
    try:
        while not stop.is_set():
            interval = await tick()
            if stop.is_set():
                break
            sleeping = loop.create_future()
            timer = loop.call_later(interval, wake_now)
            await sleeping
            timer.cancel()
    finally:
        sleeping = None
        for watcher in watchers:
            watcher.cancel()


async def _forward(event: asyncio.Event, wake_now: Callable[[], None], *, clear: bool) -> None:
    """Turn an event into wake-ups, for the life of the loop (one task, not one per tick)."""
    while True:
        await event.wait()
        if clear:
            event.clear()
        wake_now()
        if not clear:
            return
