# SPDX-License-Identifier: GPL-3.0-or-later
"""Coroutines started from Qt slots (monitor calls, mostly), kept alive and their errors logged.

A slot cannot await: it starts a task and returns. :func:`run_logged` holds on to that task and
sends what it raises where a person or the log sees it, never to the event loop's default handler.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from memwarden.ui.link.monitor_calls import MonitorError

log = logging.getLogger(__name__)

#: Tasks started by run_logged, kept until done: the loop holds only weak references to tasks
#: (asyncio.create_task's documentation), and a slot drops the one it started.
_RUNNING: set[asyncio.Task[Any]] = set()


def run_logged(
    coro: Any, on_error: Callable[[MonitorError], None] | None = None
) -> asyncio.Task[Any]:
    """Run a coroutine from a Qt slot: a MonitorError goes to ``on_error`` (or the log), anything
    else to the log, never into the event loop's default handler."""

    async def wrapper() -> Any:
        try:
            return await coro
        except MonitorError as exc:
            if on_error is not None:
                on_error(exc)
            else:
                log.warning("monitor call failed: %s", exc)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("UI task failed")
        return None

    task = asyncio.ensure_future(wrapper())
    _RUNNING.add(task)
    task.add_done_callback(_RUNNING.discard)
    return task
