# SPDX-License-Identifier: GPL-3.0-or-later
"""A short history of available memory and pressure, for the window's chart.

The monitor announces ``AvailableBytes`` only when it moved by 1 % of RAM + swap and PSI when it
moved by a point (dbus_properties.py), so the window samples its cached values on a timer and adds
the snapshot's exact figures when it has them. Pure Python; the clock is a parameter.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Sample:
    """One point of the history.

    Attributes:
        t: Monotonic seconds.
        available_bytes: ``MemAvailable + SwapFree`` as the monitor measures it.
        some_pct: PSI memory ``some`` avg10, percent.
        full_pct: PSI memory ``full`` avg10, percent.
    """

    t: float
    available_bytes: int
    some_pct: float
    full_pct: float


class HistoryBuffer:
    """The last ``span_s`` seconds of samples, at most one per ``min_step_s``.

    Args:
        span_s: How much history to keep.
        min_step_s: A sample closer than this to the previous one replaces it, so a burst of
            property changes does not crowd out the past.
        clock: Monotonic seconds.
    """

    def __init__(
        self,
        span_s: float = 600.0,
        min_step_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.span_s = span_s
        self.min_step_s = min_step_s
        self.clock = clock
        self._samples: deque[Sample] = deque()
        # RAM + swap in bytes, the chart's full scale (0 until known).
        self.capacity_bytes = 0

    def add(self, available_bytes: int, some_pct: float, full_pct: float) -> Sample:
        """Record the values now; returns the sample."""
        now = self.clock()
        sample = Sample(now, max(0, int(available_bytes)), float(some_pct), float(full_pct))
        if self._samples and now - self._samples[-1].t < self.min_step_s:
            self._samples[-1] = sample
        else:
            self._samples.append(sample)
        while self._samples and now - self._samples[0].t > self.span_s:
            self._samples.popleft()
        return sample

    def samples(self) -> list[Sample]:
        """Every sample, oldest first."""
        return list(self._samples)

    def latest(self) -> Sample | None:
        """The newest sample."""
        return self._samples[-1] if self._samples else None

    def __len__(self) -> int:
        return len(self._samples)

    def lowest_available(self) -> int | None:
        """The least memory available within the span."""
        return min((s.available_bytes for s in self._samples), default=None)

    def peak_pressure(self) -> float:
        """The highest ``some`` pressure within the span."""
        return max((s.some_pct for s in self._samples), default=0.0)
