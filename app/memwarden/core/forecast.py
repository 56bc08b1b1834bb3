# SPDX-License-Identifier: GPL-3.0-or-later
"""Forecast the kill point from the recent trend of available memory.

A least-squares line through the last few seconds of samples of ``MemAvailable + SwapFree`` gives
the rate at which memory is being eaten; the time left is the distance to the kill threshold divided
by that rate. A short window reacts to a leak within a second or two; the samples are spaced by the
adaptive interval, so the window is in seconds, not in samples.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Trend:
    """The fitted trend.

    Attributes:
        slope_bytes_per_s: Change of available memory per second (negative: memory is being eaten).
        samples: How many samples the fit used.
    """

    slope_bytes_per_s: float
    samples: int

    def seconds_until(self, available_bytes: int, threshold_bytes: int) -> float | None:
        """Time until ``available`` falls to ``threshold`` at this rate; None if it is not falling.

        Returns 0 when already at or below the threshold.
        """
        if available_bytes <= threshold_bytes:
            return 0.0
        if self.slope_bytes_per_s >= 0:
            return None
        return (available_bytes - threshold_bytes) / -self.slope_bytes_per_s


class TrendTracker:
    """Keeps the samples of the last ``window_s`` seconds and fits a line through them.

    Args:
        window_s: How far back the fit looks.
        min_samples: Fewer samples than this give no trend (one or two points are noise).
        max_samples: A bound on memory when the interval is short.
        min_span_s: Samples spanning less time than this give no trend (a burst is not a rate).
    """

    def __init__(
        self,
        window_s: float = 10.0,
        min_samples: int = 3,
        max_samples: int = 200,
        min_span_s: float = 0.0,
    ) -> None:
        self.window_s = window_s
        self.min_samples = min_samples
        self.min_span_s = min_span_s
        self._samples: deque[tuple[float, int]] = deque(maxlen=max_samples)
        # The fit of the samples as they are: a choice asks every process of a 1,000-process app
        # for its slope once a second, and a refresh gave new samples to a few dozen of them.
        self._fit: Trend | None = None
        self._fit_valid = False

    def add(self, t: float, available_bytes: int) -> None:
        """Record a sample taken at monotonic time ``t``."""
        self._samples.append((t, available_bytes))
        while self._samples and self._samples[0][0] < t - self.window_s:
            self._samples.popleft()
        self._fit_valid = False

    def reset(self) -> None:
        """Forget the history (after a kill the old trend says nothing about the new state)."""
        self._samples.clear()
        self._fit_valid = False

    def trend(self) -> Trend | None:
        """The least-squares slope, or None with too few samples or no time spread."""
        if not self._fit_valid:
            self._fit, self._fit_valid = self._least_squares(), True
        return self._fit

    def _least_squares(self) -> Trend | None:
        n = len(self._samples)
        if n < self.min_samples or self._samples[-1][0] - self._samples[0][0] < self.min_span_s:
            return None
        t0 = self._samples[0][0]
        xs = [t - t0 for t, _ in self._samples]
        ys = [float(v) for _, v in self._samples]
        mean_x = sum(xs) / n
        mean_y = sum(ys) / n
        var_x = sum((x - mean_x) ** 2 for x in xs)
        if var_x <= 1e-9:
            return None
        cov = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
        return Trend(cov / var_x, n)
