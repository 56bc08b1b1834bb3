# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark of the tray while the monitor is in the warning state (issue 13): its CPU share with
the window closed and with it open, and the monitor's beside it.

On the test desktop (Xvfb, trayer, dunst, a private session bus: the tests' ``tests/desktop``),
a ``--dry-run`` monitor whose warning level is just under RAM + swap, so the state is "warning"
for the whole run (a warning can last for hours), and the tray started as at login. After
``SETTLE_S`` (the warning's notification is up by then) the tray's and the monitor's CPU
(utime+stime) over ``WINDOW_S``: first with the window closed, then with it open (a second
``memwarden`` opens it, as a click on the icon does).

Goals: the tray at most 1 % of a core with its window closed, 5 % with it open. Prints the figures
measured in this run; asserts nothing (benchmarks are not tests).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from desktop import X_PROGRAMS, TestDesktop, missing_programs, wait_until  # noqa: E402
from hogs import highest_threshold_mib  # noqa: E402

SETTLE_S = 10.0
WINDOW_S = 30.0
MONITOR = "io.github.memwarden.Monitor1"
APP = "io.github.memwarden.MemWarden"
GOAL_CLOSED, GOAL_OPEN = 1.0, 5.0


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _share(pids: dict[str, int], seconds: float) -> dict[str, float]:
    """The CPU share of each process over ``seconds`` from now, in % of one core."""
    before = {name: _cpu_s(pid) for name, pid in pids.items()}
    t0 = time.monotonic()
    time.sleep(seconds)
    wall = time.monotonic() - t0
    return {name: 100 * (_cpu_s(pid) - before[name]) / wall for name, pid in pids.items()}


def run() -> None:
    """Bring the desktop up, measure, print."""
    print("== tray while the monitor warns (issue 13) ==")
    missing = missing_programs(("dbus-daemon", "dbus-send", *X_PROGRAMS))
    if missing:
        print(f"  skipped: {', '.join(missing)} missing (tests/debian-packages.txt)")
        return
    with tempfile.TemporaryDirectory(prefix="memwarden-bench-tray-states-") as tmp:
        directory = Path(tmp)
        desktop = TestDesktop(directory / "desktop")
        desktop.start()
        monitor_argv = [sys.executable, "-m", "memwarden", "monitor", "--no-config",
                        "--no-helper", "--dry-run", "--warn-below-mib",
                        str(highest_threshold_mib()), "--kill-below-mib", "1"]  # fmt: skip
        env = {
            "PYTHONPATH": str(REPO / "app"),
            "XDG_CONFIG_HOME": str(directory / "config"),
            "XDG_STATE_HOME": str(directory / "state"),
            "MEMWARDEN_MONITOR_COMMAND": shlex.join(monitor_argv),
        }
        monitor = subprocess.Popen(monitor_argv, env=desktop.env(**env),
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)  # fmt: skip
        tray = None
        try:
            wait_until(lambda: desktop.name_has_owner(MONITOR), 30, "the monitor")
            tray = subprocess.Popen([sys.executable, "-m", "memwarden"], env=desktop.env(**env),
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)  # fmt: skip
            wait_until(lambda: desktop.name_has_owner(APP), 30, "the tray")
            time.sleep(SETTLE_S)
            pids = {"tray": tray.pid, "monitor": monitor.pid}
            closed = _share(pids, WINDOW_S)
            subprocess.run([sys.executable, "-m", "memwarden"], env=desktop.env(**env),
                           capture_output=True, timeout=60, check=False)  # opens the window
            time.sleep(2.0)
            opened = _share(pids, WINDOW_S)
            print(f"  {len(os.listdir('/proc'))} entries in /proc; {WINDOW_S:.0f} s windows; "
                  f"load average {os.getloadavg()[0]:.1f}")
            print("  window    tray        monitor     goal (tray)")
            for name, shares, goal in (("closed", closed, GOAL_CLOSED),
                                       ("open", opened, GOAL_OPEN)):  # fmt: skip
                met = "met" if shares["tray"] <= goal else "NOT met"
                print(f"  {name:<8}  {shares['tray']:5.2f} %     {shares['monitor']:5.2f} %"
                      f"     <= {goal:.0f} % ({met})")
        finally:
            if tray is not None and tray.poll() is None:
                desktop.call(APP, "/io/github/memwarden/MemWarden", "org.freedesktop.Application",
                             "ActivateAction", "sava{sv}", ["quit", [], {}])  # fmt: skip
                tray.wait(timeout=20)
            monitor.terminate()
            monitor.wait(timeout=20)
            desktop.stop()


if __name__ == "__main__":
    run()
