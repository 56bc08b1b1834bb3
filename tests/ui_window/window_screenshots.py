# SPDX-License-Identifier: GPL-3.0-or-later
"""Screenshots of the main window, rendered offscreen from a real snapshot of this machine.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/ui_window/window_screenshots.py OUT_DIR

For docs/screenshots, run it as root in a PID namespace of its own, so that the table holds the
scene's apps and not whatever else the machine runs at that moment (test hogs of other suites):

    QT_QPA_PLATFORM=offscreen unshare --pid --fork --mount-proc \
        .venv/bin/python tests/ui_window/window_screenshots.py docs/screenshots

writes ``window.png`` (English), ``window-de.png`` (German) and ``window-settings.png`` into
OUT_DIR (default: docs/screenshots). The scene (window_scene.py) runs real processes: an app
holding an unmapped memfd, a game and a small app, plus a file left in /dev/shm. The history is
sampled from the real /proc/meminfo and PSI while the scene's memory lands. The monitor's D-Bus
layer is the test double: the window is what is photographed; the bus is covered by the tray's
end-to-end run.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(HERE), str(ROOT / "app")]

from PySide6.QtCore import QCoreApplication, QLocale  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from memwarden.core.meminfo import read_meminfo  # noqa: E402
from memwarden.core.pressure import read_memory_pressure  # noqa: E402
from memwarden.ui.window.history import HistoryBuffer  # noqa: E402
from memwarden.ui.words import i18n  # noqa: E402

SIZE = (1280, 860)


def build_catalogs(folder: Path) -> Path:
    """Compile i18n/*.ts into ``folder`` with pyside6-lrelease (as ``make translations`` does)."""
    lrelease = Path(sys.executable).with_name("pyside6-lrelease")
    for ts in sorted((ROOT / "i18n").glob("memwarden_*.ts")):
        subprocess.run(
            [str(lrelease), "-silent", str(ts), "-qm", str(folder / (ts.stem + ".qm"))],
            check=True,
        )
    return folder


def sample(history: HistoryBuffer) -> None:
    """One real sample of this machine: MemAvailable + SwapFree and PSI memory avg10."""
    proc = Path("/proc")
    mem = read_meminfo(proc)
    psi = read_memory_pressure(proc)
    some = psi.some.avg10_pct if psi is not None else 0.0
    full = psi.full.avg10_pct if psi is not None and psi.full is not None else 0.0
    history.add((mem.mem_available_kib + mem.swap_free_kib) * 1024, some, full)


def take_screenshots(out_dir: Path, app: QApplication, watch_s: float = 20.0) -> list[Path]:
    """Render the window in English and German; returns the files written.

    ``watch_s``: how long the history samples the machine after the scene started.
    """
    from window_doubles import FakeMonitorClient
    from window_scene import monitor_properties, start_scene

    from memwarden.ui.window.main_window import MainWindow

    out_dir.mkdir(parents=True, exist_ok=True)
    history = HistoryBuffer(span_s=60, min_step_s=0.5)
    for _ in range(4):
        sample(history)
        time.sleep(0.5)
    before = time.monotonic()
    scene = start_scene()
    written: list[Path] = []
    try:
        while time.monotonic() - before < watch_s:
            sample(history)
            time.sleep(0.5)
        sample(history)
        doc: dict[str, Any] = scene.doc
        with tempfile.TemporaryDirectory() as tmp:
            catalogs = build_catalogs(Path(tmp))
            for language, name in (("en", "window.png"), ("de", "window-de.png")):
                i18n.remove_translators(app)
                locale = QLocale(language)
                QLocale.setDefault(locale)
                if language != "en":
                    assert i18n.install_translator(app, locale, catalogs), language
                client = FakeMonitorClient(doc, monitor_properties(doc, Path(tmp) / "config.toml"))
                window = MainWindow(client, history=history)
                written += render(window, out_dir / name, app)
                if language == "en":
                    window.tabs.setCurrentWidget(window.settings_page)
                    written += render(window, out_dir / "window-settings.png", app)
                window.hide()
                window.deleteLater()
                QCoreApplication.sendPostedEvents()
    finally:
        i18n.remove_translators(app)
        scene.stop()
    return written


def render(window: Any, path: Path, app: QApplication) -> list[Path]:
    """Show the window, let the snapshot arrive, select the memfd app and grab it."""
    window.resize(*SIZE)
    window.show()
    deadline = time.monotonic() + 10
    while window.controller.snapshot is None and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    if window.controller.snapshot is None:
        raise RuntimeError("the window got no snapshot")
    proxy = window.controller.proxy
    for row in range(proxy.rowCount()):
        if proxy.index(row, 0).data() == "Photo Indexer":
            window.table.selectRow(row)
    for _ in range(20):
        app.processEvents()
    if not window.grab().save(str(path)):
        raise RuntimeError(f"cannot write {path}")
    return [path]


def main(argv: list[str]) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync

    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app, already_running=True)
    asyncio.set_event_loop(loop)
    out = Path(argv[0]) if argv else ROOT / "docs" / "screenshots"
    for path in take_screenshots(out, app):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
