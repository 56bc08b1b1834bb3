# SPDX-License-Identifier: GPL-3.0-or-later
"""``memwarden scan --json`` run as a person runs it: each app carries the rule the user's config
file gives it (``rule``, ``rule_source``: docs/scan-json.md), decided as the monitor decides it,
and the file is only read, never created, moved or rewritten."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from memwarden.core.scanner import Scanner

APP = Path(__file__).resolve().parents[2] / "app"


def scan_json(config_home: Path) -> tuple[dict[str, Any], str]:
    """The document ``memwarden scan --json`` prints with this XDG_CONFIG_HOME, and its stderr."""
    env = {**os.environ, "PYTHONPATH": str(APP), "XDG_CONFIG_HOME": str(config_home)}
    done = subprocess.run(
        [sys.executable, "-m", "memwarden", "scan", "--json", "--no-nvidia"],
        capture_output=True, text=True, env=env, timeout=120, check=True,
    )  # fmt: skip
    return json.loads(done.stdout), done.stderr


def rule_in(doc: dict[str, Any], pid: int) -> tuple[str, str]:
    (app,) = [a for a in doc["apps"] if pid in a["pids"]]
    return app["rule"], app["rule_source"]


def test_scan_json_says_the_rule_each_app_has_in_the_config_file(hog, tmp_path: Path) -> None:
    kept, sacrificed, plain, both = (hog("idle", name=n) for n in ("kept", "sacr", "plain", "both"))
    both_id = Scanner(with_nvidia=False).scan(full=True).app_by_pid(both.pid).id  # type: ignore[union-attr]
    config = tmp_path / "config" / "memwarden" / "config.toml"
    config.parent.mkdir(parents=True)
    text = (
        "[apps]\n"
        f"protect = {json.dumps([kept.program, both_id])}\n"
        f"prefer = {json.dumps([sacrificed.program, both.program])}\n"
    )
    config.write_text(text)

    doc, stderr = scan_json(tmp_path / "config")
    assert stderr == ""
    assert rule_in(doc, kept.pid) == ("protect", kept.program)
    assert rule_in(doc, sacrificed.pid) == ("prefer", sacrificed.program)
    assert rule_in(doc, plain.pid) == ("normal", "")
    assert rule_in(doc, both.pid) == ("protect", both_id)  # protect wins over prefer
    assert config.read_text() == text  # read, never rewritten


def test_scan_json_without_a_usable_config_file_says_so_and_writes_nothing(
    hog, tmp_path: Path
) -> None:
    plain = hog("idle", name="plain")
    folder = tmp_path / "config" / "memwarden"
    doc, stderr = scan_json(tmp_path / "config")  # no file: no rules, and none created
    assert rule_in(doc, plain.pid) == ("normal", "")
    assert stderr == "" and not folder.exists()

    folder.mkdir(parents=True)
    (folder / "config.toml").write_text("[apps]\nprotect = 'not a list'\n")
    doc, stderr = scan_json(tmp_path / "config")
    assert rule_in(doc, plain.pid) == ("normal", "")
    assert "config.toml" in stderr and "your rules are not shown" in stderr
    # Left as it was: moving a bad file aside is the monitor's job.
    assert [p.name for p in folder.iterdir()] == ["config.toml"]
