# SPDX-License-Identifier: GPL-3.0-or-later
"""Work-arounds for the Qt binding, in one place.

``emit``: PySide6 6.12.0's ``SignalInstance.emit()`` returns ``True`` without taking a reference
to it, so every signal emitted from Python code takes one reference away from ``True``
(``sys.getrefcount(True)`` drops by one per call, whatever the signal and its slots; signals
emitted by Qt itself are not affected). Python 3.12 made ``True`` immortal; on Python 3.11 — the
one Debian 12 ships — a long-running tray would in the end free ``True`` and die with "Fatal
Python error: bool_dealloc". :func:`emit` gives the reference back when, and only when, a probe
(one private signal emitted a few times on first use) shows that this binding loses it.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance


class _Probe(QObject):
    fired = Signal()


_losing: bool | None = None


def _emit_loses_references() -> bool:
    """Whether ``emit()`` here takes a reference away from the bool it returns (measured once)."""
    global _losing
    if _losing is None:
        probe = _Probe()
        before = sys.getrefcount(True)
        for _ in range(4):
            probe.fired.emit()
        lost = before - sys.getrefcount(True)
        if lost > 0:
            for _ in range(lost):  # give back what the probe itself took
                ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
        _losing = lost >= 4
        probe.deleteLater()
    return _losing


def emit(signal: SignalInstance, *args: Any) -> None:
    """``signal.emit(*args)``, without the binding's reference leak on ``True`` (see above)."""
    # The stubs say emit() returns None; at run time it returns a bool (hence this module).
    result: object = signal.emit(*args)  # type: ignore[func-returns-value]
    if (result is True or result is False) and _emit_loses_references():
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))
