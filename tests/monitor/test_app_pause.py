# SPDX-License-Identifier: GPL-3.0-or-later
"""Pausing an app with real processes: SIGSTOP through pidfds, or its own cgroup v2 scope frozen;
resumed, killed, refused by the guard, recovered after a monitor that died; and the reclaim of
its memory into swap, or why this machine cannot.

The processes are this test's own children: the pauser can reach nothing else (the guard and the
uid checks are the killer's, tested with the killer).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from memwarden.core import reason_codes as codes
from memwarden.core.app_identity import AppIdentity
from memwarden.core.cgroup2 import read_cgroup2_mount
from memwarden.core.errors import CoreError
from memwarden.core.meminfo import parse_meminfo
from memwarden.core.memory_left import MemoryLeft, MemoryLeftReader
from memwarden.core.pid_stat import read_pid_stat
from memwarden.core.snapshot import AppRecord, MemoryBytes
from memwarden.monitor.app_pause import FROZEN, STOPPED, Pauser
from memwarden.monitor.killer import Killer
from memwarden.monitor.pause_reclaim import RECLAIM_CAP_BYTES, reclaim_paused

MiB = 1024 * 1024
#: A process that counts, so a stopped one is told from a running one by more than its state.
COUNTER = """
import sys, time
n = 0
while True:
    n += 1
    if n % 100000 == 0:
        print(n, flush=True)
"""


def state(pid: int) -> str | None:
    try:
        return read_pid_stat(pid).state
    except CoreError:
        return None


def start_time(pid: int) -> int:
    return read_pid_stat(pid).starttime_ticks


def app_of(pids: list[int], cgroups: tuple[str, ...] = ()) -> AppRecord:
    ident = AppIdentity(
        app_id=f"counter-{pids[0]}", name="counter", icon=None, kind="other", uid=os.getuid(),
        source="scope" if cgroups else "tree", cgroups=cgroups, root_pid=pids[0],
        root_starttime_ticks=start_time(pids[0]),
    )  # fmt: skip
    return AppRecord(ident, list(pids), MemoryBytes(resident=64 * MiB), None, [], [])


@pytest.fixture
def counters() -> Iterator[list[subprocess.Popen[bytes]]]:
    procs = [
        subprocess.Popen([sys.executable, "-c", COUNTER], stdout=subprocess.DEVNULL)
        for _ in range(2)
    ]
    yield procs
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait(timeout=10)


def pause(pauser: Pauser, app: AppRecord, guard=lambda pid: None):  # type: ignore[no-untyped-def]
    pids = {pid: start_time(pid) for pid in app.pids}
    return pauser.pause(app, {"id": app.id}, pids=pids, known=pids, guard=guard,
                        growth_bytes_per_s=8 * MiB)  # fmt: skip


def wait_for(check, what: str, timeout_s: float = 10) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def test_an_app_without_a_scope_of_its_own_is_stopped_and_resumed(
    counters: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    pids = [p.pid for p in counters]
    pauser = Pauser(Killer(), state_path=tmp_path / "paused.json")
    paused = pause(pauser, app_of(pids))
    assert paused is not None and paused.method == STOPPED
    wait_for(lambda: [state(p) for p in pids] == ["T", "T"], "both stopped")
    # Kept for the next monitor, should this one die: pid and start time, nothing else.
    assert (tmp_path / "paused.json").exists()
    time.sleep(0.3)
    assert [state(p) for p in pids] == ["T", "T"]  # it stays stopped
    assert pauser.resume(paused.app.id) is paused
    wait_for(lambda: all(state(p) not in ("T", None) for p in pids), "both running again")
    assert not (tmp_path / "paused.json").exists() and pauser.paused == {}
    assert pauser.resume(paused.app.id) is None  # not paused any more


def test_the_guard_keeps_a_process_from_being_paused(
    counters: list[subprocess.Popen[bytes]],
) -> None:
    pids = [p.pid for p in counters]
    pauser = Pauser(Killer())
    refused = pause(pauser, app_of(pids), guard=lambda pid: "protected")
    assert refused is None and pauser.paused == {}
    time.sleep(0.2)
    assert all(state(p) not in ("T", None) for p in pids)
    # One refused, one paused: only that one stops.
    paused = pause(pauser, app_of(pids), guard=lambda pid: "session" if pid == pids[0] else None)
    assert paused is not None and set(paused.pidfds) == {pids[1]}
    wait_for(lambda: state(pids[1]) == "T", "the other stopped")
    assert state(pids[0]) != "T"
    pauser.resume_all()


def test_a_pid_whose_start_time_differs_is_not_paused(
    counters: list[subprocess.Popen[bytes]],
) -> None:
    pid = counters[0].pid
    pauser = Pauser(Killer())
    app = app_of([pid])
    stale = {pid: start_time(pid) + 1}  # another process that reused the pid, to the pauser
    assert pauser.pause(app, {}, pids=stale, known=stale, guard=lambda p: None,
                        growth_bytes_per_s=1.0) is None  # fmt: skip
    assert state(pid) != "T"


def test_a_paused_app_is_killed_at_once(
    counters: list[subprocess.Popen[bytes]],
) -> None:
    pids = [p.pid for p in counters]
    pauser = Pauser(Killer())
    paused = pause(pauser, app_of(pids))
    assert paused is not None
    wait_for(lambda: state(pids[0]) == "T", "stopped")
    outcome = asyncio.run(pauser.kill(paused.app.id))
    assert sorted(outcome.signalled) == sorted(pids)
    for proc in counters:
        assert proc.wait(timeout=10) == -9
    assert pauser.paused == {}


def test_the_next_monitor_resumes_what_a_dead_one_left_paused(
    counters: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    pids = [p.pid for p in counters]
    state_path = tmp_path / "paused.json"
    dead = Pauser(Killer(), state_path=state_path)
    assert pause(dead, app_of(pids)) is not None
    wait_for(lambda: [state(p) for p in pids] == ["T", "T"], "stopped")
    for pidfd in next(iter(dead.paused.values())).pidfds.values():
        os.close(pidfd)  # the monitor died: its fds are gone, the processes stay stopped
    assert Pauser(Killer(), state_path=state_path).recover(lambda pid: None) == [
        f"counter-{pids[0]}"
    ]
    wait_for(lambda: all(state(p) not in ("T", None) for p in pids), "running again")
    assert not state_path.exists()


def test_recovery_leaves_a_process_alone_whose_pid_names_another_now(
    counters: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    pid = counters[0].pid
    os.kill(pid, 19)  # SIGSTOP, by someone else: not ours to continue
    wait_for(lambda: state(pid) == "T", "stopped")
    state_path = tmp_path / "paused.json"
    state_path.write_text(f'[{{"app_id": "x", "frozen": [], "processes": [[{pid}, 1]]}}]')
    Pauser(Killer(), state_path=state_path).recover(lambda p: None)
    time.sleep(0.2)
    assert state(pid) == "T"
    os.kill(pid, 18)


# -- its own cgroup v2 scope ---------------------------------------------------------------------


@pytest.fixture
def scope(counters: list[subprocess.Popen[bytes]]) -> Iterator[tuple[str, Path]]:
    """The counters in a cgroup v2 scope of their own (root: this machine's hierarchy)."""
    try:
        mount = read_cgroup2_mount()
    except CoreError:
        pytest.skip("no cgroup v2 hierarchy on this machine")
    cgroup = f"/memwarden-test-pause-{os.getpid()}-{time.monotonic_ns()}.scope"
    directory = mount.dir_of(cgroup)
    assert directory is not None
    directory.mkdir()
    try:
        if not (directory / "cgroup.freeze").exists():
            pytest.skip("kernel without cgroup.freeze (< 5.2)")
        for proc in counters:
            (directory / "cgroup.procs").write_text(str(proc.pid))
        yield cgroup, directory
    finally:
        for proc in counters:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            proc.wait(timeout=10)
        with contextlib.suppress(OSError):
            (directory / "cgroup.freeze").write_text("0")
        wait_for(lambda: not (directory / "cgroup.procs").read_text().strip(), "scope empty")
        directory.rmdir()


def frozen(directory: Path) -> bool:
    return "frozen 1" in (directory / "cgroup.events").read_text()


@pytest.mark.root
def test_an_app_with_its_own_scope_is_frozen_and_thawed(
    counters: list[subprocess.Popen[bytes]], scope: tuple[str, Path]
) -> None:
    cgroup, directory = scope
    pauser = Pauser(Killer(cgroup2=read_cgroup2_mount()))
    paused = pause(pauser, app_of([p.pid for p in counters], (cgroup,)))
    assert paused is not None and paused.method == FROZEN and paused.frozen == [directory]
    wait_for(lambda: frozen(directory), "the scope frozen")
    pauser.resume(paused.app.id)
    wait_for(lambda: not frozen(directory), "the scope thawed")


@pytest.mark.root
def test_a_frozen_app_is_killed_and_its_scope_thawed(
    counters: list[subprocess.Popen[bytes]], scope: tuple[str, Path]
) -> None:
    cgroup, directory = scope
    pauser = Pauser(Killer(cgroup2=read_cgroup2_mount()))
    paused = pause(pauser, app_of([p.pid for p in counters], (cgroup,)))
    assert paused is not None
    wait_for(lambda: frozen(directory), "the scope frozen")
    asyncio.run(pauser.kill(paused.app.id))
    for proc in counters:
        assert proc.wait(timeout=10) == -9
    assert (directory / "cgroup.freeze").read_text().strip() == "0"


@pytest.mark.root
def test_a_scope_shared_with_a_process_the_guard_refuses_is_stopped_process_by_process(
    counters: list[subprocess.Popen[bytes]], scope: tuple[str, Path]
) -> None:
    cgroup, directory = scope
    pids = [p.pid for p in counters]
    pauser = Pauser(Killer(cgroup2=read_cgroup2_mount()))
    paused = pause(pauser, app_of(pids[1:], (cgroup,)),
                   guard=lambda pid: "session" if pid == pids[0] else None)  # fmt: skip
    assert paused is not None and paused.method == STOPPED
    wait_for(lambda: state(pids[1]) == "T", "the app's process stopped")
    assert not frozen(directory) and state(pids[0]) != "T"
    pauser.resume_all()


# -- giving the memory back ------------------------------------------------------------------------


@pytest.fixture
def swap_file(tmp_path: Path) -> Iterator[Path | None]:
    """A bounded swap file (256 MiB), on for this test only; None where swapon is refused."""
    path = tmp_path / "swap"
    made = subprocess.run(
        f"fallocate -l 256M {path} && chmod 600 {path} && mkswap -q {path} && swapon {path}",
        shell=True, capture_output=True, text=True, check=False,
    )  # fmt: skip
    try:
        yield path if made.returncode == 0 else None
    finally:
        subprocess.run(["swapoff", str(path)], capture_output=True, check=False)
        path.unlink(missing_ok=True)


@pytest.mark.root
def test_reclaim_moves_a_frozen_scope_to_swap_or_says_why_not(
    counters: list[subprocess.Popen[bytes]], scope: tuple[str, Path], swap_file: Path | None
) -> None:
    cgroup, directory = scope
    pauser = Pauser(Killer(cgroup2=read_cgroup2_mount()))
    paused = pause(pauser, app_of([p.pid for p in counters], (cgroup,)))
    assert paused is not None
    reader = MemoryLeftReader()
    result = reclaim_paused(paused.frozen, has_cgroup2=True, read=reader.read)
    if not (directory / "memory.reclaim").exists():
        # This machine (and CI): cgroup v2 without its memory controller. Nothing is claimed.
        assert result == {"result": codes.NO_MEMORY_CONTROLLER, "ram_freed_bytes": 0,
                          "swapped_out_bytes": 0}  # fmt: skip
    elif swap_file is None:
        assert result["result"] in (codes.NO_SWAP, codes.NOTHING_TO_RECLAIM)
    else:
        assert result["result"] in (codes.DONE, codes.PARTIAL, codes.NOTHING_TO_RECLAIM)
        assert result["swapped_out_bytes"] >= 0 and result["ram_freed_bytes"] >= 0
    pauser.resume_all()


def test_reclaim_says_why_it_cannot_be_tried() -> None:
    reader = MemoryLeftReader()
    assert reclaim_paused([], has_cgroup2=False, read=reader.read)["result"] == codes.NO_CGROUP_V2
    assert reclaim_paused([], has_cgroup2=True, read=reader.read)["result"] == codes.NO_OWN_CGROUP


def _reading(available_mib: int, swap_free_mib: int) -> MemoryLeft:
    """A memory-left reading as the reclaim sees it (meminfo's fields, in KiB)."""
    text = (
        f"MemTotal: {8192 * 1024} kB\nMemFree: {available_mib * 1024} kB\n"
        f"MemAvailable: {available_mib * 1024} kB\nSwapTotal: {4096 * 1024} kB\n"
        f"SwapFree: {swap_free_mib * 1024} kB\nShmem: 0 kB\n"
    )
    return MemoryLeft(parse_meminfo(text))


def test_reclaim_writes_the_scopes_size_and_reports_what_was_measured(tmp_path: Path) -> None:
    """The write path, on a cgroup v2 scope's files laid out in a directory (this machine has no
    v2 memory controller): what is asked is the scope's memory.current, at most the cap; what
    is reported is the readings' difference, never the amount asked."""
    scope = tmp_path / "app-leak.scope"
    scope.mkdir()
    (scope / "memory.current").write_text(f"{3 * 1024 * MiB}\n")
    (scope / "memory.reclaim").write_text("")
    # 1.9 GiB went to swap and MemAvailable rose by as much: memory left (the guard's measure)
    # stays the same, and the RAM that came free is what is reported.
    readings = iter([_reading(1000, 4000), _reading(2900, 2100)])
    result = reclaim_paused([scope], has_cgroup2=True, read=lambda: next(readings))
    assert (scope / "memory.reclaim").read_text() == str(RECLAIM_CAP_BYTES)
    assert result == {"result": codes.DONE, "ram_freed_bytes": 1900 * MiB,
                      "swapped_out_bytes": 1900 * MiB}  # fmt: skip
    # No free swap: nothing written.
    (scope / "memory.reclaim").write_text("")
    result = reclaim_paused([scope], has_cgroup2=True, read=lambda: _reading(1000, 0))
    assert result["result"] == codes.NO_SWAP and (scope / "memory.reclaim").read_text() == ""
    # Almost nothing in the scope: not worth it.
    (scope / "memory.current").write_text("4096\n")
    result = reclaim_paused([scope], has_cgroup2=True, read=lambda: _reading(1000, 4000))
    assert result["result"] == codes.NOTHING_TO_RECLAIM
    # A write the kernel refuses for an unknown reason: failed, and nothing claimed.
    (scope / "memory.current").write_text(f"{512 * MiB}\n")
    (scope / "memory.reclaim").unlink()
    (scope / "memory.reclaim").mkdir()  # writing to it fails (EISDIR)
    result = reclaim_paused([scope], has_cgroup2=True, read=lambda: _reading(1000, 4000))
    assert result == {"result": codes.FAILED, "ram_freed_bytes": 0, "swapped_out_bytes": 0}
