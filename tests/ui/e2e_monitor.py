# SPDX-License-Identifier: GPL-3.0-or-later
"""The monitor and its hogs for the tray's end-to-end tests, in a PID namespace of their own.

Started as ``unshare --pid --fork --mount-proc python e2e_monitor.py SPEC``, this script is the
namespace's PID 1: the monitor it starts sees, and could signal, only the hogs started here, and
when this script ends the kernel kills whatever is left in the namespace. The monitor warns at
once (``--warn-below-mib`` above what is available) but would close an app only below 1 MiB, so
nothing is closed unless a test asks (CloseApp).

SPEC (JSON): ``hogs``: a list of ``{"label", "script", "mib", "comm"}`` — each a Python script run
as ``python SCRIPT MIB COMM`` in a session of its own (an app of its own), holding MIB MiB in an
unmapped memfd; ``warn_extra_mib``; ``log``: the monitor's log file; ``config``: a config file
to write and use instead of the flags (see :func:`config_text`).

Protocol on stdout: one JSON line ``{"hogs": {label: pid}}`` once everything runs; then, for each
line read on stdin, ``alive LABEL`` → ``{"alive": bool}``. EOF on stdin ends it all.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for hogs

from hogs import alive, available_mib, highest_threshold_mib

HOG_SOURCE = """\
import ctypes, os, signal, sys
mib, comm = int(sys.argv[1]), sys.argv[2]
ctypes.CDLL(None).prctl(15, comm.encode(), 0, 0, 0)   # PR_SET_NAME: the name rules match
signal.signal(signal.SIGTERM, lambda *_: os._exit(0))  # an app that exits when asked
fd = os.memfd_create("e2e-hog")
chunk = b"\\x5a" * (1 << 20)
for _ in range(mib):
    os.write(fd, chunk)                                 # written, never mapped
print("ready", flush=True)
while True:
    signal.pause()
"""


def config_text(warn_mib: int, close_mib: int) -> str:
    """The monitor's config: warn below ``warn_mib``, close (SIGTERM, never an immediate kill)
    below ``close_mib``; PSI and the forecast never change the state (a busy machine must not)."""
    return (
        "[thresholds]\n"
        f"warn_mib = {warn_mib}\nclose_mib = {close_mib}\nkill_mib = 0\n"
        "horizon_seconds = 1\ngrace_seconds = 2\n"
        "psi_full_percent = 100\npsi_some_warn_percent = 100\n"
    )






def main() -> None:
    spec = json.loads(sys.argv[1])
    assert os.getpid() == 1, "run me as PID 1 of a PID namespace"
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    hogs: dict[str, subprocess.Popen[str]] = {}
    for hog in spec["hogs"]:
        proc = subprocess.Popen(
            [sys.executable, hog["script"], str(hog["mib"]), hog["comm"]],
            stdout=subprocess.PIPE, text=True, start_new_session=True,
        )  # fmt: skip
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != "ready":
            raise SystemExit(f"hog {hog['label']} did not start")
        hogs[hog["label"]] = proc
    # Above what is available, so it holds at once, but below RAM + swap (the monitor refuses a
    # threshold no machine state could clear).
    warn = min(available_mib() + int(spec.get("warn_extra_mib", 4096)), highest_threshold_mib())
    if spec.get("config"):
        # A config file instead of flags: the test can move the limits later (the monitor
        # re-reads the file), e.g. to make it close an app by itself.
        Path(spec["config"]).write_text(config_text(warn, close_mib=1))
        limits = ["--config", spec["config"]]
    else:
        limits = ["--no-config", "--kill-below-mib", "1", "--warn-below-mib", str(warn),
                  "--grace-seconds", "2"]  # fmt: skip
    with open(spec["log"], "w") as log:
        monitor = subprocess.Popen(
            [sys.executable, "-m", "memwarden", "monitor", "--no-helper", *limits, "--verbose"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log,
        )  # fmt: skip
    print(json.dumps({"hogs": {label: p.pid for label, p in hogs.items()},
                      "monitor": monitor.pid, "warn_mib": warn}), flush=True)  # fmt: skip
    for line in sys.stdin:
        words = line.split()
        if words[:1] == ["alive"]:
            proc = hogs[words[1]]
            proc.poll()  # reap it if it exited
            print(json.dumps({"alive": alive(proc.pid)}), flush=True)
    monitor.terminate()
    try:
        monitor.wait(timeout=10)
    except subprocess.TimeoutExpired:
        monitor.kill()
    for proc in hogs.values():
        proc.kill()


if __name__ == "__main__":
    main()
