# SPDX-License-Identifier: GPL-3.0-or-later
"""ProcessKey names one process for its whole life; PidDir reads only that process's files.

Real processes: children of this test, killed and reaped while a key or a directory is held.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from memwarden.core.errors import PidReused, ProcessGone
from memwarden.core.pid_dir import PidDir
from memwarden.core.process import ProcessIdentity, ProcessKey

PROC = Path("/proc")


def stat_field_22(pid: int) -> int:
    """The start time, read without core's parser (the test must not trust what it tests)."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return int(text[text.rindex(")") + 2 :].split()[19])


def open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


@pytest.fixture
def child() -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(["sleep", "300"])
    yield proc
    proc.kill()
    proc.wait()


def reap(proc: subprocess.Popen[bytes]) -> None:
    proc.kill()
    proc.wait()


def test_the_key_of_a_live_process_and_of_a_gone_one(child: subprocess.Popen[bytes]) -> None:
    key = ProcessKey.of(child.pid, PROC)
    assert key == ProcessKey(child.pid, stat_field_22(child.pid))
    # A tuple: it crosses D-Bus as (ut) and unpacks as (pid, start time).
    pid, start = key
    assert (pid, start) == (key.pid, key.starttime_ticks)
    reap(child)
    with pytest.raises(ProcessGone):
        ProcessKey.of(child.pid, PROC)


def test_an_identity_names_its_process_by_its_key() -> None:
    identity = ProcessIdentity(
        pid=41, ppid=1, session=41, uid=1000, comm="x", exe="", cmdline=(), cgroup=None,
        starttime_ticks=9001,
    )  # fmt: skip
    assert identity.key == ProcessKey(41, 9001)
    assert {identity.key: "seen"}[ProcessKey(41, 9001)] == "seen"
    assert identity.key != ProcessKey(41, 9002)  # the same pid, another process


def test_a_held_directory_reads_its_own_process(child: subprocess.Popen[bytes]) -> None:
    key = ProcessKey(child.pid, stat_field_22(child.pid))
    with PidDir.open_key(key, PROC) as piddir:
        assert piddir.stat().comm == "sleep"
        assert piddir.status().tgid == child.pid
        assert int(piddir.read("oom_score_adj")) == 0


def test_a_key_whose_start_time_differs_opens_nothing(child: subprocess.Popen[bytes]) -> None:
    before = open_fds()
    stale = ProcessKey(child.pid, stat_field_22(child.pid) - 1)
    with pytest.raises(PidReused, match=f"pid {child.pid} started at tick"):
        PidDir.open_key(stale, PROC)
    assert open_fds() == before  # the directory was closed again


def test_a_held_directory_of_a_process_that_exited_reads_nothing(
    child: subprocess.Popen[bytes],
) -> None:
    piddir = PidDir.open_key(ProcessKey.of(child.pid, PROC), PROC)
    with piddir:
        reap(child)  # the pid may now be reused: the directory must not follow it
        with pytest.raises(ProcessGone):
            piddir.read("stat")
        # ESRCH on 6.18 (ENOENT from an older lookup): what write_oom_score_adj relies on.
        with pytest.raises((ProcessLookupError, FileNotFoundError)):
            os.open("oom_score_adj", os.O_WRONLY, dir_fd=piddir.fileno())
    with pytest.raises(ValueError, match="closed"):
        piddir.fileno()
    piddir.close()  # idempotent


def test_a_pid_that_never_existed_is_gone(tmp_path: Path) -> None:
    with pytest.raises(ProcessGone):
        PidDir.open(2**22 + 1, PROC)  # above PID_MAX_LIMIT: no process can have it
    with pytest.raises(ProcessGone):
        ProcessKey.of(7, tmp_path)  # an empty recorded tree
