# SPDX-License-Identifier: GPL-3.0-or-later
"""A synthetic desktop for benchmarks: a few hundred processes holding tens of thousands of fds.

One parent forks the processes (cheap: copy-on-write), so starting 300 of them takes about a second
and little memory. Each child holds pipes, sockets, /dev/null, a regular file, its own small memfd,
and inherits shared memfds and /dev/shm files from the parent; a third of them map a shared memfd,
as Wayland clients map their buffers. Everything is released when :meth:`SyntheticDesktop.stop`
kills the process group.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import uuid
from dataclasses import dataclass

_SCRIPT = textwrap.dedent(
    r"""
    import mmap, os, signal, socket, sys
    n_procs, shm_dir = int(sys.argv[1]), sys.argv[2]
    MiB = 1 << 20
    shared = []
    for i in range(5):                                  # shared memfds: every child inherits them
        fd = os.memfd_create(f"bench-shared-{i}")
        os.write(fd, b"s" * (4 * MiB))
        shared.append(fd)
    for i in range(3):                                  # /dev/shm files, unlinked, inherited
        path = f"{shm_dir}-{i}"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        os.write(fd, b"t" * (2 * MiB))
        os.unlink(path)
        shared.append(fd)
    children = []
    for index in range(n_procs):
        pid = os.fork()
        if pid:
            children.append(pid)
            continue
        keep = []
        for _ in range(10):
            keep += os.pipe()
            keep += [s.detach() for s in socket.socketpair()]
        for _ in range(10):
            keep.append(os.open("/dev/null", os.O_RDONLY))
        keep.append(os.open(sys.executable, os.O_RDONLY))
        own = os.memfd_create(f"bench-own-{index}")
        os.write(own, b"o" * MiB)
        if index % 3 == 0:                              # a third map a shared buffer and touch half
            m = mmap.mmap(shared[index % 5], 4 * MiB)
            m[: 2 * MiB] = b"m" * (2 * MiB)
            keep.append(m)
        print("ready", flush=True)
        while True:
            signal.pause()
    signal.pause()
    """
)


@dataclass
class SyntheticDesktop:
    """The running synthetic desktop."""

    proc: subprocess.Popen[str]
    pids: list[int]

    def stop(self) -> None:
        """Kill every process of it."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def fd_count(self) -> int:
        """How many fds the synthetic processes hold right now."""
        return sum(len(os.listdir(f"/proc/{pid}/fd")) for pid in self.pids)


def start(n_procs: int = 300) -> SyntheticDesktop:
    """Start the synthetic desktop and wait until every process holds its fds."""
    shm = f"/dev/shm/memwarden-bench-{uuid.uuid4().hex}"
    proc = subprocess.Popen(
        [sys.executable, "-c", _SCRIPT, str(n_procs), shm],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None
    for _ in range(n_procs):
        if not proc.stdout.readline():
            raise RuntimeError("synthetic desktop died while starting")
    children = [
        int(p)
        for p in os.listdir("/proc")
        if p.isdigit() and _ppid(int(p)) == proc.pid
    ]
    return SyntheticDesktop(proc, [proc.pid, *children])


def _ppid(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rpartition(")")[2].split()[1])
    except (OSError, ValueError, IndexError):
        return -1
