# SPDX-License-Identifier: GPL-3.0-or-later
"""GetSnapshot calls that arrive together share one scan and one JSON text.

A scan runs on the event loop that also runs the guard's ticks, and a busy desktop's scan costs
tens of milliseconds (``make bench``). Before this, every call scanned: 400 concurrent calls made
400 scans back to back, holding the ticks up all that time. Now a call that finds a scan pending
waits for it: the first caller schedules the scan behind the calls that arrived with it (dbus-fast
starts one task per call as it reads them), so a burst read at once is answered by one scan.

The replies still cost memory until the bus daemon takes them (one marshalled copy of the text
each), and the monitor's memory is locked and small on purpose. So at most as many callers wait
for one scan as their replies fit in :data:`REPLY_BUDGET_BYTES` (judged by the last text's size,
never fewer than :data:`MIN_WAITERS`); the others are answered at once with ``Failed("busy")``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from memwarden.core import reason_codes as codes
from memwarden.monitor.dbus_errors import Busy

log = logging.getLogger(__name__)

#: What the replies to one scan may take in all, in bytes of JSON.
REPLY_BUDGET_BYTES = 4 << 20
#: Callers that may always wait for one scan, however big the snapshot (the tray, a script, ...).
MIN_WAITERS = 16


class SharedSnapshot:
    """One scan for the callers that wait together.

    Args:
        make: Scans and returns the snapshot's JSON text (runs on the loop).
    """

    def __init__(self, make: Callable[[], str]) -> None:
        self._make = make
        self._pending: asyncio.Future[str] | None = None
        self._waiters = 0
        self._last_size = 0

    def max_waiters(self) -> int:
        """How many callers may wait for one scan now."""
        return max(MIN_WAITERS, REPLY_BUDGET_BYTES // max(1, self._last_size))

    async def get(self) -> str:
        """The snapshot's JSON text, from the pending scan or a new one.

        Raises:
            Busy: this scan already has as many waiters as its replies may take memory for.
        """
        if self._pending is None:
            loop = asyncio.get_running_loop()
            self._pending = loop.create_future()
            self._waiters = 0
            loop.call_soon(self._scan)  # after the call tasks already scheduled: they join
        elif self._waiters >= self.max_waiters():
            raise Busy(codes.BUSY)
        self._waiters += 1
        # shield: one caller's cancellation must not cancel the scan the others wait for.
        return await asyncio.shield(self._pending)

    def _scan(self) -> None:
        future, self._pending = self._pending, None
        assert future is not None
        try:
            text = self._make()
        except Exception as exc:  # every waiter gets it (map_errors turns it into Failed)
            future.set_exception(exc)
            return
        self._last_size = len(text)
        future.set_result(text)
        log.debug("GetSnapshot: one scan for %d calls", self._waiters)
