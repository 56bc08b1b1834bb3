# SPDX-License-Identifier: GPL-3.0-or-later
"""The monitor's own oom_score_adj write reaches the process its key names, or nothing.

Real processes, children of this test. Lowering below the floor needs CAP_SYS_RESOURCE, which
root in CI lacks: the tests raise and put back, and check the refusal where the capability is
missing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helper_testlib import has_cap_sys_resource

from memwarden.core.errors import PidReused, ProcessGone
from memwarden.core.pid_dir import PidDir
from memwarden.core.process import ProcessKey
from memwarden.monitor.protection import write_oom_score_adj

PROC = Path("/proc")
PID_REUSE = Path(__file__).with_name("pid_reuse.py")
APP = Path(__file__).resolve().parents[2] / "app"


def adj(pid: int) -> int:
    return int(Path(f"/proc/{pid}/oom_score_adj").read_text())


@pytest.fixture
def child() -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(["sleep", "300"])
    yield proc
    proc.kill()
    proc.wait()


def test_the_right_key_writes(child: subprocess.Popen[bytes]) -> None:
    key = ProcessKey.of(child.pid, PROC)
    write_oom_score_adj(key, 500, PROC)
    assert adj(child.pid) == 500
    write_oom_score_adj(key, 0, PROC)  # back down to where it was: no capability needed
    assert adj(child.pid) == 0


def test_a_key_with_another_start_time_writes_nothing(child: subprocess.Popen[bytes]) -> None:
    live = ProcessKey.of(child.pid, PROC)
    for stale in (live._replace(starttime_ticks=live.starttime_ticks - 1),
                  live._replace(starttime_ticks=live.starttime_ticks + 1)):  # fmt: skip
        with pytest.raises(PidReused):
            write_oom_score_adj(stale, 500, PROC)
        assert adj(child.pid) == 0


def test_a_process_that_exited_after_its_key_was_taken_is_gone(
    child: subprocess.Popen[bytes],
) -> None:
    key = ProcessKey.of(child.pid, PROC)
    child.kill()
    child.wait()
    with pytest.raises(ProcessGone) as gone:
        write_oom_score_adj(key, 500, PROC)
    assert not isinstance(gone.value, PidReused)  # no process has the pid: it simply exited


def test_a_process_that_exits_after_the_check_is_not_written_and_is_gone(
    child: subprocess.Popen[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between the start-time check and the write: the held directory fails with ESRCH."""
    check = PidDir.stat

    def check_then_exit(self: PidDir) -> object:
        stat = check(self)
        child.kill()
        child.wait()
        return stat

    monkeypatch.setattr(PidDir, "stat", check_then_exit)
    with pytest.raises(ProcessGone, match=f"pid {child.pid} exited before"):
        write_oom_score_adj(ProcessKey.of(child.pid, PROC), 500, PROC)


def test_lowering_below_the_floor_surfaces_the_kernels_refusal(
    child: subprocess.Popen[bytes],
) -> None:
    key = ProcessKey.of(child.pid, PROC)
    if has_cap_sys_resource():
        write_oom_score_adj(key, -1, PROC)
        assert adj(child.pid) == -1
    else:
        # The unbuffered write returns EACCES itself (docs/kernel-memory.md §1.4).
        with pytest.raises(PermissionError):
            write_oom_score_adj(key, -1, PROC)
        assert adj(child.pid) == 0


def test_a_recorded_tree_is_written_only_under_the_right_key(tmp_path: Path) -> None:
    """The proc root is a parameter: a tree of plain files stands in for the kernel's."""
    piddir = tmp_path / "4242"
    piddir.mkdir()
    # Field 22, the start time, is 777.
    (piddir / "stat").write_text("4242 (recorded) S 1 4242 4242 0 -1 0" + " 0" * 12 + " 777 0\n")
    (piddir / "oom_score_adj").write_text("0\n")
    with pytest.raises(PidReused):
        write_oom_score_adj(ProcessKey(4242, 776), 500, tmp_path)
    assert (piddir / "oom_score_adj").read_text() == "0\n"
    write_oom_score_adj(ProcessKey(4242, 777), 500, tmp_path)
    assert (piddir / "oom_score_adj").read_text() == "500"
    with pytest.raises(ProcessGone):
        write_oom_score_adj(ProcessKey(4243, 777), 500, tmp_path)


def test_a_reused_pid_is_never_written(pid_namespaces: None) -> None:
    """The old process's pid handed to a new one on purpose (ns_last_pid, in a PID namespace)."""
    done = subprocess.run(
        ["unshare", "--pid", "--fork", "--mount-proc", sys.executable, str(PID_REUSE)],
        env={**os.environ, "PYTHONPATH": str(APP)}, capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    if "skip" in result:
        pytest.skip(result["skip"])
    assert result["reused"], result
    old_start, new_start = result["start_times"]
    assert new_start > old_start
    assert result["by_key"] == "pid-reused"
    assert result["through_held_directory"] in ("ESRCH", "ENOENT")
    assert result["helper"] == "start-time-mismatch"
    assert result["second_adj"] == 0
