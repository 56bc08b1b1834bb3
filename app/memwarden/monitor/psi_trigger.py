# SPDX-License-Identifier: GPL-3.0-or-later
"""A PSI trigger that wakes the watcher as soon as memory stalls begin (docs/kernel-memory.md §6.2).

Unprivileged triggers need a window that is a multiple of 2 s (at most 10 s); the kernel then checks
every 2 s, so this is a wake-up on top of the adaptive polling, not a replacement. asyncio cannot
wait for POLLPRI, so a small daemon thread does the ``poll()`` and sets an event in the loop.
"""

from __future__ import annotations

import asyncio
import logging
import os
import select
import threading
from pathlib import Path

log = logging.getLogger(__name__)

#: 150 ms of "some" stall within a 2 s window: what a user starts to feel (lmkd uses 70 ms/1 s).
DEFAULT_TRIGGER = "some 150000 2000000"


def open_trigger(path: Path, spec: str = DEFAULT_TRIGGER) -> int | None:
    """Open ``path`` (a pressure file) with a trigger; None where the kernel does not allow it."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_NONBLOCK)
    except OSError as exc:
        log.info("PSI trigger unavailable (%s): polling only", exc)
        return None
    try:
        os.write(fd, spec.encode() + b"\0")
    except OSError as exc:
        os.close(fd)
        log.info("PSI trigger %r refused (%s): polling only", spec, exc)
        return None
    return fd


class PsiWaker:
    """Sets ``event`` in ``loop`` whenever the trigger fires, until :meth:`stop`."""

    def __init__(self, loop: asyncio.AbstractEventLoop, event: asyncio.Event, fd: int) -> None:
        self.loop, self.event, self.fd = loop, event, fd
        self.fired = 0
        self._stop_r, self._stop_w = os.pipe()
        self._thread = threading.Thread(target=self._run, name="psi-trigger", daemon=True)

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def _run(self) -> None:
        poller = select.poll()
        poller.register(self.fd, select.POLLPRI)
        poller.register(self._stop_r, select.POLLIN)
        while True:
            for fd, mask in poller.poll():
                if fd == self._stop_r:
                    return
                if mask & select.POLLERR:
                    log.warning("PSI trigger source went away")
                    return
                if mask & select.POLLPRI:
                    self.fired += 1
                    self.loop.call_soon_threadsafe(self.event.set)

    def stop(self) -> None:
        """Stop the thread and close the fds."""
        os.write(self._stop_w, b"x")
        self._thread.join(timeout=5)
        for fd in (self.fd, self._stop_r, self._stop_w):
            os.close(fd)
