# SPDX-License-Identifier: GPL-3.0-or-later
"""asyncio inside Qt's event loop: qasync's loop, with asyncio's *running loop* kept set for as
long as Qt may deliver events.

qasync marks its loop as running only inside ``run_forever()``. But Qt delivers events outside
it too: qasync's own ``run_until_complete()`` processes the pending events once more after the
loop stopped, and so do pytest-qt (around every test) and any ``processEvents()`` call. A task
stepped there finds no running loop: ``asyncio.wait_for``, ``asyncio.sleep`` and friends raise
``RuntimeError("no running event loop")``, and the coroutine just handed to ``wait_for`` (a D-Bus
call) is left "never awaited". For this loop, asyncio's running loop is this loop from its
creation to its ``close()``, as it is for a Qt application whose event loop is always running.
"""

from __future__ import annotations

import asyncio
from typing import Any

import qasync


class QtAsyncLoop(qasync.QEventLoop):  # type: ignore[misc]  # qasync has no type hints
    """A qasync loop that is asyncio's running loop from creation to ``close()``."""

    def __init__(self, app: Any = None) -> None:
        super().__init__(app)
        asyncio.events._set_running_loop(self)

    def run_forever(self) -> Any:
        try:
            return super().run_forever()
        finally:  # qasync cleared it; Qt events after this must still find their loop
            if not self.is_closed():
                asyncio.events._set_running_loop(self)

    def close(self) -> None:
        if asyncio.events._get_running_loop() is self:
            asyncio.events._set_running_loop(None)
        super().close()
