# SPDX-License-Identifier: GPL-3.0-or-later
"""Run one monitor scenario inside its own PID namespace (this script is the namespace's PID 1).

Started by tests/monitor/conftest.py as ``unshare --pid --fork --mount-proc python scenario.py
SPEC``: the monitor under test sees and can signal only the processes started here, and when this
script exits the kernel kills whatever is left in the namespace. Thresholds are relative to the
memory available when the scenario starts, and every hog has a cap.

SPEC (JSON): ``hogs`` (list of start_hog keyword arguments, each with a ``label``),
``close_after_mib`` (the monitor closes an app once that much more memory is in use),
``warn_after_mib``, ``monitor_args`` (extra flags; ``{program:LABEL}`` in one is replaced by that
hog's program path), ``until`` (stop after this many ``killed`` events), ``timeout_s``. Prints
one JSON document: the events, and for each hog its pids and whether they are still alive.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for hogs

from hogs import MiB, alive, available_mib, start_hog


def _with_programs(arg: str, hogs: dict) -> str:  # type: ignore[type-arg]
    for label, hog in hogs.items():
        arg = arg.replace(f"{{program:{label}}}", hog.program)
    return arg


def main() -> None:
    spec = json.loads(sys.argv[1])
    assert os.getpid() == 1, "run me in a PID namespace"
    hogs = {}
    for h in spec["hogs"]:
        kwargs = {k: v for k, v in h.items() if k != "label"}
        kwargs["size"] = kwargs.get("size_mib", 0) * MiB
        kwargs.pop("size_mib", None)
        hogs[h["label"]] = start_hog(**kwargs)
    avail0 = available_mib()
    args = [
        sys.executable, "-m", "memwarden", "monitor", "--json-events",
        "--no-config", "--no-dbus", "--no-helper",
        "--kill-below-mib", str(avail0 - spec["close_after_mib"]),
        "--warn-below-mib", str(avail0 - spec["warn_after_mib"]),
        *(_with_programs(arg, hogs) for arg in spec.get("monitor_args", [])),
    ]
    monitor = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    events: list[dict] = []
    stderr: list[str] = []
    threading.Thread(target=lambda: stderr.extend(monitor.stderr), daemon=True).start()
    deadline = time.monotonic() + spec.get("timeout_s", 60)
    done = threading.Event()

    watching = threading.Event()

    def read_events() -> None:
        killed = 0
        for line in monitor.stdout:
            event = json.loads(line)
            events.append(event)
            watching.set()
            if event["event"] == "killed":
                killed += 1
                if killed >= spec.get("until", 1):
                    break
        watching.set()
        done.set()

    threading.Thread(target=read_events, daemon=True).start()
    # Leaks start once the monitor watches (its first event), so its trend sees them whole.
    watching.wait(timeout=30)
    for hog in hogs.values():
        hog.start_leak()
    done.wait(timeout=max(0.0, deadline - time.monotonic()))
    time.sleep(spec.get("settle_s", 0.3))
    result = {
        "avail0_mib": avail0,
        "timed_out": not done.is_set(),
        "events": events,
        "hogs": {
            label: {"pid": hog.pid, "pids": hog.pids, "alive": [alive(p) for p in hog.pids]}
            for label, hog in hogs.items()
        },
    }
    monitor.terminate()
    try:
        monitor.wait(timeout=10)
    except subprocess.TimeoutExpired:
        monitor.kill()
    result["monitor_stderr"] = "".join(stderr)[-4000:]
    result["monitor_rc"] = monitor.returncode
    print(json.dumps(result))


if __name__ == "__main__":
    main()
