# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark of the tray (issue 5): start → icon shown in the tray, and memory after 30 s.

On the test desktop (Xvfb, the XEmbed tray host ``trayer``, a private session bus: the tests'
``tests/desktop``), with a monitor already running (``--dry-run``), as at login:

* start — from ``exec`` of ``python -m memwarden`` until its icon is embedded and mapped in
  trayer's panel (polled with ``xdotool``/``xwininfo`` every 10 ms; the last run also checks the
  icon's pixels in a screenshot). Median, min and max of ``ROUNDS`` runs.
* floor — the same for the smallest PySide6 program that shows a tray icon (QApplication +
  QSystemTrayIcon with a pixmap, nothing else): what any Qt tray costs here. Interleaved with ours.
* memory — VmRSS and Pss (``smaps_rollup``: shared libraries split among their users) of both
  after ``SETTLE_S`` seconds of running side by side.

Goals (issue 5): start ≤ 1.0 s, RSS after 30 s ≤ 90 MiB. Prints figures and ratios measured in
this run; asserts nothing (benchmarks are not tests).
"""

from __future__ import annotations

import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from desktop import X_PROGRAMS, TestDesktop, missing_programs, wait_until  # noqa: E402

ROUNDS = 5
SETTLE_S = 30.0
MONITOR = "io.github.memwarden.Monitor1"
APP = "io.github.memwarden.MemWarden"

FLOOR = """
import sys
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QSystemTrayIcon
app = QApplication(sys.argv)
app.setApplicationName("memwarden")   # the same WM_CLASS, so the same probe finds it
pixmap = QPixmap(22, 22)
pixmap.fill(QColor("#2f9e44"))
icon = QSystemTrayIcon(QIcon(pixmap))
icon.show()
sys.exit(app.exec())
"""


def _icon_shown(desktop: TestDesktop) -> bool:
    return bool(desktop.tray_icons())


def _start(desktop: TestDesktop, argv: list[str], env: dict[str, str]) -> tuple[
    subprocess.Popen[bytes], float
]:  # fmt: skip
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, env=desktop.env(**env), stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = t0 + 30
    while not _icon_shown(desktop):
        if proc.poll() is not None or time.perf_counter() > deadline:
            raise RuntimeError(f"{argv[-1]!r}: no icon (exit status {proc.poll()})")
        time.sleep(0.01)
    return proc, time.perf_counter() - t0


def _stop(desktop: TestDesktop, proc: subprocess.Popen[bytes], ours: bool) -> None:
    if ours:
        desktop.call(APP, "/io/github/memwarden/MemWarden", "org.freedesktop.Application",
                     "ActivateAction", "sava{sv}", ["quit", [], {}])
    else:
        proc.terminate()
    proc.wait(timeout=20)
    wait_until(lambda: not _icon_shown(desktop), 10, "the icon gone")


def _memory_kib(pid: int) -> tuple[int, int]:
    """VmRSS and Pss in KiB."""
    rss = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text()
               .splitlines() if line.startswith("VmRSS:"))  # fmt: skip
    pss = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/smaps_rollup").read_text()
               .splitlines() if line.startswith("Pss:"))  # fmt: skip
    return rss, pss


def _painted(shot: Path, icons: list[tuple[int, int, int, int]]) -> str:
    """How much of each tray icon's area is the calm green, from a screenshot."""
    from PySide6.QtGui import QColor, QImage

    image, green = QImage(str(shot)), QColor("#2f9e44")
    shares = []
    for x, y, w, h in icons:
        hits = sum(1 for px in range(x, x + w) for py in range(y, y + h)
                   if all(abs(a - b) <= 40 for a, b in
                          zip(image.pixelColor(px, py).getRgb()[:3], green.getRgb()[:3],
                              strict=True)))
        shares.append(f"{hits / (w * h):.0%}")
    return ", ".join(shares) or "none"


def _stats(values: list[float]) -> str:
    return (f"median {statistics.median(values):.3f} s  (min {min(values):.3f}, "
            f"max {max(values):.3f}, {len(values)} runs)")  # fmt: skip


def run() -> None:
    """Bring the desktop up, measure, print."""
    print("== tray (issue 5) ==")
    missing = missing_programs(("dbus-daemon", "dbus-send", *X_PROGRAMS))
    if missing:
        print(f"  skipped: {', '.join(missing)} missing (tests/debian-packages.txt)")
        return
    with tempfile.TemporaryDirectory(prefix="memwarden-bench-tray-") as tmp:
        directory = Path(tmp)
        desktop = TestDesktop(directory / "desktop")
        desktop.start()
        env = {
            "PYTHONPATH": str(REPO / "app"),
            "XDG_CONFIG_HOME": str(directory / "config"),
            "XDG_STATE_HOME": str(directory / "state"),
            "MEMWARDEN_MONITOR_COMMAND": shlex.join([sys.executable, "-m", "memwarden", "monitor",
                                                     "--no-config", "--no-helper", "--dry-run"]),
        }  # fmt: skip
        monitor = subprocess.Popen(
            shlex.split(env["MEMWARDEN_MONITOR_COMMAND"]), env=desktop.env(**env),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_until(lambda: desktop.name_has_owner(MONITOR), 30, "the monitor")
            ours_argv = [sys.executable, "-m", "memwarden"]
            floor_argv = [sys.executable, "-c", FLOOR]
            # Warm-up: the page cache holds Qt's libraries after the first start of each.
            for argv, is_ours in ((ours_argv, True), (floor_argv, False)):
                proc, _ = _start(desktop, argv, env)
                _stop(desktop, proc, is_ours)
            times: dict[str, list[float]] = {"ours": [], "floor": []}
            for _ in range(ROUNDS):
                for name, argv in (("ours", ours_argv), ("floor", floor_argv)):
                    proc, elapsed = _start(desktop, argv, env)
                    times[name].append(elapsed)
                    _stop(desktop, proc, name == "ours")
            print(f"  start -> icon in the tray, ours : {_stats(times['ours'])}")
            print(f"  start -> icon in the tray, floor: {_stats(times['floor'])}")
            ours_med = statistics.median(times["ours"])
            print(f"  ours / floor = {ours_med / statistics.median(times['floor']):.2f}x   "
                  f"(goal: ours <= 1.0 s: {'met' if ours_med <= 1.0 else 'NOT met'})")
            # Memory: both side by side for SETTLE_S seconds.
            ours, _ = _start(desktop, ours_argv, env)
            time.sleep(1.0)  # the floor's icon must not be mistaken for ours
            floor = subprocess.Popen(floor_argv, env=desktop.env(**env),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(SETTLE_S)
            shot = Path(os.environ.get("MEMWARDEN_BENCH_SHOT", directory / "tray.png"))
            desktop.screenshot(shot)
            print(f"  icons painted (green calm shield / green square) in the tray: "
                  f"{_painted(shot, desktop.tray_icons())}")
            ours_rss, ours_pss = _memory_kib(ours.pid)
            floor_rss, floor_pss = _memory_kib(floor.pid)
            print(f"  after {SETTLE_S:.0f} s: ours RSS {ours_rss / 1024:.1f} MiB, "
                  f"Pss {ours_pss / 1024:.1f} MiB; floor RSS {floor_rss / 1024:.1f} MiB, "
                  f"Pss {floor_pss / 1024:.1f} MiB")
            print(f"  ours / floor RSS = {ours_rss / floor_rss:.2f}x   (goal: ours <= 90 MiB: "
                  f"{'met' if ours_rss <= 90 * 1024 else 'NOT met'})")
            floor.terminate()
            floor.wait(timeout=20)
            _stop(desktop, ours, True)
        finally:
            monitor.terminate()
            monitor.wait(timeout=20)
            desktop.stop()


if __name__ == "__main__":
    run()
