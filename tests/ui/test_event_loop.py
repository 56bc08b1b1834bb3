# SPDX-License-Identifier: GPL-3.0-or-later
"""The tray's asyncio loop inside Qt: a task stepped while Qt handles events outside
``run_forever()`` (qasync's last pass after ``run_until_complete``, pytest-qt between tests, any
``processEvents()``) still finds its loop — with qasync's plain loop its D-Bus call was left
"never awaited" and the task died of "no running event loop" (seen in CI)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from memwarden.ui.link.event_loop import QtAsyncLoop


@pytest.fixture
def loop(qapp: Any) -> Any:
    loop = QtAsyncLoop(qapp)
    asyncio.set_event_loop(loop)
    yield loop
    asyncio.set_event_loop(None)
    loop.close()


async def call_with_timeout() -> str:
    async def bus_call() -> str:
        await asyncio.sleep(0)
        return "reply"

    return await asyncio.wait_for(bus_call(), 5)


def step_outside_the_loop(qapp: Any, task: asyncio.Future[str]) -> None:
    deadline = time.monotonic() + 30
    while not task.done() and time.monotonic() < deadline:
        qapp.processEvents()


def test_a_task_stepped_by_qt_outside_run_forever_has_its_loop(qapp, loop):
    task = asyncio.ensure_future(call_with_timeout())  # before the loop ever ran
    step_outside_the_loop(qapp, task)
    assert task.result() == "reply"

    assert loop.run_until_complete(call_with_timeout()) == "reply"
    task = asyncio.ensure_future(call_with_timeout())  # after it ran and stopped
    step_outside_the_loop(qapp, task)
    assert task.result() == "reply"


def test_close_gives_the_thread_back(qapp):
    loop = QtAsyncLoop(qapp)
    assert asyncio.get_running_loop() is loop
    loop.close()
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()
    assert asyncio.run(call_with_timeout()) == "reply"  # another loop may run in this thread now
