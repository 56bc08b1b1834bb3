# SPDX-License-Identifier: GPL-3.0-or-later
"""When the D-Bus properties are compared: on the engine's ticks while calm (no wake-up of their
own: the idle budget), and every second by a timer of their own otherwise, even while no tick
comes (a close waiting out its grace period)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from memwarden.core.watch_state import WatchState
from memwarden.monitor import dbus_properties
from memwarden.monitor.dbus_properties import PropertyPublisher
from memwarden.monitor.engine import Engine


@pytest.fixture
def counted(
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[PropertyPublisher, Engine, list[float], list[int]]:
    """A publisher on a real engine with a hand-moved clock, counting its comparisons."""
    now = [1000.0]
    engine = Engine(None, overrides={"close_mib": 1, "kill_mib": 0}, clock=lambda: now[0])
    publisher = PropertyPublisher(engine, lambda changed: None)
    compared = [0]
    original = publisher.publish

    def publish(**kwargs: Any) -> dict[str, Any]:
        compared[0] += 1
        return original(**kwargs)

    monkeypatch.setattr(publisher, "publish", publish)
    return publisher, engine, now, compared


def test_while_calm_the_ticks_carry_the_comparisons_at_most_every_five_seconds(counted) -> None:
    publisher, engine, now, compared = counted
    assert engine.machine.state is WatchState.CALM
    publisher.after_tick()
    assert compared == [1]
    for step in (1.0, 3.0, 4.9):  # ticks inside the 5 s: nothing to compare
        now[0] = 1000.0 + step
        publisher.after_tick()
    assert compared == [1]
    now[0] = 1005.0
    publisher.after_tick()
    assert compared == [2]


def test_while_calm_the_timer_never_wakes_and_once_not_calm_it_runs(counted, monkeypatch) -> None:
    publisher, engine, now, compared = counted
    monkeypatch.setattr(dbus_properties, "PROPERTY_POLL_S", 0.01)
    monkeypatch.setattr(dbus_properties, "CALM_PROPERTY_POLL_S", 0.01)  # were it a timer: 20 wakes

    async def scenario() -> tuple[int, int]:
        stop = asyncio.Event()
        task = asyncio.ensure_future(publisher.watch(stop))
        await asyncio.sleep(0.2)  # calm, no ticks: 20 of its periods
        while_calm = compared[0]
        # A tick ends in "warning", then no tick for a while (as during a grace period).
        engine.machine.state = WatchState.WARNING
        publisher.after_tick()
        after_tick = compared[0]
        for _ in range(5):
            now[0] += 1.0  # the clock moves on; the timer compares each second
            await asyncio.sleep(0.05)
        stop.set()
        task.cancel()
        return while_calm, compared[0] - after_tick

    while_calm, later = asyncio.run(scenario())
    assert while_calm == 0
    assert later >= 3
