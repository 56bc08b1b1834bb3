# SPDX-License-Identifier: GPL-3.0-or-later
"""The watcher end to end: real hogs, the real monitor process, each scenario in its own PID
namespace (so the killer under test can only reach the scenario's processes), thresholds relative
to the memory available at the start, every hog capped. Assertions are about order and content,
never timings.
"""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.memory, pytest.mark.root]

# A leak of 64 MiB every 100 ms crosses a threshold 1 GiB away in about two seconds; the cap keeps a
# monitor that never reacts from taking more than 3 GiB.
LEAK = {"kind": "leak-memfd", "size_mib": 3072, "extra": "64:100", "name": "leaker"}


def kill_apps(result):
    return [e["app"]["pids"] for e in result["events_of"]("kill")]


def test_memfd_hog_dies_and_the_big_anon_game_survives(run_scenario):
    result = run_scenario(
        hogs=[{"label": "leaker", **LEAK}, {"label": "game", "kind": "anon", "size_mib": 1024,
                                            "name": "game"}],
        close_after_mib=1024, warn_after_mib=512,
    )
    assert not result["timed_out"], result["monitor_stderr"]
    leaker, game = result["hogs"]["leaker"], result["hogs"]["game"]
    (kill,) = result["events_of"]("kill")
    assert kill["app"]["pids"] == leaker["pids"]
    assert kill["victim_reason"] == "hidden-memory"  # most of it is memory the kernel cannot see
    assert kill["app"]["bytes"]["shmem"] > kill["app"]["bytes"]["resident"]
    assert leaker["alive"] == [False]
    assert game["alive"] == [True]
    (killed,) = result["events_of"]("killed")
    assert killed["exited"] == leaker["pids"]
    assert killed["freed_bytes"] > 0


def test_protected_big_app_survives_and_a_smaller_hog_dies(run_scenario):
    result = run_scenario(
        hogs=[
            {"label": "editor", "kind": "memfd", "size_mib": 1536, "name": "editor"},
            {"label": "leaker", "kind": "leak-anon", "size_mib": 3072, "extra": "64:100",
             "name": "leaker"},
        ],
        close_after_mib=1024, warn_after_mib=512,
        monitor_args=["--protect", "{program:editor}"],
    )
    assert not result["timed_out"], result["monitor_stderr"]
    (kill,) = result["events_of"]("kill")
    assert kill["app"]["pids"] == result["hogs"]["leaker"]["pids"]
    assert result["hogs"]["editor"]["alive"] == [True]
    assert result["hogs"]["leaker"]["alive"] == [False]


def test_sacrifice_first_app_dies_first(run_scenario):
    result = run_scenario(
        hogs=[
            {"label": "chat", "kind": "anon", "size_mib": 128, "name": "chatapp"},
            {"label": "leaker", **LEAK},
        ],
        close_after_mib=1024, warn_after_mib=512,
        monitor_args=["--prefer", "{program:chat}"], until=2,
    )
    assert not result["timed_out"], result["monitor_stderr"]
    kills = kill_apps(result)
    assert kills[0] == result["hogs"]["chat"]["pids"]
    assert result["events_of"]("kill")[0]["victim_reason"] == "sacrifice-first"
    # The leak goes on after the chat app is gone, so the leaker is next.
    assert kills[1] == result["hogs"]["leaker"]["pids"]
    assert result["hogs"]["chat"]["alive"] == [False]
    assert result["hogs"]["leaker"]["alive"] == [False]


def test_multi_process_app_is_closed_as_a_whole(run_scenario):
    result = run_scenario(
        hogs=[{"label": "leaker", **LEAK, "forks": 3}],
        close_after_mib=1024, warn_after_mib=512,
    )
    assert not result["timed_out"], result["monitor_stderr"]
    leaker = result["hogs"]["leaker"]
    assert len(leaker["pids"]) == 4
    (kill,) = result["events_of"]("kill")
    assert sorted(kill["app"]["pids"]) == sorted(leaker["pids"])
    assert leaker["alive"] == [False] * 4
    (killed,) = result["events_of"]("killed")
    assert sorted(killed["exited"]) == sorted(leaker["pids"])


@pytest.mark.parametrize(
    ("on_term", "escalated"), [("handle", False), ("ignore", True)], ids=["handles", "ignores"]
)
def test_sigterm_first_then_sigkill(run_scenario, on_term, escalated):
    result = run_scenario(
        hogs=[{"label": "leaker", **LEAK, "on_term": on_term}],
        close_after_mib=1024, warn_after_mib=512,
        monitor_args=["--grace-seconds", "1.5"],
    )
    assert not result["timed_out"], result["monitor_stderr"]
    (kill,) = result["events_of"]("kill")
    assert kill["graceful"] is True
    (killed,) = result["events_of"]("killed")
    assert killed["escalated"] is escalated
    assert killed["exited"] == result["hogs"]["leaker"]["pids"]
    assert result["hogs"]["leaker"]["alive"] == [False]


def test_dry_run_kills_nothing_and_reports_what_it_would_do(run_scenario):
    result = run_scenario(
        hogs=[{"label": "leaker", **LEAK}],
        close_after_mib=1024, warn_after_mib=512,
        monitor_args=["--dry-run"],
    )
    assert not result["timed_out"], result["monitor_stderr"]
    (kill,) = result["events_of"]("kill")
    assert kill["dry_run"] is True
    assert kill["app"]["pids"] == result["hogs"]["leaker"]["pids"]
    (killed,) = result["events_of"]("killed")
    assert killed["dry_run"] is True and killed["signalled"] == []
    assert result["hogs"]["leaker"]["alive"] == [True]


def test_steady_leak_is_warned_about_before_the_kill(run_scenario):
    result = run_scenario(
        hogs=[{"label": "leaker", "kind": "leak-memfd", "size_mib": 3072, "extra": "32:100",
               "name": "leaker"}],
        close_after_mib=1024, warn_after_mib=900,
    )
    assert not result["timed_out"], result["monitor_stderr"]
    kinds = [e["event"] for e in result["events"]]
    assert "warning" in kinds and "kill" in kinds
    assert kinds.index("warning") < kinds.index("kill")
    warning = result["events_of"]("warning")[0]
    kill = result["events_of"]("kill")[0]
    assert warning["app"]["pids"] == kill["app"]["pids"] == result["hogs"]["leaker"]["pids"]
    assert warning["reason"] in ("forecast-under-horizon", "below-warn-threshold")
    assert warning["eta_s"] is None or warning["eta_s"] >= 0
    states = [e["state"] for e in result["events_of"]("state")]
    assert states.index("warning") < states.index("critical")


# -- spoofs: a leak that passes itself off as the desktop, as MemWarden or as a protected app ------
# Each one made the old code close the innocent game instead. A game of 1 GiB next to the leak;
# the leak must be the one closed, and the game must live.

GAME = {"label": "game", "kind": "anon", "size_mib": 1024, "name": "game"}


def assert_the_leak_died_and_the_game_lived(result):
    assert not result["timed_out"], result["monitor_stderr"]
    leaker, game = result["hogs"]["leaker"], result["hogs"]["game"]
    kills = [e["app"]["pids"] for e in result["events_of"]("kill")]
    assert kills and sorted(kills[0]) == sorted(leaker["pids"]), (kills, result["monitor_stderr"])
    assert not any(leaker["alive"])
    assert game["alive"] == [True]


@pytest.mark.parametrize("name", ["pipewire", "gnome-shell", "Xwayland"])
def test_a_leak_named_like_a_desktop_program_is_closed(run_scenario, name):
    result = run_scenario(
        hogs=[{"label": "leaker", **LEAK, "name": name}, GAME],
        close_after_mib=1024, warn_after_mib=512,
    )
    assert_the_leak_died_and_the_game_lived(result)


def test_a_leak_with_a_desktop_named_child_is_closed_with_its_child(run_scenario):
    result = run_scenario(
        hogs=[{"label": "leaker", **LEAK, "forks": 1, "child_name": "gnome-shell"}, GAME],
        close_after_mib=1024, warn_after_mib=512,
    )
    assert_the_leak_died_and_the_game_lived(result)
    assert len(result["hogs"]["leaker"]["pids"]) == 2


def test_a_leak_run_from_a_file_named_memwarden_is_closed(run_scenario):
    result = run_scenario(
        hogs=[{"label": "leaker", **LEAK, "program": "memwarden"}, GAME],
        close_after_mib=1024, warn_after_mib=512,
    )
    assert_the_leak_died_and_the_game_lived(result)


def test_a_leak_named_like_a_protected_app_is_not_protected(run_scenario):
    """The game is protected by its program's path (what the tray saves) and, as an old config
    may say, by its name; the leak calls itself "game" and runs from a file named like the
    game's: neither protects it."""
    result = run_scenario(
        hogs=[{"label": "leaker", **LEAK, "name": "game", "program": "game.py"},
              {**GAME, "program": "game.py"}],
        close_after_mib=1024, warn_after_mib=512,
        monitor_args=["--protect", "game", "--protect", "{program:game}"],
    )
    assert_the_leak_died_and_the_game_lived(result)


def test_no_warning_names_the_big_idle_game_when_a_leak_will_be_closed(run_scenario):
    """The warning names the app that will be closed: the leak, projected to be the biggest at
    the kill point, not the bigger game that sits still (and not on the first look after calm,
    when no growth is known yet)."""
    result = run_scenario(
        hogs=[{"label": "leaker", **LEAK, "extra": "32:100"}, GAME],
        close_after_mib=1536, warn_after_mib=256,
    )
    assert_the_leak_died_and_the_game_lived(result)
    warnings = result["events_of"]("warning")
    assert warnings, result["events"]
    assert [w["app"]["pids"] for w in warnings if w["app"]] == [result["hogs"]["leaker"]["pids"]
                                                              ] * len(warnings)


# -- a leaking tab closes the tab, not the browser ----------------------------------------------
# A synthetic browser (tests/hogs.py): main process, GPU process, four renderers (--type=renderer,
# oom_score_adj 300); pids in that order. The leak is an unmapped memfd.


def browser(leak_in: str) -> dict[str, object]:
    return {"label": "browser", "kind": "browser", "size_mib": 3072, "extra": f"{leak_in},64:100"}


def test_a_leaking_tab_closes_the_tab_and_the_browser_lives(run_scenario):
    result = run_scenario(hogs=[browser("renderer")], close_after_mib=1024, warn_after_mib=512)
    assert not result["timed_out"], result["monitor_stderr"]
    pids = result["hogs"]["browser"]["pids"]
    main, leaking = pids[0], pids[2]
    (kill,) = result["events_of"]("kill")
    assert sorted(kill["app"]["pids"]) == sorted(pids)  # the app chosen is the browser...
    assert kill["app"]["tab"]["pid"] == leaking  # ...and only its leaking tab is closed
    assert kill["app"]["tab"]["role"] == "renderer"
    # Its size is the leak's (the tab itself holds 40 MiB), as the last look measured it: that
    # can be a scan from before the close point (the leak is fast), so not the full 1 GiB.
    assert kill["app"]["tab"]["bytes"]["shmem"] > 256 * 1024 * 1024
    (killed,) = result["events_of"]("killed")
    assert killed["exited"] == [leaking] and killed["app"]["tab"]["pid"] == leaking
    assert result["hogs"]["browser"]["alive"] == [p != leaking for p in pids]
    assert main in pids
    # The warnings named the tab too.
    assert all(w["app"]["tab"]["pid"] == leaking for w in result["events_of"]("warning"))


def test_a_leak_in_the_main_process_closes_the_whole_browser(run_scenario):
    result = run_scenario(hogs=[browser("main")], close_after_mib=1024, warn_after_mib=512)
    assert not result["timed_out"], result["monitor_stderr"]
    pids = result["hogs"]["browser"]["pids"]
    (kill,) = result["events_of"]("kill")
    assert "tab" not in kill["app"] and sorted(kill["app"]["pids"]) == sorted(pids)
    assert not any(result["hogs"]["browser"]["alive"])


def test_a_protected_browser_loses_no_tab(run_scenario):
    result = run_scenario(
        hogs=[browser("renderer"), {"label": "bystander", "kind": "anon", "size_mib": 256}],
        close_after_mib=1024, warn_after_mib=512,
        monitor_args=["--protect", "{program:browser}"],
    )
    assert not result["timed_out"], result["monitor_stderr"]
    (kill,) = result["events_of"]("kill")
    assert kill["app"]["pids"] == result["hogs"]["bystander"]["pids"]
    assert all(result["hogs"]["browser"]["alive"])
