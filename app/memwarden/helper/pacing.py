# SPDX-License-Identifier: GPL-3.0-or-later
"""When the helper may exit, and how often FreeMemory may run.

Both live in the one helper process of the machine: its bus name has one owner, so a limit kept
here is machine-wide, as long as the process does not exit and forget it. The idle timer
therefore waits for the rate limit's interval to pass before it lets the helper go.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from memwarden.core import reason_codes as codes
from memwarden.helper.errors import Busy, HelperError
from memwarden.helper.kernel import FreeMemoryResult

_LOG = logging.getLogger(__name__)

# The reason code of the one failure after which nothing was dropped (kernel.free_memory).
_NOTHING_DONE = codes.DROP_CACHES_DENIED


class IdleTimer:
    """Tells when no call has been in flight for ``timeout_s`` seconds.

    Calls that wait for an authentication dialog can take minutes; they count as busy, so the
    helper never exits under a caller.
    """

    def __init__(self, timeout_s: float) -> None:
        self._timeout_s = timeout_s
        self._busy = 0
        self._loop = asyncio.get_running_loop()
        self._last = self._loop.time()
        self._hold = self._last
        self._changed = asyncio.Event()

    def busy(self, started: bool) -> None:
        """Record that a call started (True) or ended (False)."""
        self._busy += 1 if started else -1
        self._last = self._loop.time()
        self._changed.set()

    def hold_until(self, when: float) -> None:
        """Do not count as idle before ``when`` (event loop time): state that must be kept."""
        self._hold = max(self._hold, when)
        self._changed.set()

    async def wait_idle(self) -> None:
        """Return once nothing has happened for the timeout, and nothing holds the helper."""
        while True:
            remaining: float | None = None
            if self._busy == 0:
                remaining = max(self._last + self._timeout_s, self._hold) - self._loop.time()
                if remaining <= 0:
                    return
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)


class FreeMemoryPacer:
    """Runs FreeMemory at most once per ``interval_s``; calls during a run share its result.

    A call within the interval after a drop gets ``Busy("rate-limited")``, whoever makes it. The
    interval starts when a run ends, unless the kernel refused the very first write (then nothing
    was dropped and there is nothing to pace).

    Args:
        interval_s: Seconds between the end of one run and the start of the next.
        hold: Called with the event loop time until which the helper must not exit
            (:meth:`IdleTimer.hold_until`), so the limit is not forgotten by an idle exit.
    """

    def __init__(self, interval_s: float, hold: Callable[[float], None] | None = None) -> None:
        self._interval_s = interval_s
        self._hold = hold
        self._running: asyncio.Future[FreeMemoryResult] | None = None
        self._next_allowed: float | None = None

    async def run(self, job: Callable[[], Awaitable[FreeMemoryResult]]) -> FreeMemoryResult:
        """Run ``job``, join the run in progress, or refuse.

        Raises:
            Busy: reason ``rate-limited``, within the interval after the last run.
            HelperError: what ``job`` raised (shared by every caller of that run).
        """
        if self._running is None:
            loop = asyncio.get_running_loop()
            if self._next_allowed is not None and loop.time() < self._next_allowed:
                raise Busy(codes.RATE_LIMITED)
            self._running = asyncio.ensure_future(self._run_once(job))
            # Retrieved here too, in case every caller went away before it ended.
            self._running.add_done_callback(lambda f: f.cancelled() or f.exception())
        # shield: one caller giving up (cancelled) must not cancel the run the others share.
        return await asyncio.shield(self._running)

    async def _run_once(self, job: Callable[[], Awaitable[FreeMemoryResult]]) -> FreeMemoryResult:
        dropped = True
        try:
            return await job()
        except HelperError as exc:
            dropped = exc.reason != _NOTHING_DONE
            raise
        finally:
            self._running = None
            if dropped:
                self._next_allowed = asyncio.get_running_loop().time() + self._interval_s
                if self._hold is not None:
                    self._hold(self._next_allowed)
