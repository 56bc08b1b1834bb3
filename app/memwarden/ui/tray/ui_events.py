# SPDX-License-Identifier: GPL-3.0-or-later
"""A record of what the tray showed the person, one JSON object per line, when
``MEMWARDEN_UI_EVENTS`` names a file: the icon's state, every notification and its actions, the
prompt's rows, the results of actions.

The monitor has ``--json-events`` for the same reason: the end-to-end tests read it to know what
the person saw (beyond pixels), and a bug report can include it. Off (and free) by default.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

ENV = "MEMWARDEN_UI_EVENTS"


def record(kind: str, **data: Any) -> None:
    """Append one event (``{"event": kind, "time": …, **data}``) if recording is on."""
    path = os.environ.get(ENV)
    if not path:
        return
    line = json.dumps({"event": kind, "time": round(time.time(), 3), **data}, default=str)
    try:
        with open(path, "a", encoding="utf-8") as out:
            out.write(line + "\n")
    except OSError:
        pass  # a diagnostic must never break the tray
