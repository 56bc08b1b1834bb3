# SPDX-License-Identifier: GPL-3.0-or-later
"""The watcher's pure logic: forecast, states with hysteresis, victim choice, thresholds."""

from __future__ import annotations

import pytest

from memwarden.core import report
from memwarden.core.app_identity import AppIdentity
from memwarden.core.forecast import TrendTracker
from memwarden.core.meminfo import MemInfo
from memwarden.core.policy import GrowthTracker, Rules, choose_victim
from memwarden.core.pressure import Pressure, PressureLine
from memwarden.core.process import ProcessIdentity
from memwarden.core.settings import Settings
from memwarden.core.snapshot import MemoryBytes, ProcessRecord, Snapshot, build_apps
from memwarden.core.threshold_bytes import thresholds_for
from memwarden.core.watch_state import Action, StateMachine, Thresholds, WatchState

GiB = 1024**3
MiB = 1024**2


# -- forecast -------------------------------------------------------------------------------------


def test_trend_of_a_steady_leak_and_its_eta():
    tracker = TrendTracker(window_s=10)
    for i in range(11):  # 100 MiB/s for 1 s, sampled every 100 ms
        tracker.add(i * 0.1, 10 * GiB - i * 10 * MiB)
    trend = tracker.trend()
    assert trend is not None
    assert trend.slope_bytes_per_s == pytest.approx(-100 * MiB)
    eta = trend.seconds_until(9 * GiB, 8 * GiB)
    assert eta == pytest.approx(1024 / 100)
    assert trend.seconds_until(8 * GiB, 8 * GiB) == 0.0


def test_no_trend_when_memory_is_not_falling_or_too_few_samples():
    tracker = TrendTracker(window_s=10)
    tracker.add(0.0, GiB)
    tracker.add(0.1, GiB)
    assert tracker.trend() is None
    tracker.add(0.2, GiB + MiB)
    trend = tracker.trend()
    assert trend is not None and trend.seconds_until(GiB, 0) is None


def test_old_samples_leave_the_window():
    tracker = TrendTracker(window_s=1)
    for i in range(5):
        tracker.add(float(i), 10 * GiB - i * GiB)  # falling fast, long ago
    for i in range(5):
        tracker.add(10 + i * 0.1, 5 * GiB)  # flat now
    trend = tracker.trend()
    assert trend is not None and trend.slope_bytes_per_s == pytest.approx(0)


# -- states ---------------------------------------------------------------------------------------

TH = Thresholds(warn_bytes=3 * GiB, close_bytes=2 * GiB, kill_bytes=GiB, hysteresis_bytes=GiB // 2,
                horizon_s=60, psi_close_full_avg10_pct=60, psi_sustain_s=10)


def psi(some: float = 0.0, full: float = 0.0) -> Pressure:
    return Pressure(PressureLine(some, 0, 0, 0), PressureLine(full, 0, 0, 0))


def test_thresholds_give_states_and_actions():
    sm = StateMachine(TH)
    assert sm.assess(0, 10 * GiB, None, psi()).state is WatchState.CALM
    a = sm.assess(1, 2.5 * GiB, None, psi())
    assert (a.state, a.action, a.reasons) == (WatchState.WARNING, Action.NONE,
                                               ("below-warn-threshold",))
    a = sm.assess(2, int(1.5 * GiB), None, psi())
    assert (a.state, a.action) == (WatchState.CRITICAL, Action.CLOSE)
    assert a.reasons[0] == "below-close-threshold"
    a = sm.assess(3, GiB // 2, None, psi())
    assert (a.action, a.reasons[0]) == (Action.KILL, "below-kill-threshold")


def test_forecast_under_horizon_warns_while_memory_is_plentiful():
    sm = StateMachine(TH)
    a = sm.assess(0, 10 * GiB, 30.0, psi())
    assert a.state is WatchState.WARNING and a.reasons == ("forecast-under-horizon",)


def test_hysteresis_no_flapping_around_the_warn_threshold():
    sm = StateMachine(TH)
    sm.assess(0, 3 * GiB - 1, None, psi())
    assert sm.state is WatchState.WARNING
    # Just above the threshold: stays warning (needs warn + hysteresis to calm down).
    for t, avail in enumerate([3 * GiB + 1, 3 * GiB - 1, 3 * GiB + MiB], start=1):
        assert sm.assess(t, avail, None, psi()).state is WatchState.WARNING
    assert sm.assess(9, 4 * GiB, None, psi()).state is WatchState.CALM


def test_critical_steps_down_only_when_clearly_recovered():
    sm = StateMachine(TH)
    sm.assess(0, int(1.9 * GiB), None, psi())
    assert sm.state is WatchState.CRITICAL
    assert sm.assess(1, int(2.1 * GiB), None, psi()).state is WatchState.CRITICAL
    assert sm.assess(2, int(2.6 * GiB), None, psi()).state is WatchState.WARNING


def test_full_pressure_must_be_sustained_to_close():
    sm = StateMachine(TH)
    assert sm.assess(0, 10 * GiB, None, psi(full=80)).action is Action.NONE
    assert sm.assess(5, 10 * GiB, None, psi(full=80)).action is Action.NONE
    a = sm.assess(10, 10 * GiB, None, psi(full=80))
    assert (a.action, a.reasons[0]) == (Action.CLOSE, "psi-full-sustained")
    # A dip resets the clock.
    sm2 = StateMachine(TH)
    sm2.assess(0, 10 * GiB, None, psi(full=80))
    sm2.assess(5, 10 * GiB, None, psi(full=10))
    assert sm2.assess(10, 10 * GiB, None, psi(full=80)).action is Action.NONE


def test_thresholds_must_be_ordered():
    with pytest.raises(ValueError):
        Thresholds(warn_bytes=GiB, close_bytes=2 * GiB, kill_bytes=0, hysteresis_bytes=0)


# -- config -> thresholds -------------------------------------------------------------------------

RAM, SWAP = 16 * GiB, 4 * GiB
MEM = MemInfo(mem_total_kib=RAM // 1024, mem_free_kib=0, mem_available_kib=0,
              swap_total_kib=SWAP // 1024, swap_free_kib=0, shmem_kib=0)


def test_percent_thresholds_are_of_ram_plus_swap():
    th = thresholds_for(Settings(), RAM, SWAP)
    assert th.warn_bytes == int(20 * GiB * 0.15)
    assert th.close_bytes == int(20 * GiB * 0.10)
    assert th.kill_bytes == int(20 * GiB * 0.05)


def test_absolute_close_kills_at_half_like_earlyoom():
    th = thresholds_for(Settings(close_mib=1000), RAM, SWAP)
    assert (th.close_bytes, th.kill_bytes) == (1000 * MiB, 500 * MiB)
    assert th.warn_bytes == 1000 * MiB + int(20 * GiB * 0.05)


# -- choosing the victim --------------------------------------------------------------------------


def proc(pid: int, comm: str, uid: int = 1000) -> ProcessIdentity:
    return ProcessIdentity(pid=pid, ppid=1, session=pid, uid=uid, comm=comm, exe=f"/usr/bin/{comm}",
                           cmdline=(comm,), cgroup=None, starttime_ticks=pid * 10,
                           program_path=f"/usr/bin/{comm}", program_trusted=True)


def snapshot(*apps: tuple[str, str, int, int, list[int]], uid: int = 1000,
             roles: dict[int, str] | None = None) -> Snapshot:
    """apps: (name, kind, kernel-view bytes, hidden bytes, pids); the memory is the first pid's.
    ``roles``: desktop roles by pid (apps of kind "session" get one for every pid)."""
    roles = dict(roles or {})
    records, app_of = [], {}
    for name, kind, kernel, hidden, pids in apps:
        ident = AppIdentity(app_id=f"{name}-{pids[0]}", name=name, icon=None, kind=kind,  # type: ignore[arg-type]
                            uid=uid, source="tree", cgroups=(), root_pid=pids[0],
                            root_starttime_ticks=pids[0] * 10)
        for i, pid in enumerate(pids):
            mem = MemoryBytes(resident=kernel if i == 0 else 0, shmem=hidden if i == 0 else 0)
            role = roles.get(pid) or ("session-program" if kind == "session" else None)
            records.append(ProcessRecord(proc(pid, name, uid), 0, mem.kernel_view // 4096, 700,
                                         mem, role=role))
            app_of[pid] = ident
    return Snapshot(meminfo=MEM, pressure=None, processes={r.pid: r for r in records},
                    apps=build_apps(records, app_of), page_size=4096)


def test_true_badness_picks_the_hidden_memory_hog_the_kernel_would_spare():
    snap = snapshot(("game", "game", 2 * GiB, 0, [10]), ("hog", "other", 50 * MiB, 3 * GiB, [20]))
    choice = choose_victim(snap, Rules(), uid=1000)
    assert choice.victim is not None and choice.victim.app.id == "hog-20"
    assert choice.victim.reason == "hidden-memory"
    game = next(a for a in snap.apps if a.id == "game-10")
    assert game.kernel_rank == 1  # the kernel would have killed the game


def test_never_session_protected_other_user_init_or_self():
    snap = snapshot(("gnome-shell", "session", 5 * GiB, 0, [30]),
                    ("editor", "other", 4 * GiB, 0, [40]),
                    ("init", "other", 3 * GiB, 0, [1]),
                    ("us", "other", 2 * GiB, 0, [50]),
                    ("small", "other", 10 * MiB, 0, [60]),
                    roles={1: "init", 50: "self"})
    choice = choose_victim(snap, Rules(protect=("editor",)), uid=1000)
    assert choice.victim is not None and choice.victim.app.id == "small-60"
    assert choice.excluded == {"gnome-shell-30": "session", "editor-40": "protected",
                               "init-1": "init", "us-50": "self"}
    other = snapshot(("theirs", "other", 5 * GiB, 0, [70]), uid=0)
    assert choose_victim(other, Rules(), uid=1000).reason == "no-candidate"


def test_a_desktop_process_inside_an_app_leaves_the_rest_closable():
    """Exclusion is per process: the app counts with what closing it would free."""
    snap = snapshot(("script", "other", 3 * GiB, 0, [10, 11]), ("game", "game", GiB, 0, [20]),
                    roles={10: "self"})
    script = next(a for a in snap.apps if a.id == "script-10")
    assert script.closable_pids == [11] and script.roles == {10: "self"}
    assert script.closable_bytes.total == 0  # the memory is MemWarden's own process's
    choice = choose_victim(snap, Rules(), uid=1000)
    assert choice.victim is not None and choice.victim.app.id == "game-20"
    assert [c.app.id for c in choice.candidates] == ["game-20", "script-10"]


def test_sacrifice_first_goes_before_bigger_apps():
    snap = snapshot(("big", "other", 5 * GiB, 0, [10]), ("chat", "other", 100 * MiB, 0, [20]))
    choice = choose_victim(snap, Rules(prefer=("chat",)), uid=1000)
    assert choice.victim is not None and choice.victim.app.id == "chat-20"
    assert choice.victim.reason == "sacrifice-first"


def test_the_snapshot_json_says_each_apps_rule_as_the_choice_obeys_it():
    """``rule`` and ``rule_source`` come from the choice's own decision: the app the JSON calls
    protected is the one the choice excludes as protected; protect wins over prefer."""
    snap = snapshot(("editor", "other", 4 * GiB, 0, [40]), ("chat", "other", 3 * GiB, 0, [20]),
                    ("both", "other", 2 * GiB, 0, [30]), ("plain", "other", GiB, 0, [50]))
    rules = Rules(protect=("/usr/bin/editor", "both-30"), prefer=("Chat", "/usr/bin/both"))
    doc = report.snapshot_json(snap, rules=rules)
    said = {a["id"]: (a["rule"], a["rule_source"]) for a in doc["apps"]}
    assert said == {
        "editor-40": ("protect", "/usr/bin/editor"),  # by its program
        "chat-20": ("prefer", "Chat"),  # as written in the rules
        "both-30": ("protect", "both-30"),  # protect wins over prefer
        "plain-50": ("normal", ""),
    }
    choice = choose_victim(snap, rules, uid=1000)
    assert choice.excluded == {"editor-40": "protected", "both-30": "protected"}
    assert choice.victim is not None and choice.victim.app.id == "chat-20"
    assert {a["id"] for a in report.snapshot_json(snap, rules=Rules())["apps"]
            if a["rule"] != "normal"} == set()  # fmt: skip


def test_growth_puts_the_app_eating_memory_now_first():
    growth = GrowthTracker()
    idle = ("idle", "other", 3 * GiB, 0, [10])
    for t, leak in ((0.0, 1 * GiB), (1.0, int(1.5 * GiB)), (2.0, 2 * GiB)):
        growth.update(t, snapshot(idle, ("leaky", "other", leak, 0, [20])))
    snap = snapshot(idle, ("leaky", "other", 2 * GiB, 0, [20]))
    choice = choose_victim(snap, Rules(), uid=1000, growth=growth)
    assert choice.victim is not None and choice.victim.app.id == "leaky-20"
    assert choice.victim.reason == "growing"
    assert choice.victim.growth_bytes_per_s == pytest.approx(GiB / 2)
    # Without the growth term the bigger idle app would go.
    assert choose_victim(snap, Rules(), uid=1000).victim.app.id == "idle-10"  # type: ignore[union-attr]


def test_a_process_that_just_started_is_not_a_leak():
    """A screenshot tool grew by its whole 9 MiB between its first two scans, 45 ms apart: read
    as 200 MiB/s, ten seconds of it outweighed a 1 GiB game, and it was paused instead (a real
    sway session). A growth counts once its samples span GROWTH_MIN_SPAN_S; a leak's still does."""
    from memwarden.core.policy import GROWTH_MIN_SPAN_S

    growth = GrowthTracker()
    game = ("game", "game", GiB, 0, [10])
    for t, size in ((0.0, 0), (0.045, 9 * MiB)):
        growth.update(t, snapshot(game, ("grim", "other", size, 0, [30])))
    snap = snapshot(game, ("grim", "other", 9 * MiB, 0, [30]))
    choice = choose_victim(snap, Rules(), uid=1000, growth=growth)
    assert choice.victim is not None and choice.victim.app.id == "game-10"
    assert choice.candidates[1].growth_bytes_per_s == 0.0  # not known yet
    # The same growth, sustained past the span, is a leak's.
    t_end = GROWTH_MIN_SPAN_S + 0.1
    growth.update(t_end, snapshot(game, ("grim", "other", int(t_end / 0.045 * 9 * MiB), 0, [30])))
    choice = choose_victim(snap, Rules(), uid=1000, growth=growth)
    assert choice.victim is not None and choice.victim.app.id == "grim-30"
    assert choice.victim.growth_bytes_per_s > 100 * MiB


def test_the_warning_names_the_app_that_will_be_biggest_at_the_kill_point():
    """A 1.3 GiB game and a 300 MiB leak growing by 50 MiB/s, the kill point 57 s away: ten
    seconds of growth leave the game first, the growth until the kill point names the leak."""
    growth = GrowthTracker()
    game = ("game", "game", int(1.3 * GiB), 0, [10])
    for t in (0.0, 1.0, 2.0):
        growth.update(t, snapshot(game, ("leak", "other", 0, 200 * MiB + int(t * 50) * MiB, [20])))
    snap = snapshot(game, ("leak", "other", 0, 300 * MiB, [20]))
    now = choose_victim(snap, Rules(), uid=1000, growth=growth)
    assert now.victim is not None and now.victim.app.id == "game-10"  # no ETA: as before
    ahead = choose_victim(snap, Rules(), uid=1000, growth=growth, horizon_s=57.0)
    assert ahead.victim is not None and ahead.victim.app.id == "leak-20"
    leak = ahead.victim
    assert leak.score_bytes == 300 * MiB + int(50 * MiB * 57)
    # No app can grow by more than the memory left before the kill point.
    capped = choose_victim(snap, Rules(), uid=1000, growth=growth, horizon_s=57.0,
                           headroom_bytes=500 * MiB)
    assert capped.victim is not None and capped.victim.app.id == "game-10"
    assert capped.candidates[1].score_bytes == 800 * MiB  # 300 MiB + the 500 MiB left
    # At the kill point nothing is left, but ten seconds of growth still count (as without ETA).
    at_kill = choose_victim(snap, Rules(), uid=1000, growth=growth, horizon_s=0.0,
                            headroom_bytes=-MiB)
    assert at_kill.candidates[1].score_bytes == 300 * MiB + 500 * MiB


def test_orphan_tmpfs_memory_is_not_a_reason_to_kill_innocents():
    snap = snapshot(("editor", "other", 500 * MiB, 0, [10]))
    choice = choose_victim(snap, Rules(), uid=1000, orphan_bytes=4 * GiB)
    assert choice.victim is None and choice.reason == "orphan-tmpfs"
    assert choice.orphan_bytes == 4 * GiB


def test_rules_are_matched_through_a_set_whatever_their_number(monkeypatch):
    """Each app's keys are made once per choice, and compared with the rules in one set lookup:
    1,500 rules used to cost a comparison of every app with every name (47 ms instead of 0.3)."""
    import memwarden.core.policy as policy

    calls = []
    real = policy.rule_keys

    def counted(app, procs):
        calls.append(app)
        return real(app, procs)

    monkeypatch.setattr(policy, "rule_keys", counted)
    apps = [(f"app{i}", "other", (i + 1) * MiB, 0, [100 + i]) for i in range(20)]
    snap = snapshot(*apps)
    names = [f"org.example.App{i}" for i in range(policy.MAX_RULES - 1)]
    many = Rules(protect=(*names, "app3-103"))
    choice = choose_victim(snap, many, uid=1000)
    assert len(calls) == len(snap.apps)
    assert choice.excluded == {"app3-103": "protected"}


def test_warnings_and_kill_events_name_the_rule_target() -> None:
    """A notification's "Protect" saves a rule under the name the event carries: for a process
    tree that is its program's path (its name, "leak", is no rule key for an untrusted program)."""
    from memwarden.monitor.event_payloads import victim_summary

    snap = snapshot(("leak", "other", 100 * MiB, 900 * MiB, [4242, 4243]))
    app = snap.apps[0]
    assert app.rule_target == "/usr/bin/leak"
    victim = choose_victim(snap, Rules(), uid=1000).victim
    assert victim is not None and victim_summary(victim)["rule_target"] == "/usr/bin/leak"
