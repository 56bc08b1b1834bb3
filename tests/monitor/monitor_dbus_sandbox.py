# SPDX-License-Identifier: GPL-3.0-or-later
"""PID 1 of a D-Bus API test's PID namespace: runs the monitor, starts hogs when asked.

Started by :class:`monitor_dbus_lib.Sandbox` as ``unshare --pid --fork --mount-proc python THIS
SPEC`` so that the monitor under test sees, and can signal, only the processes started here; when
this script exits the kernel kills whatever is left in the namespace. (Without PID namespaces it
runs as a plain child; the tests that could signal anything then skip.)

SPEC (JSON): ``monitor_args`` (flags after ``memwarden monitor``), ``log`` (file for the monitor's
stdout and stderr), ``hogs`` (label -> start_hog arguments with ``size_mib``: started, memory in
place, before the monitor starts, so it never sees them grow). Commands arrive as JSON lines on
stdin, one answer per line on stdout:

* ``{"op": "hogs"}`` → ``{label: {"pid", "pids", "program"}}`` of the SPEC's hogs
* ``{"op": "hog", "kind": …, "size_mib": …, "name": …, …}`` → ``{"pid", "pids", "program"}``
  (start_hog)
* ``{"op": "spawn", "argv": [...]}`` → ``{"pid"}``: any program (stopped at the end)
* ``{"op": "alive", "pids": [...]}`` → ``{"alive": [bool, ...]}``
* ``{"op": "monitor"}`` → ``{"pid", "rc"}`` (``rc`` null while it runs)
* ``{"op": "run_monitor", "args": [...], "timeout_s": N}`` → ``{"rc", "output"}``: run another
  monitor to completion (the single-instance test)
* ``{"op": "leak", "label": …}`` → ``{}``: the SPEC's leak hog starts growing
* ``{"op": "states", "pids": [...]}`` → ``{"states": ["S", "T", …, null]}``: each process's state
  (``/proc/PID/stat``; null when gone)
* ``{"op": "stop_monitor"}`` → ``{"rc"}``: SIGTERM to the monitor, the hogs kept
* ``{"op": "stop"}`` or end of input → ``{"rc"}`` (the monitor's exit status after SIGTERM), exit
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for hogs

from hogs import Hog, MiB, alive, start_hog

#: The monitor's address space limit: ~100 MB are used; a monitor that reads an endless file
#: (old code on a config.toml -> /dev/zero) dies of MemoryError here instead of taking the test
#: machine's memory first.
MONITOR_RLIMIT_AS = 2 << 30


def monitor_command(args: list[str]) -> list[str]:
    return [sys.executable, "-m", "memwarden", "monitor", *args]


def limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MONITOR_RLIMIT_AS, MONITOR_RLIMIT_AS))


def stop_monitor(monitor: subprocess.Popen[bytes]) -> int:
    if monitor.poll() is None:
        monitor.terminate()
        try:
            return monitor.wait(timeout=15)
        except subprocess.TimeoutExpired:
            monitor.kill()
    return monitor.wait(timeout=15)


def process_state(pid: int) -> str | None:
    """The state letter of ``/proc/PID/stat`` (``T``: stopped), or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2]


def answer(doc: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(doc) + "\n")
    sys.stdout.flush()


def start(args: dict[str, Any]) -> Hog:
    kwargs = {k: v for k, v in args.items() if k != "size_mib"}
    return start_hog(size=args.get("size_mib", 0) * MiB, **kwargs)


def main() -> None:
    spec = json.loads(sys.argv[1])
    labelled = {label: start(args) for label, args in spec.get("hogs", {}).items()}
    hogs: list[Hog] = list(labelled.values())
    spawned: list[subprocess.Popen[bytes]] = []
    with open(spec["log"], "ab") as log:
        monitor = subprocess.Popen(
            monitor_command(spec["monitor_args"]),
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, preexec_fn=limit_address_space,
        )  # fmt: skip
    rc: int | None = None
    try:
        for line in sys.stdin:
            cmd = json.loads(line)
            op = cmd.pop("op")
            try:
                if op == "hogs":
                    answer({k: {"pid": h.pid, "pids": h.pids, "program": h.program}
                            for k, h in labelled.items()})
                elif op == "hog":
                    hog = start(cmd)
                    hogs.append(hog)
                    answer({"pid": hog.pid, "pids": hog.pids, "program": hog.program})
                elif op == "spawn":
                    spawned.append(subprocess.Popen(cmd["argv"], stdin=subprocess.DEVNULL,
                                                    stdout=subprocess.DEVNULL,
                                                    stderr=subprocess.DEVNULL))
                    answer({"pid": spawned[-1].pid})
                elif op == "alive":
                    answer({"alive": [alive(p) for p in cmd["pids"]]})
                elif op == "leak":
                    labelled[cmd["label"]].start_leak()
                    answer({})
                elif op == "states":
                    answer({"states": [process_state(p) for p in cmd["pids"]]})
                elif op == "stop_monitor":
                    rc = stop_monitor(monitor)
                    answer({"rc": rc})
                elif op == "monitor":
                    answer({"pid": monitor.pid, "rc": monitor.poll()})
                elif op == "run_monitor":
                    out = subprocess.run(
                        monitor_command(cmd["args"]), stdin=subprocess.DEVNULL,
                        preexec_fn=limit_address_space,
                        capture_output=True, text=True, timeout=cmd.get("timeout_s", 30),
                        check=False,
                    )  # fmt: skip
                    answer({"rc": out.returncode, "output": out.stdout + out.stderr})
                elif op == "stop":
                    break
                else:
                    answer({"error": f"unknown op {op!r}"})
            except Exception as exc:  # report to the test instead of dying silently
                answer({"error": f"{type(exc).__name__}: {exc}"})
    finally:
        rc = stop_monitor(monitor)
        for hog in hogs:
            hog.stop()
        for child in spawned:
            child.kill()
            child.wait()
    answer({"rc": rc})
    os._exit(0)


if __name__ == "__main__":
    main()
