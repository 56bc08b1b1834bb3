# SPDX-License-Identifier: GPL-3.0-or-later
"""``memwarden`` (the tray) where there is no display: a sentence and status 1, not Qt's abort."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from memwarden.cli import missing_display

APP = str(Path(__file__).resolve().parents[2] / "app")
DISPLAY_VARIABLES = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "XDG_SESSION_TYPE")


def test_tray_without_a_display_explains_and_fails() -> None:
    env = {k: v for k, v in os.environ.items() if k not in DISPLAY_VARIABLES}
    env["PYTHONPATH"] = APP
    done = subprocess.run(
        [sys.executable, "-m", "memwarden"], env=env, capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert "needs a graphical session" in done.stderr
    assert "memwarden scan" in done.stderr and "memwarden monitor" in done.stderr
    assert "Qt platform plugin" not in done.stderr


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, True),
        ({"XDG_SESSION_TYPE": "tty"}, True),
        ({"DISPLAY": ":0"}, False),
        ({"WAYLAND_DISPLAY": "wayland-1"}, False),
        ({"XDG_SESSION_TYPE": "wayland"}, False),  # Qt tries wayland-0
        ({"QT_QPA_PLATFORM": "offscreen"}, False),  # the person chose a platform
        ({"DISPLAY": ""}, True),
    ],
)
def test_which_environments_have_no_display(env: dict[str, str], missing: bool) -> None:
    assert missing_display(env) is missing
