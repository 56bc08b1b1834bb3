# SPDX-License-Identifier: GPL-3.0-or-later
"""Safety checks of the killer, run as PID 1 of a fresh PID namespace (see test_killer.py).

Each check starts its own victims, asks the real Killer to close them under a condition that must
stop it (a reused pid, a gone pid, a guard's refusal, PID 1, itself, another user's process), and
reports what happened. Running in a namespace means a broken killer can only hit this namespace.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from memwarden.core.cgroup2 import read_cgroup2_mount
from memwarden.core.pid_stat import read_pid_stat
from memwarden.monitor.killer import Killer


def starttime(pid: int) -> int:
    return read_pid_stat(pid).starttime_ticks


def alive(proc: subprocess.Popen[bytes]) -> bool:
    return proc.poll() is None


def sleeper(*prefix: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*prefix, "sleep", "60"])


def no_guard(_pid: int) -> str | None:
    return None


async def close(killer: Killer, pids: dict[int, int], **kw: object) -> dict[str, object]:
    out = await killer.close(pids, graceful=kw.pop("graceful", True), grace_s=1.0,  # type: ignore[arg-type]
                             guard=kw.pop("guard", no_guard), **kw)  # type: ignore[arg-type]
    return {"signalled": out.signalled, "exited": out.exited, "method": out.method,
            "skipped": {str(k): v for k, v in out.skipped.items()}, "escalated": out.escalated}


async def main() -> None:
    assert os.getpid() == 1
    killer = Killer()
    results: dict[str, object] = {}

    victim = sleeper()
    results["reused"] = {**await close(killer, {victim.pid: starttime(victim.pid) + 1}),
                         "alive": alive(victim)}

    gone = sleeper()
    st = starttime(gone.pid)
    gone.kill()
    gone.wait()
    results["gone"] = await close(killer, {gone.pid: st})

    refused = sleeper()
    results["guard"] = {**await close(killer, {refused.pid: starttime(refused.pid)},
                                      guard=lambda pid: "protected"),
                        "alive": alive(refused)}

    results["init"] = await close(killer, {1: starttime(1)})
    results["self"] = {**await close(killer, {os.getpid(): starttime(os.getpid())}),
                       "alive": True}

    other = subprocess.Popen(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                              "sleep", "60"])
    time.sleep(0.2)  # let setpriv exec sleep: the uid check reads the running program's status
    results["other_user"] = {**await close(killer, {other.pid: starttime(other.pid)}),
                             "alive": alive(other)}

    # The positive control: the same killer does close an allowed victim (so the checks above
    # could have failed).
    allowed = sleeper()
    results["allowed"] = {**await close(killer, {allowed.pid: starttime(allowed.pid)}),
                          "pid": allowed.pid}
    allowed.wait(timeout=5)
    results["allowed"]["alive"] = alive(allowed)  # type: ignore[index]

    # A child forked during the grace period is part of the app and is killed too.
    parent = subprocess.Popen([sys.executable, "-c", (
        "import os, signal, time\n"
        "signal.signal(signal.SIGTERM, lambda *a: os.fork() or time.sleep(60))\n"
        "print(os.getpid(), flush=True)\n"
        "time.sleep(60)\n")], stdout=subprocess.PIPE)
    assert parent.stdout is not None
    parent.stdout.readline()
    out = await close(killer, {parent.pid: starttime(parent.pid)})
    results["forked_during_grace"] = {**out, "pid": parent.pid}

    # A child that setsid()ed away before the snapshot was counted as an app of its own: the
    # SIGKILL sweep after the grace period must not take it with its parent.
    stubborn = subprocess.Popen([sys.executable, "-c", (
        "import os, signal, subprocess, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "child = subprocess.Popen(['setsid', 'sleep', '60'])\n"
        "time.sleep(0.2)\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(60)\n")], stdout=subprocess.PIPE, text=True)
    assert stubborn.stdout is not None
    own_app = int(stubborn.stdout.readline())
    known = {p: starttime(p) for p in (stubborn.pid, own_app)}
    out = await close(killer, {stubborn.pid: known[stubborn.pid]}, known=known)
    stubborn.wait(timeout=10)
    results["setsid_child"] = {**out, "parent": stubborn.pid, "child": own_app,
                               "child_alive": os.path.exists(f"/proc/{own_app}")
                               and read_pid_stat(own_app).state not in ("Z", "X")}
    stubborn.stdout.close()
    os.kill(own_app, signal.SIGKILL)

    results["cgroup_kill"] = await cgroup_kill_check()
    results["cgroup_mixed"] = await cgroup_mixed_check()

    for proc in (victim, refused, other):
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    print(json.dumps(results))


async def cgroup_kill_check() -> dict[str, object]:
    """An app in its own cgroup v2 scope: cgroup.kill takes every process in it, including one
    that setsid()ed away and one the snapshot never saw."""
    mount = read_cgroup2_mount()
    if mount is None:
        return {"unavailable": "no cgroup v2 hierarchy"}
    cgroup = f"/memwarden-test-{os.getpid()}-{time.monotonic_ns()}.scope"
    directory = mount.dir_of(cgroup)
    assert directory is not None
    directory.mkdir()
    try:
        if not (directory / "cgroup.kill").exists():
            return {"unavailable": "kernel without cgroup.kill (< 5.14)"}
        app = sleeper()
        escaped = subprocess.Popen(["setsid", "sleep", "60"])
        for proc in (app, escaped):
            (directory / "cgroup.procs").write_text(str(proc.pid))
        killer = Killer(cgroup2=mount)
        out = await close(killer, {app.pid: starttime(app.pid)}, cgroups=(cgroup,),
                          graceful=False)
        for proc in (app, escaped):
            proc.wait(timeout=5)
        return {**out, "method": "cgroup" if out["signalled"] else "none",
                "app": app.pid, "escaped": escaped.pid,
                "returncodes": [app.returncode, escaped.returncode]}
    finally:
        for _ in range(50):
            try:
                directory.rmdir()
                break
            except OSError:
                time.sleep(0.05)


async def cgroup_mixed_check() -> dict[str, object]:
    """A scope that also holds another user's process (a delegated scope) or a process the
    snapshot counted as another app: cgroup.kill must not be used; the app's own process is
    closed by pidfd and the others live."""
    mount = read_cgroup2_mount()
    if mount is None:
        return {"unavailable": "no cgroup v2 hierarchy"}
    results: dict[str, object] = {}
    for case in ("other_uid", "other_app"):
        cgroup = f"/memwarden-test-{case}-{os.getpid()}-{time.monotonic_ns()}.scope"
        directory = mount.dir_of(cgroup)
        assert directory is not None
        directory.mkdir()
        try:
            if not (directory / "cgroup.kill").exists():
                return {"unavailable": "kernel without cgroup.kill (< 5.14)"}
            app = sleeper()
            if case == "other_uid":
                other = subprocess.Popen(["setpriv", "--reuid=65534", "--regid=65534",
                                          "--clear-groups", "sleep", "60"])
                time.sleep(0.2)  # until setpriv has exec'd sleep as nobody
            else:
                other = sleeper()
            for proc in (app, other):
                (directory / "cgroup.procs").write_text(str(proc.pid))
            known = {p.pid: starttime(p.pid) for p in (app, other)}
            out = await close(Killer(cgroup2=mount), {app.pid: known[app.pid]},
                              cgroups=(cgroup,), graceful=False, known=known)
            app.wait(timeout=5)
            results[case] = {**out, "app": app.pid, "other": other.pid,
                             "other_alive": alive(other), "app_rc": app.returncode}
            other.kill()
            other.wait()
        finally:
            for _ in range(50):
                try:
                    directory.rmdir()
                    break
                except OSError:
                    time.sleep(0.05)
    return results


if __name__ == "__main__":
    asyncio.run(main())
