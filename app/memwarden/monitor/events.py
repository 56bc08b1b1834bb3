# SPDX-License-Identifier: GPL-3.0-or-later
"""What the monitor tells its listeners: state changes, warnings, kill decisions and kill results.

Events carry reason codes and numbers, never prose: the UI owns the words. ``--json-events`` prints
one JSON object per line; the D-Bus service turns the same events into signals.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from memwarden.core.report import app_brief

#: The app as events describe it (the ``app`` field of warning/kill/killed events).
app_summary = app_brief


@dataclass(slots=True)
class Event:
    """One event. ``kind`` is ``state``, ``warning``, ``kill``, ``killed``, ``protection`` or
    ``config``; ``data`` holds its fields."""

    kind: str
    data: dict[str, Any] = field(default_factory=dict)
    wall_time: float = field(default_factory=time.time)

    def to_json(self) -> dict[str, Any]:
        """The JSON-lines form: ``{"event": kind, "time": …, **data}``."""
        return {"event": self.kind, "time": round(self.wall_time, 3), **self.data}


Listener = Callable[[Event], None]


class JsonLinesWriter:
    """A listener printing one JSON object per line (flushed: a reader sees it at once)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def __call__(self, event: Event) -> None:
        self.stream.write(json.dumps(event.to_json(), separators=(",", ":")) + "\n")
        self.stream.flush()
