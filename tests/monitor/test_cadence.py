# SPDX-License-Identifier: GPL-3.0-or-later
"""How often the engine samples, and how often it scans: samples get dense near the kill point,
scans stay at most ten a second, and a new rule is never judged with an old choice."""

from __future__ import annotations

import asyncio

from hogs import MiB
from memwarden.core.forecast import TrendTracker
from memwarden.core.meminfo import read_meminfo
from memwarden.core.watch_state import Action, Assessment, Thresholds, WatchState
from memwarden.monitor.engine import CHOICE_MAX_AGE_S, Engine
from memwarden.monitor.tick_schedule import (
    ASSUMED_FILL_BYTES_PER_S,
    CALM_INTERVAL_S,
    MIN_INTERVAL_S,
    next_interval,
)

GiB = 1024 * MiB


def _warning(available: int) -> Assessment:
    return Assessment(WatchState.WARNING, Action.NONE, ("below-warn-threshold",), available, None)


def test_samples_come_before_memory_could_reach_the_close_threshold():
    th = Thresholds(
        warn_bytes=3 * GiB, close_bytes=2 * GiB, kill_bytes=1 * GiB, hysteresis_bytes=64 * MiB
    )
    trend = TrendTracker()
    assert next_interval(_warning(20 * GiB), th, trend) == CALM_INTERVAL_S
    # 300 MiB above close: at 6 GiB/s it could be there in ~49 ms.
    margin = 300 * MiB
    interval = next_interval(_warning(2 * GiB + margin), th, trend)
    assert interval == margin / ASSUMED_FILL_BYTES_PER_S
    assert MIN_INTERVAL_S < interval < 0.1
    assert next_interval(_warning(2 * GiB + 10 * MiB), th, trend) == MIN_INTERVAL_S
    assert next_interval(_warning(2 * GiB - 10 * MiB), th, trend) == MIN_INTERVAL_S


def test_not_calm_it_scans_at_most_every_choice_max_age_and_afresh_after_a_rule_change():
    now = [1000.0]
    available_mib = read_meminfo().mem_available_kib // 1024
    # Warn far above what is available (the state is "warning" at once), close and kill never.
    engine = Engine(
        None,
        overrides={"warn_mib": 4 * available_mib, "close_mib": 1, "kill_mib": 0},
        clock=lambda: now[0],
    )

    def tick_and_count_scans(at: float) -> int:
        now[0] = at
        before = engine.scanner._scans
        asyncio.run(engine.tick())
        assert engine.machine.state is WatchState.WARNING
        return engine.scanner._scans - before

    assert tick_and_count_scans(1000.0) == 1
    assert tick_and_count_scans(1000.0 + CHOICE_MAX_AGE_S / 2) == 0  # the sample alone
    assert tick_and_count_scans(1000.0 + CHOICE_MAX_AGE_S) == 1
    engine.set_rule("anything", "protect")
    assert tick_and_count_scans(1000.0 + CHOICE_MAX_AGE_S) == 1  # same instant, new rule
