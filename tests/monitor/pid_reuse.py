# SPDX-License-Identifier: GPL-3.0-or-later
"""Hand a dead process's pid to a new one on purpose, then try to write the old one's adj.

Started by test_oom_score_adj_write.py as ``unshare --pid --fork --mount-proc python
pid_reuse.py``: this script is PID 1 of a fresh PID namespace, where nothing else forks, so
``ns_last_pid`` decides the next pid (needs CAP_SYS_ADMIN there). Prints one JSON document:
whether the pid was reused, and what each way of writing the old process's ``oom_score_adj`` did.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

from memwarden.core.errors import PidReused
from memwarden.core.pid_dir import PidDir
from memwarden.core.process import ProcessKey
from memwarden.helper.errors import ProcessGone as HelperProcessGone
from memwarden.helper.targets import open_owned_process
from memwarden.monitor.protection import write_oom_score_adj

PROC = Path("/proc")


def adj(pid: int) -> int:
    return int((PROC / str(pid) / "oom_score_adj").read_text())


def main() -> dict[str, Any]:
    first = subprocess.Popen(["sleep", "300"])
    key = ProcessKey.of(first.pid, PROC)
    # Checked while the first process still has the pid: the window a write by pid alone loses.
    held = PidDir.open_key(key, PROC)
    first.kill()
    first.wait()
    # Start times count clock ticks (10 ms at USER_HZ 100): the next process must start later.
    time.sleep(0.05)
    try:
        (PROC / "sys/kernel/ns_last_pid").write_text(str(key.pid - 1))
    except OSError as exc:
        return {"skip": f"cannot set ns_last_pid: {exc}"}
    second = subprocess.Popen(["sleep", "300"])
    try:
        result: dict[str, Any] = {
            "reused": second.pid == key.pid,
            "start_times": [key.starttime_ticks, ProcessKey.of(second.pid, PROC).starttime_ticks],
        }
        try:
            write_oom_score_adj(key, 500, PROC)
            result["by_key"] = "written"
        except PidReused:
            result["by_key"] = "pid-reused"
        try:
            fd = os.open("oom_score_adj", os.O_WRONLY, dir_fd=held.fileno())
            os.close(fd)
            result["through_held_directory"] = "opened"
        except OSError as exc:
            result["through_held_directory"] = errno.errorcode[exc.errno]
        try:
            open_owned_process(key, os.getuid(), PROC).close()
            result["helper"] = "opened"
        except HelperProcessGone as exc:
            result["helper"] = exc.reason
        result["second_adj"] = adj(second.pid)
        return result
    finally:
        held.close()
        second.kill()
        second.wait()


if __name__ == "__main__":
    print(json.dumps(main()))
