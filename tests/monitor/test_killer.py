# SPDX-License-Identifier: GPL-3.0-or-later
"""The killer never signals the wrong process (checks run in their own PID namespace)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.root

CHECKS = Path(__file__).with_name("killer_checks.py")
APP = Path(__file__).resolve().parents[2] / "app"


@pytest.fixture(scope="module")
def results(pid_namespaces: None) -> dict[str, Any]:
    out = subprocess.run(
        ["unshare", "--pid", "--fork", "--mount-proc", sys.executable, str(CHECKS)],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "PYTHONPATH": str(APP)},
    )
    assert out.returncode == 0, out.stderr[-4000:]
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def test_a_reused_pid_is_not_signalled(results):
    r = results["reused"]
    assert r["signalled"] == [] and list(r["skipped"].values()) == ["reused"]
    assert r["alive"] is True


def test_a_gone_process_is_skipped(results):
    r = results["gone"]
    assert r["signalled"] == [] and list(r["skipped"].values()) == ["gone"]


def test_the_guard_is_asked_for_every_pid(results):
    r = results["guard"]
    assert r["signalled"] == [] and list(r["skipped"].values()) == ["protected"]
    assert r["alive"] is True


def test_never_pid_1_nor_itself(results):
    assert results["init"]["signalled"] == [] and results["init"]["skipped"] == {"1": "init"}
    # The checks run as PID 1 of their namespace: "self" is pid 1 too, refused either way.
    assert results["self"]["signalled"] == []


def test_never_another_users_process(results):
    r = results["other_user"]
    assert r["signalled"] == [] and list(r["skipped"].values()) == ["not-ours"]
    assert r["alive"] is True


def test_an_allowed_victim_is_closed(results):
    r = results["allowed"]
    assert r["signalled"] == [r["pid"]] and r["alive"] is False
    assert r["escalated"] is False  # sleep dies on SIGTERM


def test_children_forked_during_the_grace_period_are_killed_too(results):
    r = results["forked_during_grace"]
    assert r["escalated"] is True
    assert len(r["signalled"]) == 2 and r["pid"] in r["signalled"]
    assert sorted(r["exited"]) == sorted(r["signalled"])


def test_an_app_with_its_own_scope_is_killed_with_cgroup_kill(results):
    r = results["cgroup_kill"]
    if "unavailable" in r:
        pytest.skip(r["unavailable"])
    assert r["method"] == "cgroup"
    # Both died of SIGKILL, the setsid()ed one included, though only the app's pid was named.
    assert r["returncodes"] == [-9, -9]
    assert sorted(r["exited"]) == sorted([r["app"], r["escaped"]])


def test_a_setsid_child_counted_as_another_app_survives_its_parents_kill(results):
    """The SIGKILL sweep adds only children forked after the snapshot."""
    r = results["setsid_child"]
    assert r["escalated"] is True and r["signalled"] == [r["parent"]]
    assert r["child_alive"] is True


@pytest.mark.parametrize("case", ["other_uid", "other_app"])
def test_cgroup_kill_is_not_used_on_a_scope_shared_with_others(results, case):
    r = results["cgroup_mixed"]
    if "unavailable" in r:
        pytest.skip(r["unavailable"])
    r = r[case]
    assert r["method"] == "pidfd"
    assert r["signalled"] == [r["app"]] and r["app_rc"] == -9
    assert r["other_alive"] is True
