# SPDX-License-Identifier: GPL-3.0-or-later
"""Real memory hogs for tests: child processes that really hold memfd, tmpfs, SysV and anon memory.

Each hog runs under its own ``sh`` session leader, as a program started from a terminal would, so
app grouping sees it as an app of its own. It prints ``ready <pid> [<child pid>...]`` once its
memory is in place and then sleeps until killed; :meth:`Hog.stop` kills the whole process group.
Sizes are explicit and small (hundreds of MiB at most), so a test can never exhaust the machine.

Every hog runs as a script file of its own (``Hog.program``, in a fresh directory): that path is
what a rule names it by, as a person's rule names a program. Its ``comm`` (``name``) is a separate
choice, so a test can give a hog the name of another program, as a hostile one would.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

MiB = 1024 * 1024

# One script, several behaviours, chosen by argv: keeps every hog's code in one reviewed place.
_HOG_SCRIPT = textwrap.dedent(
    r"""
    import ctypes, mmap, os, signal, sys
    kind, size, forks = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    extra = sys.argv[4] if len(sys.argv) > 4 else ""
    name, on_term = sys.argv[5], sys.argv[6]
    child_name = sys.argv[7] if len(sys.argv) > 7 else ""
    MiB = 1 << 20
    try:                                               # a known start: adj 0, whatever was
        with open("/proc/self/oom_score_adj", "w") as f:   # inherited (a raised parent's value)
            f.write("0")
    except OSError:
        pass
    if name:                                           # comm, as `ps` and the rules see it
        ctypes.CDLL(None).prctl(15, name.encode(), 0, 0, 0)   # PR_SET_NAME
    if on_term == "ignore":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    elif on_term == "handle":                          # a clean exit, as an app saving its work
        signal.signal(signal.SIGTERM, lambda *_: (print("term", flush=True), os._exit(0)))
    chunk = b"\x5a" * MiB
    keep = []

    def fill_fd(fd, n):
        for _ in range(n // MiB):
            os.write(fd, chunk)

    if kind == "anon":
        keep.append(b"\x01" * size)                    # bytes * n touches every page
    elif kind == "memfd":                              # written, never mapped: OOM killer is blind
        fd = os.memfd_create("memwarden-test-hog")
        fill_fd(fd, size)
        keep.append(fd)

        def grow(_sig, _frame):                        # SIGUSR1: write as much again, same fd
            fill_fd(fd, size)
            print("grown", flush=True)
        signal.signal(signal.SIGUSR1, grow)
    elif kind == "memfd-mapped":                       # mapped and touched: in RssShmem
        fd = os.memfd_create("memwarden-test-mapped")
        os.ftruncate(fd, size)
        m = mmap.mmap(fd, size)
        for off in range(0, size, MiB):
            m[off:off + MiB] = chunk
        keep += [fd, m]
    elif kind == "memfd-shared-map":                   # written in full, half mapped by the parent;
        fd = os.memfd_create("memwarden-test-shared")  # forks map the same half on SIGUSR1
        fill_fd(fd, size)
        m = mmap.mmap(fd, size)
        half = size // 2

        def touch_half(*_):
            for off in range(0, half, mmap.PAGESIZE):
                m[off]
            print("touched", flush=True)
        touch_half()
        signal.signal(signal.SIGUSR1, touch_half)      # fork copies no PTE of a shared mapping
        keep += [fd, m]
    elif kind == "devshm-open":                        # /dev/shm file, unlinked, kept open
        path = extra
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        fill_fd(fd, size)
        os.unlink(path)
        keep.append(fd)
    elif kind == "sysv":                               # SysV segment, attached and touched half
        libc = ctypes.CDLL(None, use_errno=True)
        libc.shmat.restype = ctypes.c_void_p
        IPC_PRIVATE, IPC_CREAT, IPC_RMID = 0, 0o1000, 0
        shmid = libc.shmget(IPC_PRIVATE, ctypes.c_size_t(size), IPC_CREAT | 0o600)
        addr = libc.shmat(shmid, None, 0)
        if shmid < 0 or addr in (None, ctypes.c_void_p(-1).value):
            raise OSError(ctypes.get_errno(), "shmget/shmat")
        ctypes.memset(addr, 0x5A, size // 2)
        libc.shmctl(shmid, IPC_RMID, None)             # freed once the last process detaches
        print("shmid", shmid, flush=True)
    elif kind in ("leak-memfd", "leak-anon"):          # grow by CHUNK MiB every PERIOD ms, to size
        chunk_mib, period_ms = (int(v) for v in extra.split(":"))
        leak_fd = os.memfd_create("memwarden-test-leak") if kind == "leak-memfd" else None
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2})  # SIGUSR2 starts the leak
    elif kind == "idle":
        pass
    else:
        raise SystemExit("unknown hog kind " + kind)

    children = []
    for _ in range(forks):                             # children inherit fds and mappings
        pid = os.fork()
        if pid == 0:
            if child_name:
                ctypes.CDLL(None).prctl(15, child_name.encode(), 0, 0, 0)
            while True:                                # a handled signal returns from pause()
                signal.pause()
        children.append(pid)
    print("ready", os.getpid(), *children, flush=True)
    if kind.startswith("leak-"):
        import time
        signal.sigwait({signal.SIGUSR2})
        held = 0
        while held + chunk_mib * MiB <= size:
            time.sleep(period_ms / 1000)
            if leak_fd is not None:
                fill_fd(leak_fd, chunk_mib * MiB)
            else:
                keep.append(b"\x01" * (chunk_mib * MiB))
            held += chunk_mib * MiB
        print("capped", flush=True)
    while True:
        signal.pause()
    """
)


# A synthetic browser: a main process, a GPU process and four renderers (argv --type=renderer,
# oom_score_adj 300, as Chromium sets its renderers'), each holding some anonymous memory; the
# process named by --leak-in (main or renderer: the first renderer) writes an unmapped memfd once
# SIGUSR2 comes (CHUNK_MIB every PERIOD_MS, up to the cap). The main process prints
# "ready <main pid> <gpu pid> <renderer pids...>" when all of them hold their memory.
_BROWSER_SCRIPT = textwrap.dedent(
    r"""
    import os, signal, subprocess, sys, time
    args = dict(a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("--") and "=" in a)
    role, leak_in = args.get("type", "browser"), args.get("leak-in", "")
    cap, chunk_mib, period_ms = (int(v) for v in args["leak"].split(":"))
    MiB = 1 << 20
    keep = [b"\x01" * ((200 if role == "browser" else 40) * MiB)]
    leaks = (role == "browser" and leak_in == "main") or (
        role == "renderer" and leak_in == "renderer" and args.get("renderer-client-id") == "0")
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2})
    if role == "renderer":
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("300")
    children = []
    if role == "browser":
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("0")
        base = [sys.executable, sys.argv[0], f"--leak={args['leak']}", f"--leak-in={leak_in}"]
        kinds = [["--type=gpu-process"]] + [
            ["--type=renderer", f"--renderer-client-id={i}"] for i in range(4)]
        for extra in kinds:
            child = subprocess.Popen(base + extra, stdout=subprocess.PIPE, text=True)
            assert child.stdout.readline().strip() == "ready"
            children.append(child)
        print("ready", os.getpid(), *[c.pid for c in children], flush=True)
    else:
        print("ready", flush=True)
    if leaks:
        signal.sigwait({signal.SIGUSR2})
        fd = os.memfd_create("browser-leak")
        block = b"\x5a" * (chunk_mib * MiB)
        held = 0
        while held + chunk_mib * MiB <= cap * MiB:
            time.sleep(period_ms / 1000)
            os.write(fd, block)
            held += chunk_mib * MiB
    while True:
        time.sleep(3600)
    """
)


@dataclass
class Hog:
    """A running hog. ``pid`` is the hog itself, ``children`` its forks, ``leader`` the shell."""

    leader: subprocess.Popen[str]
    pid: int
    kind: str = ""
    children: list[int] = field(default_factory=list)
    info: dict[str, str] = field(default_factory=dict)
    program: str = ""

    @property
    def pids(self) -> list[int]:
        """The hog and its children (the app the tests expect)."""
        return [self.pid, *self.children]

    def wait_for(self, word: str) -> None:
        """Read the hog's output up to a line starting with ``word``."""
        assert self.leader.stdout is not None
        for line in self.leader.stdout:
            if line.split()[:1] == [word]:
                return
        raise RuntimeError(f"hog exited before saying {word!r}")

    def start_leak(self) -> None:
        """Let a leak hog start growing (others ignore this)."""
        if self.kind.startswith("leak-"):
            os.kill(self.pid, signal.SIGUSR2)
        elif self.kind == "browser":  # every process of it: the leaking one waits for it
            for pid in self.pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGUSR2)

    def stop(self) -> None:
        """Kill the whole process group and reap the shell."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.leader.pid, signal.SIGKILL)
        self.leader.wait(timeout=30)
        if self.leader.stdout:
            self.leader.stdout.close()
        if self.program:
            shutil.rmtree(os.path.dirname(self.program), ignore_errors=True)


def start_hog(
    kind: str,
    size: int = 0,
    *,
    forks: int = 0,
    extra: str = "",
    name: str = "",
    on_term: str = "default",
    program: str = "",
    directory: str = "",
    child_name: str = "",
) -> Hog:
    """Start a hog and wait until its memory is in place.

    Args:
        kind: ``anon``, ``memfd``, ``memfd-mapped``, ``memfd-shared-map``, ``devshm-open``,
            ``sysv``, ``idle``, a leak, ``leak-memfd``/``leak-anon``, growing after it is ready up
            to ``size``, or ``browser`` (a synthetic browser whose ``extra`` says where it leaks,
            ``main`` or ``renderer``, and optionally at what pace: ``renderer,64:100``).
        size: Bytes to hold (a multiple of 1 MiB), the cap for a leak.
        forks: Children to fork after the memory is in place (they share fds and mappings).
        extra: Kind-specific argument: the path for ``devshm-open``, ``CHUNK_MIB:PERIOD_MS`` for
            a leak.
        name: The process name (comm) to set (``prctl``), as any program may.
        on_term: ``default`` (SIGTERM kills), ``ignore`` or ``handle`` (print "term", exit 0).
        program: The file name of the hog's script (default ``<name or kind>.py``), in a fresh
            directory readable by everyone (tests run hogs as other users too).
        directory: An empty directory to write the script to instead (a test that must know
            the program's path before the hog starts); removed with the hog.
        child_name: The comm its forked children give themselves (default: the hog's).
    """
    directory = directory or tempfile.mkdtemp(prefix="memwarden-hog-")
    os.makedirs(directory, exist_ok=True)
    os.chmod(directory, 0o755)
    script = os.path.join(directory, program or f"{name or kind}.py")
    with open(script, "w") as f:
        f.write(_BROWSER_SCRIPT if kind == "browser" else _HOG_SCRIPT)
    os.chmod(script, 0o644)
    if kind == "browser":
        # extra: where the leak is ("main" or "renderer"), then CHUNK_MIB:PERIOD_MS
        leak_in, _, pace = extra.partition(",")
        args = [sys.executable, script, f"--leak={size // MiB}:{pace or '64:100'}",
                f"--leak-in={leak_in}"]  # fmt: skip
    else:
        args = [sys.executable, script, kind, str(size), str(forks), extra, name, on_term,
                child_name]  # fmt: skip
    # `sh -c '"$@" & wait'`: the shell leads a new session (like a terminal's shell) and the hog is
    # its child, not its replacement.
    leader = subprocess.Popen(
        ["sh", "-c", '"$@" & wait', "sh", *args],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    hog = Hog(leader, pid=-1, kind=kind, program=script)
    assert leader.stdout is not None
    for line in leader.stdout:
        words = line.split()
        if words and words[0] == "ready":
            hog.pid = int(words[1])
            hog.children = [int(w) for w in words[2:]]
            return hog
        if len(words) == 2:
            hog.info[words[0]] = words[1]
    hog.stop()
    raise RuntimeError(f"hog {kind} exited before it was ready (rc={leader.wait()})")


def available_mib() -> int:
    """``MemAvailable + SwapFree`` now, in MiB: the monitor's measure, for relative thresholds."""
    fields = {}
    for line in Path("/proc/meminfo").read_text().splitlines():
        key, _, rest = line.partition(":")
        fields[key] = int(rest.split()[0])
    return (fields["MemAvailable"] + fields["SwapFree"]) // 1024


def highest_threshold_mib() -> int:
    """The highest absolute threshold the monitor accepts here: 1 MiB below RAM + swap. Always
    above what is available (the kernel alone uses more than that), so it always holds."""
    fields = {}
    for line in Path("/proc/meminfo").read_text().splitlines():
        key, _, rest = line.partition(":")
        fields[key] = int(rest.split()[0])
    return (fields["MemTotal"] + fields["SwapTotal"]) // 1024 - 1


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie has exited: it is dead for our purposes)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")
