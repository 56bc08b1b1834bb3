# SPDX-License-Identifier: GPL-3.0-or-later
"""The helper reads the procfs it is given, through core's parsers.

A recorded ``/proc/PID`` (plain files in a tmp dir) stands beside a real child: the pidfd is the
child's, everything read or written through the directory is the recorded tree's. Editing a line
of the record shows what the helper makes of it, with no setuid program or kernel thread needed.
"""

from __future__ import annotations

import ast
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from memwarden.core.process import ProcessKey
from memwarden.helper import constants as c
from memwarden.helper import kernel
from memwarden.helper.errors import Failed, InvalidArgument, NotOwner
from memwarden.helper.targets import open_owned_process, set_oom_score_adj

ME = os.getuid()
HELPER = Path(__file__).resolve().parents[2] / "app" / "memwarden" / "helper"


@pytest.fixture
def child() -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(["sleep", "300"])
    yield proc
    proc.kill()
    proc.wait()


def record(proc_root: Path, pid: int) -> Path:
    """Copy the files the helper reads of ``pid`` into ``proc_root/PID``; the comm becomes
    ``recorded`` (so a read of the real /proc shows), and its oom_score_adj 0."""
    directory = proc_root / str(pid)
    directory.mkdir()
    stat = Path(f"/proc/{pid}/stat").read_text()
    (directory / "stat").write_text(stat.replace("(sleep)", "(recorded)"))
    (directory / "status").write_text(Path(f"/proc/{pid}/status").read_text())
    (directory / "oom_score_adj").write_text("0\n")
    return directory


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (old, text)
    path.write_text(text.replace(old, new, 1))


def key(proc: subprocess.Popen[bytes], proc_root: Path) -> ProcessKey:
    return ProcessKey.of(proc.pid, proc_root)


def test_a_recorded_tree_is_read_and_written_instead_of_proc(
    child: subprocess.Popen[bytes], tmp_path: Path
) -> None:
    directory = record(tmp_path, child.pid)
    with open_owned_process(key(child, tmp_path), ME, tmp_path) as held:
        assert held.comm == "recorded"
    changes = set_oom_score_adj([key(child, tmp_path)], 300, ME, tmp_path)
    (change,) = changes
    assert (change.pid, change.comm, change.old, change.new) == (child.pid, "recorded", 0, 300)
    assert (directory / "oom_score_adj").read_text() == "300"
    assert Path(f"/proc/{child.pid}/oom_score_adj").read_text() == "0\n"  # the real one: untouched


def test_every_uid_must_be_the_callers(child: subprocess.Popen[bytes], tmp_path: Path) -> None:
    status = record(tmp_path, child.pid) / "status"
    uids = f"Uid:\t{ME}\t{ME}\t{ME}\t{ME}\n"
    edit(status, uids, f"Uid:\t{ME}\t{ME + 1}\t{ME}\t{ME}\n")  # as after a setuid exec
    with pytest.raises(NotOwner, match="not-owner"):
        open_owned_process(key(child, tmp_path), ME, tmp_path)


@pytest.mark.parametrize(
    ("line", "replacement"),
    [
        ("Uid:\t{me}\t{me}\t{me}\t{me}\n", "Uid:\t{me}\n"),  # core pads it: the helper must not
        ("Tgid:\t{pid}\n", ""),
        ("Uid:\t{me}\t", "Uid:\tnobody\t"),
    ],
    ids=["one-uid", "no-tgid", "not-a-number"],
)
def test_a_status_the_owner_check_cannot_trust_fails(
    child: subprocess.Popen[bytes], tmp_path: Path, line: str, replacement: str
) -> None:
    status = record(tmp_path, child.pid) / "status"
    edit(status, line.format(me=ME, pid=child.pid), replacement.format(me=ME))
    with pytest.raises(Failed, match="unexpected-status"):
        open_owned_process(key(child, tmp_path), ME, tmp_path)


def test_a_thread_id_and_a_kernel_thread_are_not_processes(
    child: subprocess.Popen[bytes], tmp_path: Path
) -> None:
    directory = record(tmp_path, child.pid)
    edit(directory / "status", f"Tgid:\t{child.pid}\n", f"Tgid:\t{child.pid + 1}\n")
    with pytest.raises(InvalidArgument, match="not-a-process"):
        open_owned_process(key(child, tmp_path), ME, tmp_path)
    stat = (directory / "stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    fields[6] = str(int(fields[6]) | 0x00200000)  # PF_KTHREAD
    (directory / "stat").write_text(stat[: stat.rindex(")") + 2] + " ".join(fields) + "\n")
    with pytest.raises(InvalidArgument, match="kernel-thread"):
        open_owned_process(key(child, tmp_path), ME, tmp_path)


def test_a_stat_that_is_no_stat_fails(child: subprocess.Popen[bytes], tmp_path: Path) -> None:
    directory = record(tmp_path, child.pid)
    wanted = key(child, tmp_path)
    (directory / "stat").write_text("garbage\n")
    with pytest.raises(Failed, match="unexpected-stat"):
        open_owned_process(wanted, ME, tmp_path)


def test_kernel_knobs_and_meminfo_of_a_recorded_tree(tmp_path: Path) -> None:
    (tmp_path / "self").mkdir()
    (tmp_path / "self" / "status").write_text(
        f"Name:\thelper\nUid:\t0\t0\t0\t0\nCapInh:\t0\nCapPrm:\t{kernel.NEEDED:x}\n"
        f"CapEff:\t{kernel.NEEDED:x}\nCapBnd:\t{kernel.NEEDED:x}\nNoNewPrivs:\t1\n"
    )
    (tmp_path / "meminfo").write_text(
        "MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 400 kB\nSwapTotal: 0 kB\n"
        "SwapFree: 0 kB\n"
    )
    assert kernel.mem_available_kib(tmp_path) == 400
    assert kernel.features(tmp_path) == [
        c.FEATURE_RAISE_OOM_SCORE_ADJ, c.FEATURE_LOWER_OOM_SCORE_ADJ
    ]  # fmt: skip
    vm = tmp_path / "sys" / "vm"
    vm.mkdir(parents=True)
    (vm / "drop_caches").write_text("")
    (vm / "compact_memory").write_text("")
    assert c.FEATURE_DROP_CACHES in kernel.features(tmp_path)
    result = kernel.free_memory(tmp_path)
    assert (result.available_before_kib, result.available_after_kib) == (400, 400)
    assert ((vm / "drop_caches").read_text(), (vm / "compact_memory").read_text()) == ("3", "1")
    (tmp_path / "meminfo").write_text("MemAvailable: 400 kB\n")  # no MemTotal: not a meminfo
    with pytest.raises(Failed, match="no-memavailable"):
        kernel.mem_available_kib(tmp_path)


def _code_strings(tree: ast.Module) -> Iterator[str]:
    """String constants that are not docstrings."""
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            yield node.value


def test_the_helper_names_no_proc_file_core_parses_and_no_procfs_but_at_its_entry_point() -> None:
    """stat, status and meminfo are read through core (core.pid_dir, core.meminfo,
    core.pid_status), and /proc is named once, where main() passes it down."""
    named: dict[str, list[str]] = {}
    for module in sorted(HELPER.glob("*.py")):
        for text in _code_strings(ast.parse(module.read_text())):
            if text in ("stat", "status", "meminfo", "Uid", "Tgid") or text.startswith("/proc"):
                named.setdefault(module.name, []).append(text)
    assert named == {"service.py": ["/proc"]}
