# SPDX-License-Identifier: GPL-3.0-or-later
"""The window and the tray show each app's rule as the real monitor decides it.

A real monitor (``--dry-run``: it never signals) runs on a private session bus with
``--protect`` naming the program of a *child* process of an app: neither the app's id, its name
nor the name its rules are saved under. The real client reads its snapshot; the window's model,
its details pane, the tray's menu and the prompt all show the app as protected, and say which
rule protects it. A UI that matched names itself showed it as "normal".
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QLocale, Qt
from tray_testlib import MonitorProcess, attach_log, dry_monitor_argv, run_until

from memwarden.ui.link.app_rules import rule_changes, rule_name
from memwarden.ui.link.monitor_client import MonitorClient
from memwarden.ui.tray import menu_presenter
from memwarden.ui.tray.prompt_presenter import build_prompt
from memwarden.ui.window import app_presenter
from memwarden.ui.window.apps_model import Column
from memwarden.ui.window.controller import WindowController

# The app: a launcher that starts a worker, a program of its own, and waits.
LAUNCHER = """\
import signal, subprocess, sys
subprocess.Popen([sys.executable, sys.argv[1]])
while True:
    signal.pause()
"""
WORKER = """\
import signal
print("ready", flush=True)
while True:
    signal.pause()
"""


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    yield
    QLocale.setDefault(before)


@dataclass
class LauncherApp:
    """The running app: its root's pid, and the paths of its two programs."""

    pid: int
    launcher: Path
    worker: Path


@pytest.fixture
def launcher_app(tmp_path: Path) -> Iterator[LauncherApp]:
    """The app, in a session of its own (an app of its own), killed when the test ends."""
    folder = tmp_path / "app"
    folder.mkdir()
    launcher, worker = folder / "launcher.py", folder / "worker.py"
    launcher.write_text(LAUNCHER)
    worker.write_text(WORKER)
    proc = subprocess.Popen(
        [sys.executable, str(launcher), str(worker)],
        stdout=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"  # the worker's, through the pipe
        yield LauncherApp(proc.pid, launcher, worker)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()


@pytest.fixture
def protecting_monitor(
    session_bus: Any, tmp_path: Path, request: pytest.FixtureRequest, launcher_app: LauncherApp
) -> Iterator[MonitorProcess]:
    """The real monitor, protecting whatever runs the worker's program."""
    argv = dry_monitor_argv("--verbose", "--protect", str(launcher_app.worker))
    monitor = MonitorProcess(session_bus, argv, tmp_path / "monitor.log")
    attach_log(request, "memwarden monitor", monitor.log)
    monitor.wait_owning()
    yield monitor
    monitor.stop()


def test_an_app_protected_by_a_rule_on_one_of_its_programs_shows_as_protected(
    aloop: Any, protecting_monitor: MonitorProcess, launcher_app: LauncherApp
) -> None:
    client = MonitorClient()
    aloop.run_until_complete(client.start())
    controller = WindowController(client)
    try:
        aloop.run_until_complete(controller.refresh_now())
        assert controller.snapshot is not None
        app = next(a for a in controller.snapshot["apps"] if launcher_app.pid in a["pids"])
        worker = str(launcher_app.worker)
        # Neither its id, its name nor its rule name is the rule's: one of its programs is.
        assert worker not in (app["id"], app["name"], rule_name(app))
        assert rule_name(app) == str(launcher_app.launcher)

        # The window: the rule column, its tooltip and the details pane.
        cell = controller.apps.index(controller.apps.row_of(app["id"]), Column.RULE)
        assert cell.data() == "Protect"
        assert (app["rule"], app["rule_source"]) == ("protect", worker)
        said = f"Protected by your rule “{worker}”."
        assert said in cell.data(Qt.ItemDataRole.ToolTipRole)
        assert said in app_presenter.details_html(app, "protect")
        # The tray: its menu and the prompt (which offers no Close for a protected app).
        props = client.properties
        (item,) = [i for i in menu_presenter.app_items(controller.snapshot, props, limit=None)
                   if i.app_id == app["id"]]  # fmt: skip
        assert item.rule == "protect"
        (row,) = [r for r in build_prompt(controller.snapshot, props, None, limit=10_000).rows
                  if r.app_id == app["id"]]  # fmt: skip
        assert row.rule == "protect" and not row.closable

        def shown() -> tuple[str, str]:
            row = controller.apps.row_of(app["id"])
            assert row is not None
            shown_app = controller.apps.app_at(row)
            return str(controller.apps.index(row, Column.RULE).data()), shown_app["rule_source"]

        def rules() -> dict[str, str]:
            return dict(client.properties.get("AppRules", {}))

        # "Sacrifice first" from the window: a prefer rule under the app's own name would change
        # nothing (protect wins, as in the killer), so the worker's rule is made normal first.
        assert rule_changes(app, "prefer") == [(worker, "normal"), (rule_name(app), "prefer")]
        assert aloop.run_until_complete(controller.set_app_rule_now(app, "prefer"))
        run_until(aloop, lambda: rules() == {rule_name(app): "prefer"}, what="the rules changed")
        run_until(aloop, lambda: shown()[0] == "Sacrifice first", what="the new rule shown")
        assert shown() == ("Sacrifice first", str(launcher_app.launcher))

        # "Normal": the app's own rule goes; nothing else is touched.
        preferred = controller.apps.app_at(controller.apps.row_of(app["id"]))
        assert rule_changes(preferred, "normal") == [(rule_name(app), "normal")]
        assert aloop.run_until_complete(controller.set_app_rule_now(preferred, "normal"))
        run_until(aloop, lambda: shown() == ("Normal", ""), what="the app shown normal")
        assert rules() == {}
    finally:
        controller.deactivate()
        run_until(aloop, lambda: not controller.pending(), what="the controller's calls")
        aloop.run_until_complete(client.close())
