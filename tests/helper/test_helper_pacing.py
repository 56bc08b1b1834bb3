# SPDX-License-Identifier: GPL-3.0-or-later
"""FreeMemoryPacer and IdleTimer: FreeMemory's machine-wide rate limit, and the idle exit that
must not forget it. The real calls on the system bus are in test_helper_hardening.py."""

from __future__ import annotations

import asyncio

import pytest
from helper_testlib import run_async

from memwarden.helper.errors import Busy, MissingCapability
from memwarden.helper.kernel import FreeMemoryResult
from memwarden.helper.pacing import FreeMemoryPacer, IdleTimer

RESULT = FreeMemoryResult(100, 200)


class Job:
    """A FreeMemory stand-in that runs until released, and counts its runs."""

    def __init__(self, error: Exception | None = None) -> None:
        self.runs = 0
        self.release = asyncio.Event()
        self.error = error

    async def __call__(self) -> FreeMemoryResult:
        self.runs += 1
        await self.release.wait()
        if self.error is not None:
            raise self.error
        return RESULT


def test_calls_during_a_run_share_it_and_later_ones_are_rate_limited() -> None:
    async def scenario() -> None:
        holds: list[float] = []
        pacer = FreeMemoryPacer(3600, holds.append)
        job = Job()
        first = asyncio.ensure_future(pacer.run(job))
        second = asyncio.ensure_future(pacer.run(job))
        await asyncio.sleep(0)
        job.release.set()
        assert await first == await second == RESULT
        assert job.runs == 1
        with pytest.raises(Busy) as busy:
            await pacer.run(job)
        assert busy.value.reason == "rate-limited"
        assert job.runs == 1
        # The helper is told to stay until the interval is over.
        assert holds and holds[0] >= asyncio.get_running_loop().time() + 3000

    run_async(scenario())


def test_a_caller_giving_up_does_not_cancel_the_shared_run() -> None:
    async def scenario() -> None:
        pacer = FreeMemoryPacer(3600)
        job = Job()
        gone = asyncio.ensure_future(pacer.run(job))
        stays = asyncio.ensure_future(pacer.run(job))
        await asyncio.sleep(0)
        gone.cancel()
        job.release.set()
        assert await stays == RESULT
        assert job.runs == 1

    run_async(scenario())


def test_nothing_dropped_means_nothing_to_pace() -> None:
    async def scenario() -> None:
        pacer = FreeMemoryPacer(3600)
        refused = Job(MissingCapability("drop-caches-denied"))
        refused.release.set()
        for _ in range(2):
            with pytest.raises(MissingCapability):
                await pacer.run(refused)
        assert refused.runs == 2
        # Caches dropped, compaction refused: the drop happened, so the interval starts.
        half = Job(MissingCapability("compact-memory-denied"))
        half.release.set()
        with pytest.raises(MissingCapability):
            await pacer.run(half)
        with pytest.raises(Busy):
            await pacer.run(half)

    run_async(scenario())


def test_the_idle_timer_waits_for_a_hold() -> None:
    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        idle = IdleTimer(0.01)
        idle.hold_until(loop.time() + 3600)
        waiting = asyncio.ensure_future(idle.wait_idle())
        await asyncio.sleep(0.2)  # twenty idle timeouts: without the hold it would be done
        assert not waiting.done()
        waiting.cancel()
        unheld = IdleTimer(0.01)
        await asyncio.wait_for(unheld.wait_idle(), 30)

    run_async(scenario())
