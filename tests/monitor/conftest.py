# SPDX-License-Identifier: GPL-3.0-or-later
"""Monitor scenarios run in their own PID namespace (see scenario.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

SCENARIO = Path(__file__).with_name("scenario.py")
APP = Path(__file__).resolve().parents[2] / "app"


def _can_unshare() -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "true"],
                           capture_output=True, check=False)
    return probe.returncode == 0


@pytest.fixture(scope="session")
def pid_namespaces() -> None:
    if not _can_unshare():
        pytest.skip("needs root and unshare --pid (PID namespaces)")


@pytest.fixture
def run_scenario(pid_namespaces: None) -> Callable[..., dict[str, Any]]:
    """Run a scenario spec in a fresh PID namespace and return its result document."""

    def run(**spec: Any) -> dict[str, Any]:
        env = {**os.environ, "PYTHONPATH": str(APP)}
        out = subprocess.run(
            ["unshare", "--pid", "--fork", "--mount-proc", sys.executable, str(SCENARIO),
             json.dumps(spec)],
            capture_output=True, text=True, env=env, timeout=spec.get("timeout_s", 60) + 60,
            check=False,
        )
        if out.returncode != 0:
            raise AssertionError(f"scenario failed rc={out.returncode}\n{out.stderr[-4000:]}")
        result: dict[str, Any] = json.loads(out.stdout)
        result["events_of"] = lambda kind: [e for e in result["events"] if e["event"] == kind]
        return result

    return run
