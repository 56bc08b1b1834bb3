# SPDX-License-Identifier: GPL-3.0-or-later
"""The monitor's user unit brings it back whatever its exit status.

systemd.service(5): ``Restart=on-failure`` does not restart a service that exited 0, which the
monitor did when a flood of D-Bus calls cost it the bus: guarding stopped for the session. No user
manager runs here to start the unit for real, so this reads the unit as systemd would (the last
assignment of a key wins) and checks nothing in it keeps a restart from happening;
tests/packaging checks the installed unit with ``systemd-analyze verify``.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
USER_UNIT = REPO / "packaging" / "systemd" / "user" / "memwarden-monitor.service"


def unit_value(key: str) -> str | None:
    """The value of ``key`` in the unit ([Unit] and [Service] keys do not overlap here)."""
    value = None
    for line in USER_UNIT.read_text().splitlines():
        name, sep, rest = line.partition("=")
        if sep and not line.lstrip().startswith(("#", ";")) and name.strip() == key:
            value = rest.strip()
    return value


def test_the_unit_restarts_the_monitor_whatever_its_exit_status() -> None:
    assert unit_value("Restart") == "always"
    # Nothing exempts an exit status, or the exit 0 of a guard that lost its bus, from restarting.
    assert unit_value("RestartPreventExitStatus") in (None, "")
    assert unit_value("SuccessExitStatus") in (None, "")
    # A monitor that fails at once is stopped, not looped: the start limit can trip, because
    # its burst of starts, RestartSec apart, fits in its interval (systemd's default, 5 in 10 s,
    # does not with RestartSec=2s once the monitor's own start-up time is added).
    seconds = int((unit_value("RestartSec") or "0").removesuffix("s"))
    interval = int((unit_value("StartLimitIntervalSec") or "0").removesuffix("s"))
    burst = int(unit_value("StartLimitBurst") or 0)
    assert burst >= 1 and interval > burst * seconds
