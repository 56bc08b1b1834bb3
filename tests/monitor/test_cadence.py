# SPDX-License-Identifier: GPL-3.0-or-later
"""How often the engine samples, and how much accounting it does: samples get dense near the kill
point, a long warning scans every process rarely and only the candidates in between, and a new
rule is never judged with an old choice."""

from __future__ import annotations

import asyncio
import subprocess
from typing import Any

import pytest

from hogs import MiB, highest_threshold_mib
from memwarden.core.forecast import TrendTracker
from memwarden.core.watch_state import Action, Assessment, Thresholds, WatchState
from memwarden.monitor.engine import Engine
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


def warning_engine(now: list[float]) -> Engine:
    """An engine on this machine's /proc in the warning state: the warning level is above what is
    available, the close and kill levels never reached."""
    return Engine(
        None,
        overrides={"warn_mib": highest_threshold_mib(), "close_mib": 1, "kill_mib": 0},
        clock=lambda: now[0],
    )


def test_a_long_warning_scans_every_process_rarely_and_refreshes_only_the_candidates(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """A simulated minute of warning, ticking at the engine's own pace: a scan of every process
    at the start and every 15 s, and between them a refresh that re-reads only the candidates.
    (It scanned ten times a second, a third of a core on a busy desktop.)"""
    # Forty small apps of their own, as a desktop has many: most are never candidates.
    apps = [subprocess.Popen(["sleep", "120"], start_new_session=True) for _ in range(40)]
    request.addfinalizer(lambda: [(p.kill(), p.wait()) for p in apps])
    now = [1000.0]
    engine = warning_engine(now)
    status_reads = {"scan": 0, "refresh": 0}

    def counting(where: str, real: Any) -> Any:
        def read(pid: int, proc_root: Any = None) -> Any:
            status_reads[where] += 1
            return real(pid, proc_root)

        return read

    import memwarden.core.partial_refresh as partial_refresh
    import memwarden.core.scanner as scanner

    monkeypatch.setattr(scanner, "read_pid_status", counting("scan", scanner.read_pid_status))
    monkeypatch.setattr(partial_refresh, "read_pid_status",
                        counting("refresh", partial_refresh.read_pid_status))  # fmt: skip
    ticks = 0
    while now[0] < 1060.0:
        interval = asyncio.run(engine.tick())
        assert engine.machine.state is WatchState.WARNING
        now[0] += interval
        ticks += 1
    scans, refreshes = engine.look.cadence.scans, engine.look.cadence.refreshes
    assert ticks >= 60  # it sampled every second at least
    assert 5 <= scans <= 7, (scans, refreshes)  # 2 at the start, then one every 15 s
    assert 50 <= refreshes <= 60, (scans, refreshes)
    scan = engine.look.last_scan
    assert scan is not None
    processes = len(scan.processes)
    look = engine.look
    candidates, _keys = look.candidates.pick(look.last_choice, look.growth, scan)
    # A refresh reads the candidates' processes, not the machine's.
    assert len(candidates) < processes - 40
    assert status_reads["refresh"] <= refreshes * (len(candidates) + 5)
    assert status_reads["scan"] <= (scans + 1) * (processes + 20)


def test_a_rule_change_is_never_judged_with_the_old_choice() -> None:
    now = [1000.0]
    engine = warning_engine(now)
    asyncio.run(engine.tick())
    first = engine.look.last_choice
    assert first is not None and first.victim is not None
    scans = engine.look.cadence.scans
    engine.set_rule(first.victim.app.id, "protect")
    asyncio.run(engine.tick())  # the same instant: no new look is due, but a new choice is
    assert engine.look.cadence.scans == scans
    assert engine.look.last_choice is not first
    assert engine.look.last_choice.excluded.get(first.victim.app.id) == "protected"  # type: ignore[union-attr]


def test_a_dear_scan_comes_less_often_so_that_scans_stay_a_small_share_of_a_core() -> None:
    """A scan that costs 0.45 s of CPU (a full scan of the bench's 1,000-process desktop costs
    about 1 s; a slower machine pays as much for an incremental one): every 15 s, 3 % of a core
    for as long as a warning lasts. Periodic scans take at most MAX_SCAN_SHARE."""
    from memwarden.monitor.scan_cadence import MAX_SCAN_SHARE, SCAN_EVERY_S, ScanCadence

    warning = _warning(3 * GiB)
    scan = object()  # a scan was made (its content does not matter to the cadence)

    def periodic_scan_after(cpu_s: float) -> float:
        cadence = ScanCadence()
        for t in (0.0, 1.0):  # the two scans that start a spell
            assert cadence.plan(t, warning, None if t == 0.0 else scan) == "scan"  # type: ignore[arg-type]
            cadence.scanned(t, warning.available_bytes, cpu_s)
        t = 1.0
        while cadence.plan(t, warning, scan) != "scan":  # type: ignore[arg-type]
            if cadence.plan(t, warning, scan) == "refresh":  # type: ignore[arg-type]
                cadence.refreshed(t, warning.available_bytes, 0)
            t += 0.5
        return t - 1.0

    assert periodic_scan_after(0.05) == SCAN_EVERY_S["warning"]  # a cheap scan: as before
    dear = periodic_scan_after(0.45)
    assert abs(dear - 0.45 / MAX_SCAN_SHARE["warning"]) <= 0.5  # the ticks are 0.5 s apart here
    assert 0.45 / dear <= MAX_SCAN_SHARE["warning"]
