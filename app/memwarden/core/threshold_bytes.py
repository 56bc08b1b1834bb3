# SPDX-License-Identifier: GPL-3.0-or-later
"""The thresholds in bytes: a pure function of the settings (core/settings.py) and the machine's
sizes, so the UI previews them without reading /proc.

:func:`thresholds_dict` is the one shape they take outside the engine (the ``Thresholds``
property, the ``state`` event of ``--json-events``).
"""

from __future__ import annotations

from typing import Final

from memwarden.core.settings import MiB, Settings
from memwarden.core.watch_state import Thresholds

#: Memory left must come back this share of RAM + swap above a threshold to leave its state.
HYSTERESIS_PERCENT: Final = 2.0


def thresholds_for(settings: Settings, mem_total: int, swap_total: int) -> Thresholds:
    """The thresholds in bytes on a machine with ``mem_total`` bytes of RAM and ``swap_total``
    of swap.

    Percentages are of ``MemTotal + SwapTotal``. An absolute ``close_mib`` without ``kill_mib``
    kills at half of it (earlyoom's convention for ``-M``: docs/peers.md); ``warn`` defaults to
    ``close`` plus the gap between the warn and close percentages. Limits out of order are raised
    to the one below (kill <= close <= warn always holds in bytes).
    """
    total = mem_total + swap_total

    def pct(p: float) -> int:
        return int(total * p / 100)

    s = settings
    close = s.close_mib * MiB if s.close_mib is not None else pct(s.close_percent)
    if s.kill_mib is not None:
        kill = s.kill_mib * MiB
    elif s.close_mib is not None:
        kill = close // 2
    else:
        kill = pct(s.kill_percent)
    close = max(close, kill)
    if s.warn_mib is not None:
        warn = s.warn_mib * MiB
    else:
        warn = close + pct(max(0.0, s.warn_percent - s.close_percent))
    warn = max(warn, close)
    return Thresholds(
        warn_bytes=warn,
        close_bytes=close,
        kill_bytes=kill,
        hysteresis_bytes=pct(HYSTERESIS_PERCENT),
        horizon_s=s.horizon_seconds,
        psi_warn_some_avg10_pct=s.psi_some_warn_percent,
        psi_close_full_avg10_pct=s.psi_full_percent,
        psi_sustain_s=s.psi_full_seconds,
    )


def thresholds_dict(thresholds: Thresholds) -> dict[str, int]:
    """The thresholds as every client sees them: ``warn``, ``close``, ``kill`` and ``hysteresis``,
    in bytes (the ``Thresholds`` property and the ``state`` event of ``--json-events``)."""
    return {
        "warn": thresholds.warn_bytes,
        "close": thresholds.close_bytes,
        "kill": thresholds.kill_bytes,
        "hysteresis": thresholds.hysteresis_bytes,
    }
