# SPDX-License-Identifier: GPL-3.0-or-later
"""When to warn, when to close gracefully, when to kill: thresholds and a state machine with
hysteresis, so that nothing flaps when memory hovers around a threshold.

The measure is ``MemAvailable + SwapFree`` (what earlyoom and nohang watch too, reference peers
§2.2/§2.3), compared with thresholds expressed as a share of ``MemTotal + SwapTotal`` or in
absolute bytes. PSI adds what the numbers miss: a machine can thrash with memory "available" in the
page cache, and ``full`` pressure sustained for seconds is the freeze users complain about.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from memwarden.core import reason_codes as codes
from memwarden.core.pressure import Pressure


class WatchState(Enum):
    """How close the machine is to the kill point."""

    CALM = "calm"
    WARNING = "warning"
    CRITICAL = "critical"


class Action(Enum):
    """What the watcher should do now."""

    NONE = "none"
    CLOSE = "close"  # graceful: SIGTERM, grace period, then SIGKILL
    KILL = "kill"  # at once: SIGKILL


@dataclass(frozen=True, slots=True)
class Thresholds:
    """All limits in bytes of ``MemAvailable + SwapFree`` (and PSI percentages).

    Attributes:
        warn_bytes: At or below: warn.
        close_bytes: At or below: close the chosen app gracefully.
        kill_bytes: At or below: kill it at once.
        hysteresis_bytes: How far above a threshold memory must come back to leave its state.
        horizon_s: Warn when the forecast reaches the kill point within this many seconds.
        psi_warn_some_avg10_pct: ``some`` avg10 at or above: warn.
        psi_close_full_avg10_pct: ``full`` avg10 at or above, for ``psi_sustain_s``: close.
        psi_sustain_s: How long ``full`` pressure must last.
    """

    warn_bytes: int
    close_bytes: int
    kill_bytes: int
    hysteresis_bytes: int
    horizon_s: float = 60.0
    psi_warn_some_avg10_pct: float = 25.0
    psi_close_full_avg10_pct: float = 60.0
    psi_sustain_s: float = 10.0

    def __post_init__(self) -> None:
        if not self.kill_bytes <= self.close_bytes <= self.warn_bytes:
            raise ValueError("thresholds must satisfy kill <= close <= warn")


@dataclass(frozen=True, slots=True)
class Assessment:
    """The watcher's reading of one sample.

    Attributes:
        state: The (hysteresis-filtered) state.
        action: What to do now.
        reasons: Reason codes behind the state, most severe first, e.g. ``below-kill-threshold``,
            ``below-close-threshold``, ``psi-full-sustained``, ``below-warn-threshold``,
            ``forecast-under-horizon``, ``psi-some-high``.
        available_bytes: Memory left (core/memory_left.py): what the thresholds compare with.
        eta_s: Forecast seconds until the kill threshold (None: not falling).
    """

    state: WatchState
    action: Action
    reasons: tuple[str, ...]
    available_bytes: int
    eta_s: float | None


class StateMachine:
    """Turns samples into states and actions, with hysteresis on the way down."""

    def __init__(self, thresholds: Thresholds) -> None:
        self.thresholds = thresholds
        self.state = WatchState.CALM
        self._full_since: float | None = None

    def assess(
        self, t: float, available_bytes: int, eta_s: float | None, pressure: Pressure | None
    ) -> Assessment:
        """Assess a sample taken at monotonic time ``t``."""
        th = self.thresholds
        reasons: list[str] = []
        action = Action.NONE

        full = pressure.full.avg10_pct if pressure is not None and pressure.full else 0.0
        some = pressure.some.avg10_pct if pressure is not None else 0.0
        if full >= th.psi_close_full_avg10_pct:
            self._full_since = t if self._full_since is None else self._full_since
        else:
            self._full_since = None
        full_sustained = self._full_since is not None and t - self._full_since >= th.psi_sustain_s

        if available_bytes <= th.kill_bytes:
            reasons.append(codes.BELOW_KILL_THRESHOLD)
            action = Action.KILL
        elif available_bytes <= th.close_bytes:
            reasons.append(codes.BELOW_CLOSE_THRESHOLD)
            action = Action.CLOSE
        if full_sustained:
            reasons.append(codes.PSI_FULL_SUSTAINED)
            if action is Action.NONE:
                action = Action.CLOSE
        if available_bytes <= th.warn_bytes:
            reasons.append(codes.BELOW_WARN_THRESHOLD)
        if eta_s is not None and eta_s <= th.horizon_s:
            reasons.append(codes.FORECAST_UNDER_HORIZON)
        if some >= th.psi_warn_some_avg10_pct:
            reasons.append(codes.PSI_SOME_HIGH)

        self.state = self._next_state(action, reasons, available_bytes, eta_s, full, some)
        return Assessment(self.state, action, tuple(reasons), available_bytes, eta_s)

    def _next_state(
        self,
        action: Action,
        reasons: list[str],
        available: int,
        eta_s: float | None,
        full: float,
        some: float,
    ) -> WatchState:
        th = self.thresholds
        if action is not Action.NONE:
            return WatchState.CRITICAL
        warn_now = bool(reasons)
        if self.state is WatchState.CRITICAL:
            # Stay critical until memory is clearly back above the close threshold.
            recovered = (
                available > th.close_bytes + th.hysteresis_bytes
                and full < th.psi_close_full_avg10_pct / 2
            )
            if not recovered:
                return WatchState.CRITICAL
            return WatchState.WARNING
        if warn_now:
            return WatchState.WARNING
        if self.state is WatchState.WARNING:
            recovered = (
                available > th.warn_bytes + th.hysteresis_bytes
                and (eta_s is None or eta_s > th.horizon_s * 1.5)
                and some < th.psi_warn_some_avg10_pct / 2
            )
            return WatchState.CALM if recovered else WatchState.WARNING
        return WatchState.CALM
