# SPDX-License-Identifier: GPL-3.0-or-later
"""Attacks on the helper, on the real system bus with the real polkitd, and what must hold.

Each test replays an attack found in a security review: a flood of calls, a huge message, pids
out of range, FreeMemory back to back, a target that execs a setuid program between the check
and the write, and a value below the monitor's floor from the person at the machine.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import pytest
from helper_sysbus import (
    ACTIVE,
    ALLOWED,
    DENIED,
    REPO,
    HelperTestUser,
    SystemBusFixture,
    stop_process,
    wait_for,
)
from helper_testlib import Spawn, has_cap_sys_resource, oom_score_adj, starttime

from memwarden.helper import constants as c

pytestmark = pytest.mark.root

BUSY = f"{c.ERROR_PREFIX}.Busy"
DENIED_ANSWER = f"{c.ERROR_ACCESS_DENIED} not-authorized"


def ref(proc: subprocess.Popen[bytes] | int) -> list[int]:
    pid = proc if isinstance(proc, int) else proc.pid
    return [pid, starttime(pid)]


def set_adj(
    bus: SystemBusFixture, user: HelperTestUser, processes: list[list[int]], value: int
) -> dict[str, object]:
    return bus.call(user, "set_oom_score_adj", processes=processes, value=value)


def status_field(pid: int, name: str) -> list[str]:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split()[1:]
    raise AssertionError(f"no {name} in /proc/{pid}/status")


def read_line(stream: Any, timeout_s: float) -> str:
    """One line from a child's pipe, or AssertionError when none comes in ``timeout_s``."""
    ready, _, _ = select.select([stream], [], [], timeout_s)
    if not ready:
        raise AssertionError(f"no line within {timeout_s} s")
    return str(stream.readline())


def helper_log_since(bus: SystemBusFixture, offset: int) -> str:
    return bus.helper_log.read_bytes()[offset:].decode(errors="replace")


# ---- flood --------------------------------------------------------------------------------------


def test_a_flood_of_calls_is_answered_busy_and_the_helper_stays(
    system_bus: SystemBusFixture, spawn_as: Spawn
) -> None:
    # A user whom polkit denies pipelines 720 calls over 6 connections, round after round. Before
    # the bounds, the helper started a task (and a polkit check) per call: dbus-daemon refused
    # the checks past 128 pending ones (polkit-unavailable), and the helper fell off the bus.
    mine = spawn_as(ALLOWED)
    assert "ok" in system_bus.call(DENIED, "get_version")
    helper = system_bus.helper_pid()
    flood_op = {
        "op": "flood", "connections": 6, "calls": 120, "member": "SetOomScoreAdj",
        "signature": "a(ut)i", "body": [[[1, 1]], 500],
    }  # fmt: skip
    with (
        tempfile.TemporaryFile() as errors,
        subprocess.Popen(
            **system_bus.driver_command(DENIED, [flood_op]),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors,
        ) as flood,
    ):  # fmt: skip
        assert flood.stdin is not None and flood.stdout is not None
        try:
            assert json.loads(read_line(flood.stdout, 120)) == {"round": 1}
            # An authorized call while the flood goes on (it runs until its stdin closes).
            allowed = set_adj(system_bus, ALLOWED, [ref(mine)], 300)
            flood.stdin.close()
            flood.wait(timeout=300)
            out = flood.stdout.read()
        finally:
            if flood.poll() is None:
                flood.kill()
        errors.seek(0)
        assert flood.returncode == 0, errors.read().decode(errors="replace")
    summary = json.loads(out.splitlines()[-1])
    answers: dict[str, int] = summary["answers"]
    assert allowed == {"ok": None}
    assert oom_score_adj(mine.pid) == 300
    # Every call got an answer from the one helper: no NoReply, no polkit-unavailable.
    assert system_bus.helper_pid() == helper
    assert len(summary["senders"]) == 1, summary
    assert set(answers) <= {DENIED_ANSWER, f"{BUSY} sender-busy", f"{BUSY} helper-busy"}, answers
    assert answers.get(DENIED_ANSWER, 0) > 0, answers
    assert answers.get(f"{BUSY} sender-busy", 0) > 0, answers
    assert sum(answers.values()) == 720 * summary["rounds"]


# ---- message size -------------------------------------------------------------------------------


def test_a_huge_target_list_is_refused_before_it_costs_memory(system_bus: SystemBusFixture) -> None:
    # 200,000 targets (a 3.2 MB message) from a user whom polkit denies: before the bound, the
    # helper unmarshalled all of it (27 -> 50 MB peak) before asking polkit.
    warm_up = system_bus.raw(DENIED, "SetOomScoreAdj", targets=1)
    assert warm_up["name"] == c.ERROR_ACCESS_DENIED
    pid = system_bus.helper_pid()
    assert pid is not None
    peak_before = int(status_field(pid, "VmHWM")[0])
    huge = system_bus.raw(DENIED, "SetOomScoreAdj", targets=200_000)
    assert huge == {"type": "error", "name": c.ERROR_INVALID_ARGUMENT, "text": "message-too-large"}
    assert system_bus.helper_pid() == pid
    grown_kib = int(status_field(pid, "VmHWM")[0]) - peak_before
    assert grown_kib < 1024, f"peak RSS grew by {grown_kib} KiB for a refused message"
    # Small enough to be read, too many targets all the same: refused before polkit is asked.
    over = system_bus.raw(DENIED, "SetOomScoreAdj", targets=c.MAX_PROCESSES_PER_CALL + 1)
    assert over == {"type": "error", "name": c.ERROR_INVALID_ARGUMENT, "text": "too-many-processes"}


# ---- pid range ----------------------------------------------------------------------------------


@pytest.mark.parametrize("pid", [0, 2**31, 2**32 - 1])
def test_pids_outside_the_kernels_range_are_invalid(system_bus: SystemBusFixture, pid: int) -> None:
    offset = system_bus.helper_log.stat().st_size
    result = set_adj(system_bus, ALLOWED, [[pid, 1]], 500)
    assert result == {"error": "InvalidArgument", "reason": "invalid-pid", "pid": pid}
    assert "Traceback" not in helper_log_since(system_bus, offset)


# ---- FreeMemory rate limit ----------------------------------------------------------------------


def test_free_memory_back_to_back_drops_caches_once(system_bus: SystemBusFixture) -> None:
    # A fresh helper, so that no earlier test's drop counts; stopped after, for the same reason.
    system_bus.stop_helper()
    try:
        features = system_bus.call(ALLOWED, "get_capabilities")["ok"]
        if c.FEATURE_DROP_CACHES not in features:  # type: ignore[operator]
            pytest.skip("the helper cannot write vm.drop_caches here")
        offset = system_bus.helper_log.stat().st_size
        op = {"op": "client", "method": "free_memory"}
        first, second, third = system_bus.run_as(ALLOWED, [op, op, op])
        assert "ok" in first, first
        limited = {"error": "Busy", "reason": "rate-limited", "pid": None}
        assert second == third == limited
        # Machine-wide: another user is limited too; and the refusal needs authorization first.
        assert system_bus.call(ACTIVE, "free_memory") == limited
        assert system_bus.call(DENIED, "free_memory")["error"] == "AccessDenied"
        assert helper_log_since(system_bus, offset).count("freed memory") == 1
    finally:
        system_bus.stop_helper()


# ---- check, then write: a setuid exec in between ------------------------------------------------


def test_a_setuid_exec_between_check_and_write_is_undone(system_bus: SystemBusFixture) -> None:
    # The target runs `sh`, owned by ALLOWED in all four uids, and execs the setuid-root passwd
    # (which waits for a password on its stdin: a euid-0 process that stays) while the helper is
    # paused between its ownership check and its write.
    system_bus.stop_helper()
    paused_r, paused_w = os.pipe()
    go_r, go_w = os.pipe()
    with open(system_bus.helper_log, "ab") as log:
        helper = subprocess.Popen(
            [sys.executable, "-B", str(Path(__file__).with_name("paused_helper.py")),
             str(paused_w), str(go_r), "--verbose", "--idle-timeout", "120"],
            pass_fds=(paused_w, go_r), stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO / "app")},
        )  # fmt: skip
    os.close(paused_w)
    os.close(go_r)
    target = subprocess.Popen(
        ["/bin/sh", "-c", "read line; exec /usr/bin/passwd"],
        user=ALLOWED.uid, group=ALLOWED.gid, extra_groups=ALLOWED.extra_gids, cwd="/",
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    result: dict[str, object] = {}
    call = threading.Thread(
        target=lambda: result.update(set_adj(system_bus, ALLOWED, [ref(target)], 700))
    )
    try:
        wait_for("the paused helper on the bus", lambda: system_bus.helper_pid() == helper.pid)
        call.start()
        with os.fdopen(paused_r, "r") as paused:
            assert int(read_line(paused, 60)) == target.pid  # checked: owned by ALLOWED
            assert target.stdin is not None
            target.stdin.write(b"go\n")
            target.stdin.flush()
            wait_for("passwd running setuid", lambda: status_field(target.pid, "Uid")[1] == "0")
            os.write(go_w, b"g")
        call.join(timeout=60)
        assert result == {"error": "NotOwner", "reason": "owner-changed", "pid": target.pid}
        assert status_field(target.pid, "Uid") == [str(ALLOWED.uid), "0", "0", "0"]
        assert oom_score_adj(target.pid) == 0  # written, seen, and put back
    finally:
        os.close(go_w)  # lets a still paused helper go on
        if call.is_alive():
            call.join(timeout=60)
        target.kill()
        target.communicate()
        stop_process(helper.pid, "paused_helper.py")
        helper.wait(timeout=30)
        wait_for("the paused helper to leave the bus", lambda: system_bus.helper_pid() is None)


# ---- the floor ----------------------------------------------------------------------------------


def test_below_the_floor_the_person_at_the_machine_needs_an_administrator(
    system_bus: SystemBusFixture, spawn_as: Spawn
) -> None:
    # ACTIVE gets what the installed policy gives an active local session. Before the floor,
    # set-oom-score-adj was allow_active=yes for any value: -1000 (immune) without a password.
    victim = spawn_as(ACTIVE)
    admin_needed = {
        "error": "InteractiveAuthorizationRequired",
        "reason": "interactive-authorization-required",
        "pid": None,
    }
    for value in (c.OOM_SCORE_ADJ_MIN, c.OOM_SCORE_ADJ_FLOOR - 1):
        assert set_adj(system_bus, ACTIVE, [ref(victim)], value) == admin_needed, value
    assert oom_score_adj(victim.pid) == 0
    # At the floor (what the monitor asks for itself) and above: no password.
    at_floor = set_adj(system_bus, ACTIVE, [ref(victim)], c.OOM_SCORE_ADJ_FLOOR)
    if has_cap_sys_resource():
        assert at_floor == {"ok": None}
        assert oom_score_adj(victim.pid) == c.OOM_SCORE_ADJ_FLOOR
    else:  # authorized; the kernel then refuses a negative value without CAP_SYS_RESOURCE
        assert at_floor == {"error": "MissingCapability", "reason": "cap-sys-resource",
                            "pid": victim.pid}  # fmt: skip
    assert set_adj(system_bus, ACTIVE, [ref(victim)], 500) == {"ok": None}
    assert oom_score_adj(victim.pid) == 500
