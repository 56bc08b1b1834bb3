# SPDX-License-Identifier: GPL-3.0-or-later
"""The accounting core on the real kernel: real memfds, tmpfs files, SysV segments and anon memory.

Sizes are small and fixed; every hog is killed at the end of its test.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from hogs import MiB
from memwarden.core.mounts import read_mount_table
from memwarden.core.orphans import read_orphans
from memwarden.core.scanner import Scanner
from memwarden.core.sysvipc import read_sysvipc_shm

pytestmark = pytest.mark.memory


def approx(value: int, expected: int, rel: float = 0.05) -> bool:
    return abs(value - expected) <= rel * expected


def scan():
    return Scanner(with_nvidia=False).scan(full=True)


def test_unmapped_memfd_is_hidden_and_ranks_first_by_true_badness(hog):
    memfd = hog("memfd", 200 * MiB)
    game = hog("anon", 150 * MiB)  # a bigger process by the kernel's measure
    snap = scan()

    hog_rec = snap.processes[memfd.pid]
    assert approx(hog_rec.bytes.shmem, 200 * MiB), hog_rec.bytes
    assert hog_rec.bytes.kernel_view < 60 * MiB  # the interpreter, not the memfd
    assert [s.kind.value for s in hog_rec.shares] == ["memfd"]
    assert hog_rec.shares[0].label == "/memfd:memwarden-test-hog"

    hog_app, game_app = snap.app_by_pid(memfd.pid), snap.app_by_pid(game.pid)
    assert hog_app is not None and game_app is not None and hog_app is not game_app
    # The kernel would pick the "game" first; MemWarden sees the memfd hog is bigger.
    assert game_app.kernel_rank < hog_app.kernel_rank
    assert hog_app.memwarden_rank < game_app.memwarden_rank
    # First by true badness among this test's apps (pytest's own included); other processes on a
    # shared machine may hold more and are none of this test's business.
    ours = {*memfd.pids, *game.pids, os.getpid()}
    assert next(a for a in snap.apps if ours & set(a.pids)) is hog_app


def test_memfd_hog_is_below_a_300_mib_anon_process_by_kernel_score(hog):
    memfd = hog("memfd", 200 * MiB)
    anon = hog("anon", 300 * MiB)
    snap = scan()
    assert snap.processes[anon.pid].oom_score > snap.processes[memfd.pid].oom_score
    assert snap.processes[anon.pid].kernel_badness_pages > snap.processes[
        memfd.pid
    ].kernel_badness_pages
    assert approx(snap.processes[anon.pid].bytes.resident, 300 * MiB, rel=0.2)


def test_mapped_and_touched_memfd_is_not_counted_twice(hog):
    mapped = hog("memfd-mapped", 120 * MiB)
    rec = scan().processes[mapped.pid]
    # The kernel sees the mapped pages (RssShmem); nothing of it is hidden any more.
    assert rec.bytes.resident >= 120 * MiB
    assert rec.bytes.shmem < 2 * MiB, rec.shares
    assert rec.bytes.total < 120 * MiB + 60 * MiB


def test_memfd_shared_by_four_processes_is_split_in_quarters(hog):
    shared = hog("memfd", 160 * MiB, forks=3)
    snap = scan()
    assert len(shared.pids) == 4
    for pid in shared.pids:
        assert approx(snap.processes[pid].bytes.shmem, 40 * MiB), pid
    app = snap.app_by_pid(shared.pid)
    assert app is not None and sorted(app.pids) == sorted(shared.pids)
    # The shares add up exactly: the app holds all of it, once.
    assert sum(snap.processes[p].bytes.shmem for p in shared.pids) == app.bytes.shmem
    assert approx(app.bytes.shmem, 160 * MiB)


def test_unlinked_devshm_file_held_open_is_hidden_memory(hog):
    path = f"/dev/shm/memwarden-test-{uuid.uuid4().hex}"
    holder = hog("devshm-open", 64 * MiB, extra=path)
    assert not os.path.exists(path)
    rec = scan().processes[holder.pid]
    assert approx(rec.bytes.shmem, 64 * MiB)
    assert rec.shares[0].kind.value == "tmpfs"
    assert rec.shares[0].label == path


def test_orphan_devshm_file_is_reported_and_held_files_are_not(hog):
    orphan = Path(f"/dev/shm/memwarden-orphan-{uuid.uuid4().hex}")
    held_path = f"/dev/shm/memwarden-held-{uuid.uuid4().hex}"
    try:
        orphan.write_bytes(b"\x5a" * (8 * MiB))
        hog("devshm-open", 4 * MiB, extra=held_path)  # unlinked: not visible in the tree at all
        # A file that is still linked *and* held must not be reported as an orphan:
        with open(f"{held_path}-linked", "wb") as f:
            f.write(b"x" * MiB)
            f.flush()
            snap = scan()
            orphans = read_orphans(
                snap.held_shmem_keys, read_mount_table(), read_sysvipc_shm(Path("/proc"))
            )
        paths = {o.path: o for o in orphans}
        assert str(orphan) in paths
        assert paths[str(orphan)].bytes == 8 * MiB
        assert paths[str(orphan)].uid == os.getuid()
        assert f"{held_path}-linked" not in paths
    finally:
        orphan.unlink(missing_ok=True)
        Path(f"{held_path}-linked").unlink(missing_ok=True)


def test_sysv_segment_unmapped_part_is_hidden_and_split_among_attachers(hog):
    seg = hog("sysv", 64 * MiB, forks=1)  # touches half; the child attaches by fork
    snap = scan()
    parent, child = snap.processes[seg.pid], snap.processes[seg.children[0]]
    # 32 MiB resident, all of it mapped by the parent (in its RssShmem): nothing hidden.
    assert parent.bytes.shmem + child.bytes.shmem < 2 * MiB
    assert parent.bytes.resident >= 32 * MiB
    segments = {s.shmid: s for s in read_sysvipc_shm(Path("/proc"))}
    assert approx(segments[int(seg.info["shmid"])].rss_bytes, 32 * MiB)


def test_oom_score_replica_matches_the_kernel_for_every_process():
    """Compare with /proc/PID/oom_score; a process whose memory moved between reads is retried."""
    mismatches: dict[int, tuple[int, int]] = {}
    for _attempt in range(5):
        scanner = Scanner(with_nvidia=False)
        snap = scanner.scan(full=True)
        mismatches = {}
        for pid, rec in snap.processes.items():
            try:
                kernel = int(Path(f"/proc/{pid}/oom_score").read_text())
            except (FileNotFoundError, ProcessLookupError):
                continue
            if kernel != rec.oom_score:
                mismatches[pid] = (rec.oom_score, kernel)
        # Only our own process's memory moves while we scan; anything else is a real mismatch.
        mismatches.pop(os.getpid(), None)
        if not mismatches:
            break
    assert len(snap.processes) > 3
    assert mismatches == {}


def test_oom_score_replica_follows_oom_score_adj(hog):
    idle = hog("anon", 32 * MiB)
    path = Path(f"/proc/{idle.pid}/oom_score_adj")
    for adj in (500, 1000, 0):  # raising is always allowed; back to 0 is our own floor
        path.write_text(str(adj))
        rec = Scanner(with_nvidia=False).scan(full=True).processes[idle.pid]
        assert rec.oom_score_adj == adj
        assert rec.oom_score == int(Path(f"/proc/{idle.pid}/oom_score").read_text())


def test_rescan_sees_a_growing_memfd_and_new_processes(hog):
    scanner = Scanner(with_nvidia=False)
    first = scanner.scan()
    assert first.scan_kind == "full"
    memfd = hog("memfd", 48 * MiB)
    second = scanner.scan()
    assert second.scan_kind == "incremental"
    assert approx(second.processes[memfd.pid].bytes.shmem, 48 * MiB)
    os.kill(memfd.pid, signal.SIGUSR1)  # the same fd grows to 96 MiB
    memfd.wait_for("grown")
    third = scanner.scan()
    assert third.scan_kind == "incremental"
    assert approx(third.processes[memfd.pid].bytes.shmem, 96 * MiB)


def test_rescan_forgets_exited_processes(hog):
    scanner = Scanner(with_nvidia=False)
    gone = hog("memfd", 16 * MiB)
    assert gone.pid in scanner.scan().processes
    gone.stop()
    assert gone.pid not in scanner.scan().processes


def test_rescan_rereads_every_mapper_when_one_of_them_maps_more(hog):
    """A second mapper touching the same pages halves the first one's Pss without changing its
    RssShmem: the first one's smaps must be re-read too, or the mapped part is counted 1.5 times
    and the hidden part shrinks."""
    shared = hog("memfd-shared-map", 64 * MiB, forks=1)  # 64 MiB resident, 32 MiB mapped
    scanner = Scanner(with_nvidia=False)

    def hidden_total(snap) -> int:
        return sum(snap.processes[p].bytes.shmem for p in shared.pids)

    assert approx(hidden_total(scanner.scan(full=True)), 32 * MiB)
    os.kill(shared.children[0], signal.SIGUSR1)  # the child maps the parent's 32 MiB too
    shared.wait_for("touched")
    rescan = scanner.scan()
    assert rescan.scan_kind == "incremental"
    assert approx(hidden_total(rescan), 32 * MiB), [
        (p, rescan.processes[p].bytes.shmem) for p in shared.pids
    ]
    assert approx(hidden_total(scanner.scan(full=True)), 32 * MiB)


_FD_SWAPPER = r"""
import os, sys
fd = os.memfd_create("memwarden-test-swapped")
os.write(fd, b"\x5a" * (16 << 20))
print(fd, flush=True)
sys.stdin.readline()
os.dup2(os.open(sys.argv[1], os.O_RDONLY), fd)  # the same number, now a file on disk
print("swapped", flush=True)
sys.stdin.readline()
"""


def test_full_scan_forgets_the_kind_of_an_fd_number_now_used_by_another_file(tmp_path):
    """An fd number that held a memfd and now holds an 8 MiB file on disk: the full scan must
    classify the number afresh, not keep "memfd" and count the file's blocks as hidden memory."""
    ram_fs = read_mount_table()
    disks = [d for d in (tmp_path, Path("/var/tmp")) if not ram_fs.is_ram_backed(str(d))]
    if not disks:
        pytest.skip("no disk-backed folder to write to")
    on_disk = disks[0] / f"memwarden-test-{uuid.uuid4().hex}"
    on_disk.write_bytes(b"l" * (8 * MiB))
    try:
        with subprocess.Popen(
            [sys.executable, "-c", _FD_SWAPPER, str(on_disk)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        ) as child:
            assert child.stdin is not None and child.stdout is not None
            try:
                child.stdout.readline()
                scanner = Scanner(with_nvidia=False)
                assert approx(scanner.scan(full=True).processes[child.pid].bytes.shmem, 16 * MiB)
                child.stdin.write("swap\n")
                child.stdin.flush()
                assert child.stdout.readline().strip() == "swapped"
                rec = scanner.scan(full=True).processes[child.pid]
                assert rec.bytes.shmem == 0, rec.shares
            finally:
                child.kill()
    finally:
        on_disk.unlink()
