# SPDX-License-Identifier: GPL-3.0-or-later
"""The helper confines itself to CAP_DAC_OVERRIDE and CAP_SYS_RESOURCE, however it was started.

Each case runs the real drop in a child process (never in pytest's own) and reads the child's
``/proc/self/status`` afterwards.
"""

from __future__ import annotations

import json
import os
import pwd
import select
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from memwarden.core.pid_status import read_pid_capabilities
from memwarden.helper.kernel import (
    CAP_DAC_OVERRIDE,
    CAP_SYS_RESOURCE,
    NEEDED,
    unwanted_capabilities,
)
from memwarden.helper.privileges import drop_unneeded_capabilities

APP = str(Path(__file__).resolve().parents[2] / "app")

DROP = """
import json
from pathlib import Path
from memwarden.core.pid_status import read_pid_capabilities
from memwarden.helper.privileges import drop_unneeded_capabilities
before = read_pid_capabilities("self", Path("/proc"))
after, problems = drop_unneeded_capabilities(Path("/proc"))
fields = lambda sets: {name: getattr(sets, name) for name in sets.__slots__}
print(json.dumps({"before": fields(before), "after": fields(after), "problems": problems}))
"""


def run_drop(prefix: list[str] | None = None, **kwargs: Any) -> dict[str, Any]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": APP}
    done = subprocess.run(
        [*(prefix or []), sys.executable, "-c", DROP],
        env=env, capture_output=True, text=True, timeout=60, check=False, cwd="/", **kwargs,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_status_lines_are_parsed(tmp_path: Path) -> None:
    status = tmp_path / "self" / "status"
    status.parent.mkdir()
    status.write_text(
        "Name:\tmemwarden-helpe\nUid:\t0\t0\t0\t0\nCapInh:\t0000000000000000\n"
        "CapPrm:\t000001ffffffffff\nCapEff:\t0000000001000002\nCapBnd:\t000001ffffffffff\n"
        "CapAmb:\t0000000000000000\nNoNewPrivs:\t1\nSeccomp:\t0\n"
    )
    sets = read_pid_capabilities("self", tmp_path)
    assert sets.effective == (1 << CAP_DAC_OVERRIDE) | (1 << CAP_SYS_RESOURCE) == NEEDED
    assert sets.permitted == sets.bounding == (1 << 41) - 1
    assert sets.inheritable == 0 and sets.no_new_privs
    assert unwanted_capabilities(sets) == ((1 << 41) - 1) & ~NEEDED


@pytest.mark.root
def test_root_with_every_capability_keeps_only_the_two() -> None:
    result = run_drop()
    before, after = result["before"], result["after"]
    assert before["effective"] & ~NEEDED, "the child should start with more than it needs"
    assert result["problems"] == []
    assert after["effective"] == after["permitted"] == before["permitted"] & NEEDED
    assert after["bounding"] == before["bounding"] & NEEDED
    assert after["inheritable"] == 0 and after["no_new_privs"]


@pytest.mark.root
def test_after_the_drop_root_cannot_signal_another_users_process() -> None:
    # CAP_KILL is one of the capabilities dropped: the helper never signals anything.
    nobody = pwd.getpwnam("nobody")
    other = subprocess.Popen(["sleep", "60"], user=nobody.pw_uid, group=nobody.pw_gid,
                             extra_groups=[])  # fmt: skip
    try:
        code = (
            "import os, sys\nfrom pathlib import Path\n"
            "from memwarden.helper.privileges import drop_unneeded_capabilities\n"
            f"os.kill({other.pid}, 0)\ndrop_unneeded_capabilities(Path('/proc'))\n"
            f"try:\n    os.kill({other.pid}, 0)\nexcept PermissionError:\n    sys.exit(0)\n"
            "sys.exit(3)\n"
        )
        done = subprocess.run([sys.executable, "-c", code], env={"PYTHONPATH": APP},
                              capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
        assert done.returncode == 0, (done.returncode, done.stderr)
    finally:
        other.kill()
        other.wait()


@pytest.mark.root
def test_a_bounding_set_already_reduced_as_by_the_systemd_unit() -> None:
    # The unit grants no CAP_SETPCAP: the bounding set cannot be touched, and need not be.
    setpriv = ["setpriv", "--bounding-set", "-all,+dac_override,+sys_resource",
               "--inh-caps", "-all"]  # fmt: skip
    result = run_drop(setpriv)
    before, after = result["before"], result["after"]
    assert before["bounding"] & ~NEEDED == 0
    assert result["problems"] == []
    assert after["effective"] & ~NEEDED == 0 and after["bounding"] == before["bounding"]
    assert after["no_new_privs"]


@pytest.mark.root
def test_an_unprivileged_user_has_nothing_to_drop_and_no_error() -> None:
    # A fork, not an exec: this interpreter may live where nobody cannot read (/root/.pyenv).
    nobody = pwd.getpwnam("nobody")
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        try:
            os.close(read_end)
            os.setgroups([])
            os.setresgid(nobody.pw_gid, nobody.pw_gid, nobody.pw_gid)
            os.setresuid(nobody.pw_uid, nobody.pw_uid, nobody.pw_uid)
            before = read_pid_capabilities("self", Path("/proc"))
            after, problems = drop_unneeded_capabilities(Path("/proc"))
            doc = {
                "before": before.effective,
                "problems": problems,
                "after": [after.effective, after.permitted, after.no_new_privs],
            }
            os.write(write_end, json.dumps(doc).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    # Bounded: a fork of a process with threads could in theory block on a lock it inherited.
    ready, _, _ = select.select([read_end], [], [], 60)
    if not ready:
        os.kill(child, signal.SIGKILL)
    with os.fdopen(read_end) as pipe:
        text = pipe.read() if ready else ""
    os.waitpid(child, 0)
    assert text, "the child did not report"
    result = json.loads(text)
    assert result == {"before": 0, "after": [0, 0, True], "problems": []}
