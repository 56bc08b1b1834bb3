# SPDX-License-Identifier: GPL-3.0-or-later
"""Target validation and the oom_score_adj write, on real processes, in this process.

The caller here is this test process's uid, so the targets are its own children (root in CI, any
user elsewhere). The same code runs inside the helper in test_helper_system_bus.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helper_testlib import has_cap_sys_resource, oom_score_adj, starttime

from memwarden.core.process import ProcessKey
from memwarden.helper import kernel, targets
from memwarden.helper.errors import (
    HelperError,
    InvalidArgument,
    MissingCapability,
    NotOwner,
    ProcessGone,
)
from memwarden.helper.targets import open_owned_process, set_oom_score_adj

ME = os.getuid()
PROC = Path("/proc")


@pytest.fixture
def child() -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(["sleep", "300"])
    yield proc
    proc.kill()
    proc.wait()


def target(proc: subprocess.Popen[bytes] | int) -> ProcessKey:
    pid = proc if isinstance(proc, int) else proc.pid
    return ProcessKey(pid, starttime(pid))


def error_of(exc: pytest.ExceptionInfo[HelperError]) -> tuple[type[HelperError], str, int | None]:
    return type(exc.value), exc.value.reason, exc.value.pid


def test_own_process_is_held_and_verified(child: subprocess.Popen[bytes]) -> None:
    with open_owned_process(target(child), ME, PROC) as held:
        assert held.comm == "sleep"
        assert held.read_oom_score_adj() == 0
        assert not held.exited()
        held.verify_same()


def test_other_owner_start_time_and_pid_zero(child: subprocess.Popen[bytes]) -> None:
    with pytest.raises(NotOwner) as exc:
        open_owned_process(target(child), ME + 4242, PROC)
    assert error_of(exc) == (NotOwner, "not-owner", child.pid)
    with pytest.raises(ProcessGone) as gone:
        open_owned_process(ProcessKey(child.pid, starttime(child.pid) + 1), ME, PROC)
    assert error_of(gone) == (ProcessGone, "start-time-mismatch", child.pid)
    # pid_t is 32-bit signed: past it, pidfd_open would raise OverflowError (an internal error).
    for pid in (0, 2**31, 2**32 - 1):
        with pytest.raises(InvalidArgument) as invalid:
            open_owned_process(ProcessKey(pid, 0), ME, PROC)
        assert error_of(invalid) == (InvalidArgument, "invalid-pid", pid)
        with pytest.raises(InvalidArgument, match="invalid-pid"):
            set_oom_score_adj([ProcessKey(pid, 0)], 1, ME, PROC)


def test_zombie_and_reaped_processes_are_gone() -> None:
    proc = subprocess.Popen(["true"])
    before = target(proc)
    # Exited but not reaped: a zombie still has its pid and /proc entry.
    for _ in range(1000):
        if Path(f"/proc/{proc.pid}/stat").read_text().split(") ")[1][0] == "Z":
            break
        time.sleep(0.01)
    else:
        pytest.fail("`true` did not exit")
    with pytest.raises(ProcessGone) as zombie:
        open_owned_process(before, ME, PROC)
    assert error_of(zombie) == (ProcessGone, "exited", proc.pid)
    proc.wait()
    with pytest.raises(ProcessGone) as reaped:
        open_owned_process(before, ME, PROC)
    assert error_of(reaped) == (ProcessGone, "no-such-process", proc.pid)


def test_thread_ids_and_kernel_threads_are_not_processes() -> None:
    code = "import threading, time\nthreading.Thread(target=time.sleep, args=(300,)).start()\n"
    with subprocess.Popen([sys.executable, "-c", code + "time.sleep(300)"]) as proc:
        try:
            task_dir = Path(f"/proc/{proc.pid}/task")
            while len(list(task_dir.iterdir())) < 2:
                time.sleep(0.01)
            (tid,) = [int(t.name) for t in task_dir.iterdir() if int(t.name) != proc.pid]
            with pytest.raises(InvalidArgument) as thread:
                open_owned_process(target(tid), ME, PROC)
            assert error_of(thread) == (InvalidArgument, "not-a-process", tid)
        finally:
            proc.kill()
    kthreadd = Path("/proc/2/stat")
    if not kthreadd.exists() or "(kthreadd)" not in kthreadd.read_text():
        pytest.skip("no kernel thread visible in this PID namespace")
    with pytest.raises(InvalidArgument) as kthread:
        open_owned_process(target(2), 0, PROC)
    assert error_of(kthread) == (InvalidArgument, "kernel-thread", 2)


def test_write_reports_the_kernels_verdict(child: subprocess.Popen[bytes]) -> None:
    with open_owned_process(target(child), ME, PROC) as held:
        held.write_oom_score_adj(700)
        assert oom_score_adj(child.pid) == 700
        # Beyond the range the kernel says EINVAL (the service checks the range before).
        with pytest.raises(InvalidArgument) as einval:
            held.write_oom_score_adj(1001)
        assert error_of(einval) == (InvalidArgument, "kernel-rejected-value", child.pid)
        if has_cap_sys_resource():
            held.write_oom_score_adj(-1)
            assert oom_score_adj(child.pid) == -1
        else:
            with pytest.raises(MissingCapability) as eacces:
                held.write_oom_score_adj(-1)
            assert error_of(eacces) == (MissingCapability, "cap-sys-resource", child.pid)
            assert oom_score_adj(child.pid) == 700


def test_held_process_that_exits_is_gone_for_good(child: subprocess.Popen[bytes]) -> None:
    with open_owned_process(target(child), ME, PROC) as held:
        child.kill()
        child.wait()  # reaped: the pid may now be reused, the held handles may not follow it
        assert held.exited()
        with pytest.raises(ProcessGone) as write:
            held.write_oom_score_adj(100)
        assert error_of(write)[:2] == (ProcessGone, "exited")
        with pytest.raises(ProcessGone):
            held.verify_same()


def test_set_is_all_or_nothing_and_merges_duplicates(child: subprocess.Popen[bytes]) -> None:
    with subprocess.Popen(["sleep", "300"]) as other:
        try:
            both = [target(child), target(child), target(other)]
            changes = set_oom_score_adj(both, 300, ME, PROC)
            assert [(ch.pid, ch.old, ch.new) for ch in changes] == [
                (child.pid, 0, 300),
                (other.pid, 0, 300),
            ]
            stale = ProcessKey(other.pid, starttime(other.pid) - 1)
            with pytest.raises(ProcessGone):
                set_oom_score_adj([target(child), stale], 500, ME, PROC)
            assert (oom_score_adj(child.pid), oom_score_adj(other.pid)) == (300, 300)
        finally:
            other.kill()


def test_set_checks_range_and_size(child: subprocess.Popen[bytes]) -> None:
    for value in (-1001, 1001):
        with pytest.raises(InvalidArgument, match="score-adj-out-of-range"):
            set_oom_score_adj([target(child)], value, ME, PROC)
    with pytest.raises(InvalidArgument, match="no-processes"):
        set_oom_score_adj([], 0, ME, PROC)
    many = [ProcessKey(pid, 1) for pid in range(1, 300)]
    with pytest.raises(InvalidArgument, match="too-many-processes"):
        set_oom_score_adj(many, 0, ME, PROC)
    assert oom_score_adj(child.pid) == 0


def test_roll_back_restores_previous_values(child: subprocess.Popen[bytes]) -> None:
    with open_owned_process(target(child), ME, PROC) as held:
        held.write_oom_score_adj(800)
        targets._roll_back([held], [targets.AdjChange(child.pid, "sleep", 0, 800)])
    assert oom_score_adj(child.pid) == 0


SETUID_LATER = """
import os, sys
sys.stdin.readline()
os.setresuid(65534, 65534, 65534)  # as a setuid exec changes them: same pid, same start time
print("changed", flush=True)
sys.stdin.readline()
"""


@pytest.mark.skipif(ME != 0, reason="changing a process's uids needs root")
def test_uids_changed_between_check_and_write_are_refused_and_undone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", SETUID_LATER], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as proc:
        stdin, stdout = proc.stdin, proc.stdout
        assert stdin is not None and stdout is not None
        try:
            wanted = target(proc)
            write = targets.HeldProcess.write_oom_score_adj

            def change_uids_then_write(self: targets.HeldProcess, value: int) -> None:
                if value == 700:  # the write itself; the roll-back writes the old value
                    stdin.write(b"now\n")
                    stdin.flush()
                    assert stdout.readline() == b"changed\n"
                write(self, value)

            monkeypatch.setattr(targets.HeldProcess, "write_oom_score_adj", change_uids_then_write)
            with pytest.raises(NotOwner) as exc:
                set_oom_score_adj([wanted], 700, ME, PROC)
            assert error_of(exc) == (NotOwner, "owner-changed", proc.pid)
            assert oom_score_adj(proc.pid) == 0  # written, then put back
        finally:
            proc.kill()


def test_kernel_features_and_free_memory() -> None:
    features = kernel.features(PROC)
    assert kernel.has_capability(kernel.CAP_SYS_RESOURCE, PROC) == has_cap_sys_resource()
    assert ("oom-score-adj-lower" in features) == (
        has_cap_sys_resource() and kernel.has_capability(kernel.CAP_DAC_OVERRIDE, PROC)
    )
    assert kernel.mem_available_kib(PROC) > 0
    if "drop-caches" in features:
        result = kernel.free_memory(PROC)
        assert result.available_before_kib > 0
        assert result.available_after_kib > 0
    else:
        with pytest.raises(MissingCapability):
            kernel.free_memory(PROC)
