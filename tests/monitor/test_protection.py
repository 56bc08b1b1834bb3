# SPDX-License-Identifier: GPL-3.0-or-later
"""Rules reach the kernel: "sacrifice first" raises oom_score_adj, "normal" undoes it, "protect"
needs the helper and says so when there is none."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from hogs import MiB
from memwarden.monitor.engine import Engine
from memwarden.monitor.protection import Protector


def adj(pid: int) -> int:
    return int(Path(f"/proc/{pid}/oom_score_adj").read_text())


def run(coro):
    return asyncio.run(coro)


@pytest.fixture
def engine():
    events = []
    eng = Engine(None, protector=Protector(None), listeners=[events.append])
    eng.events = events  # type: ignore[attr-defined]
    return eng


def test_prefer_raises_and_normal_restores(hog, engine):
    h = hog("memfd", 8 * MiB, forks=1, name="prefhog")
    other = hog("anon", 8 * MiB, name="bystander")
    engine.set_rule(h.program, "prefer")
    run(engine.apply_rules(engine.look.scan()))
    assert [adj(p) for p in h.pids] == [500, 500]
    assert adj(other.pid) == 0
    (event,) = [e for e in engine.events if e.kind == "protection"]
    assert event.data["rule"] == "prefer" and sorted(event.data["written"]) == sorted(h.pids)
    # Applied once: a second pass writes nothing.
    run(engine.apply_rules(engine.look.scan()))
    assert len([e for e in engine.events if e.kind == "protection"]) == 1
    engine.set_rule(h.program, "normal")
    run(engine.apply_rules(engine.look.scan()))
    assert [adj(p) for p in h.pids] == [0, 0]


def test_normal_restores_the_adj_the_process_had_before(hog, engine):
    h = hog("anon", 8 * MiB, name="renderer")
    Path(f"/proc/{h.pid}/oom_score_adj").write_text("300")  # as Chromium sets its renderers
    engine.set_rule(h.program, "prefer")
    run(engine.apply_rules(engine.look.scan()))
    assert adj(h.pid) == 500
    engine.set_rule(h.program, "normal")
    run(engine.apply_rules(engine.look.scan()))
    assert adj(h.pid) == 300


def test_prefer_is_never_applied_to_the_session_or_init(engine):
    snap = engine.look.scan()
    init_app = snap.app_by_pid(1)
    assert init_app is not None
    before = adj(1)
    engine.set_rule(init_app.id, "prefer")  # its id always names it
    run(engine.apply_rules(snap))
    assert adj(1) == before
    assert not [e for e in engine.events if e.kind == "protection"]


def test_protect_without_helper_says_the_kernel_does_not_know(hog, engine):
    h = hog("anon", 8 * MiB, name="keepme")
    engine.set_rule(h.program, "protect")
    run(engine.apply_rules(engine.look.scan()))
    (event,) = [e for e in engine.events if e.kind == "protection"]
    assert event.data["kernel"] == "no-helper" and event.data["pids"] == [h.pid]
    assert adj(h.pid) == 0  # nothing was written
    assert engine.protector.kernel_protection == "no-helper"
    # Still protected in our own choices:
    snap = engine.look.scan()
    assert engine.choose(snap).excluded[snap.app_by_pid(h.pid).id] == "protected"


def test_a_rule_by_name_never_reaches_a_process_that_only_calls_itself_so(hog, engine):
    """A comm is the process's own choice: "prefer keepme" raises nothing for a hog named so."""
    h = hog("anon", 8 * MiB, name="keepme")
    engine.set_rule("keepme", "prefer")
    run(engine.apply_rules(engine.look.scan()))
    assert adj(h.pid) == 0
    assert not [e for e in engine.events if e.kind == "protection"]


def test_calm_ticks_apply_rules_to_new_processes_only_when_there_are_rules(
    hog, engine, tmp_path
):
    run(engine.tick())
    assert engine.machine.state.value == "calm"
    scans_before = engine.look.scanner._scans
    engine.kernel_rules.last_t = float("-inf")  # as if CALM_RULES_EVERY_S had passed
    hog("anon", 8 * MiB, name="newcomer")
    run(engine.tick())
    # No rules: a calm tick does not scan, even with a new process around.
    assert engine.look.scanner._scans == scans_before
    late = tmp_path / "late"
    engine.set_rule(str(late / "latecomer.py"), "prefer")
    h = hog("anon", 8 * MiB, name="latecomer", directory=str(late))
    engine.kernel_rules.last_t = float("-inf")  # as if CALM_RULES_EVERY_S had passed
    run(engine.tick())
    assert adj(h.pid) == 500


def test_the_snapshot_lists_orphan_files(engine):
    import uuid

    path = Path(f"/dev/shm/memwarden-orphan-{uuid.uuid4().hex}")
    try:
        path.write_bytes(b"\x5a" * (2 * MiB))
        doc = engine.snapshot_json()
        orphans = {o["path"]: o for o in doc["orphans"]}
        assert orphans[str(path)]["bytes"] == 2 * MiB
    finally:
        path.unlink(missing_ok=True)
