# SPDX-License-Identifier: GPL-3.0-or-later
"""The scan keeps going when processes vanish mid-scan or belong to another user."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hogs import MiB
from memwarden.core.scanner import Scanner

APP_DIR = Path(__file__).resolve().parents[2] / "app"


class VanishingScanner(Scanner):
    """Kills (and reaps) a victim right after its stat/status were read: the reads that follow hit
    the kernel's real errors for a process that is gone."""

    def __init__(self, victim: subprocess.Popen[bytes]) -> None:
        super().__init__(with_nvidia=False)
        self.victim = victim
        self.killed = False

    def _read_holdings(self, pid, state, status, *, incremental):  # type: ignore[no-untyped-def]
        if pid == self.victim.pid and not self.killed:
            self.victim.kill()
            self.victim.wait()
            self.killed = True
        return super()._read_holdings(pid, state, status, incremental=incremental)


def test_process_that_exits_mid_scan_is_dropped_not_an_error():
    victim = subprocess.Popen(["sleep", "60"])
    scanner = VanishingScanner(victim)
    snap = scanner.scan(full=True)
    assert scanner.killed
    assert victim.pid not in snap.processes
    assert os.getpid() in snap.processes


def test_pid_listed_but_gone_is_skipped(tmp_path: Path):
    """A /proc entry that disappears between the listing and the reads."""
    gone = subprocess.Popen(["sleep", "60"])
    alive = subprocess.Popen(["sleep", "60"])
    try:
        shutil.copy("/proc/meminfo", tmp_path / "meminfo")
        (tmp_path / "self").symlink_to("/proc/self")
        for p in (gone, alive):
            (tmp_path / str(p.pid)).symlink_to(f"/proc/{p.pid}")
        gone.kill()
        gone.wait()
        snap = Scanner(tmp_path, with_nvidia=False).scan()
        assert set(snap.processes) == {alive.pid}
        assert snap.pressure is None  # no pressure/ in this tree: PSI reported as off
    finally:
        alive.kill()
        alive.wait()


@pytest.fixture
def churn() -> Iterator[None]:
    """Start and reap short-lived processes continuously while the test scans."""
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            subprocess.run(["true"], check=False)

    workers = [threading.Thread(target=run) for _ in range(2)]
    for w in workers:
        w.start()
    yield
    stop.set()
    for w in workers:
        w.join()


def test_scans_survive_process_churn(churn):
    scanner = Scanner(with_nvidia=False)
    for i in range(15):
        snap = scanner.scan(full=i % 3 == 0)
        assert os.getpid() in snap.processes


@pytest.fixture
def world_readable_app() -> Iterator[Path]:
    """A copy of app/ that another user can import (the checkout may sit in a 0700 home)."""
    root = Path(tempfile.mkdtemp(prefix="memwarden-app-", dir="/tmp"))
    shutil.copytree(APP_DIR / "memwarden", root / "memwarden",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for dirpath, _dirs, _files in os.walk(root):
        os.chmod(dirpath, 0o755)
    yield root
    shutil.rmtree(root)


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="runuser needs root")

_SCAN_AS_OTHER_USER = """
import json, sys
sys.path.insert(0, sys.argv[1])
from memwarden.core.scanner import Scanner
snap = Scanner(with_nvidia=False).scan()
rec = snap.processes[int(sys.argv[2])]
print(json.dumps({"uid": rec.identity.uid, "readable": rec.hidden_readable,
                  "reason": rec.unreadable_reason, "resident": rec.bytes.resident,
                  "shmem": rec.bytes.shmem, "oom_score": rec.oom_score,
                  "app": snap.app_by_pid(rec.pid).id, "unreadable": snap.unreadable_count}))
"""


@pytest.mark.root
@needs_root
def test_other_users_process_is_listed_as_unreadable_with_its_kernel_view(hog, world_readable_app):
    memfd = hog("memfd", 32 * MiB)  # root's process, holding hidden memory
    python = shutil.which("python3", path="/usr/bin") or sys.executable
    out = subprocess.run(
        ["runuser", "-u", "nobody", "--", python, "-c", _SCAN_AS_OTHER_USER,
         str(world_readable_app), str(memfd.pid)],
        capture_output=True, text=True, check=True, timeout=120,
    )
    seen = json.loads(out.stdout)
    assert seen["uid"] == 0
    assert seen["readable"] is False and seen["reason"] == "access-denied"
    assert seen["shmem"] == 0  # the hidden view is unknown, not invented
    assert seen["resident"] > 0  # status is world-readable: the kernel view is exact
    assert seen["oom_score"] == int(Path(f"/proc/{memfd.pid}/oom_score").read_text())
    assert seen["unreadable"] > 0


@pytest.mark.root
@needs_root
def test_process_of_another_user_is_attributed_to_that_user():
    other = subprocess.Popen(["runuser", "-u", "nobody", "--", "sleep", "60"],
                             start_new_session=True)
    try:
        snap = Scanner(with_nvidia=False).scan()
        # runuser forks: the sleep is its child (or runuser itself, once it has exec'd).
        for _ in range(100):
            sleepers = [p for p, r in snap.processes.items()
                        if r.identity.comm == "sleep" and other.pid in (p, r.identity.ppid)]
            if sleepers:
                break
            time.sleep(0.05)
            snap = Scanner(with_nvidia=False).scan()
        sleeper = sleepers[0]
        rec = snap.processes[sleeper]
        assert rec.identity.uid == 65534
        assert rec.hidden_readable  # we are root: we can read it
        app = snap.app_by_pid(sleeper)
        assert app is not None and app.identity.uid == 65534
    finally:
        os.killpg(other.pid, signal.SIGKILL)
        other.wait()
