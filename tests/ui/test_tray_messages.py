# SPDX-License-Identifier: GPL-3.0-or-later
"""The tray's words: reason codes to sentences, warnings, after-kill and free-memory texts.

No widgets; QtCore only. Numbers are English (QLocale pinned) so the expected texts are exact.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QLocale

from memwarden.ui.link.app_rules import monitor_rule, rule_name
from memwarden.ui.words import free_memory_words, messages
from memwarden.ui.words.code_words import rule_source_text

MiB = 1024 * 1024
GiB = 1024 * MiB


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    yield
    QLocale.setDefault(before)


def app(name: str = "Blender", kind: str = "other", total: int = 3 * GiB, **parts: int) -> dict:
    b = {"resident": 0, "swap": 0, "page_tables": 0, "shmem": 0, "dmabuf": 0, "gpu_system": 0,
         "gpu_vram": 0, "kernel_view": total, "total": total}  # fmt: skip
    b.update(parts)
    return {"id": f"{name.lower()}-42", "name": name, "kind": kind, "icon": None, "pids": [42],
            "bytes": b}  # fmt: skip


# -- reason codes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["below-warn-threshold", "forecast-under-horizon",
                                  "psi-some-high", "below-close-threshold",
                                  "below-kill-threshold", "psi-full-sustained"])  # fmt: skip
def test_every_state_reason_has_its_own_sentence(code):
    assert messages.state_reason(code) != messages.state_reason("never-heard-of-it")


@pytest.mark.parametrize("code", ["sacrifice-first", "hidden-memory", "growing", "largest",
                                  "user-request", "no-candidate", "orphan-tmpfs"])  # fmt: skip
def test_every_victim_reason_has_its_own_sentence(code):
    assert messages.victim_reason(code) != messages.victim_reason("never-heard-of-it")


def test_unknown_codes_get_a_generic_sentence_not_the_bare_code():
    assert messages.state_reason("brand-new") == "Memory is running low."
    assert messages.victim_reason("brand-new") == "It is the best app to close."
    # A refusal names the code too: the person can report it.
    assert messages.refusal("brand-new") == "The monitor could not do it (brand-new)."
    assert free_memory_words.free_step({"step": "reclaim-background", "result": "brand-new"}) == (
        "Background apps could not be trimmed (brand-new)."
    )
    unknown = {"step": "brand-new-step", "result": "brand-new"}
    assert "brand-new" in free_memory_words.free_step(unknown)


def test_refusals_say_why():
    assert "protected" in messages.refusal("protected")
    assert "desktop session" in messages.refusal("session")
    assert messages.refusal("gone") == messages.refusal("no-such-app")


def test_helper_problems_only_when_something_is_wrong():
    # Fine, on purpose, or asked again soon: nothing to tell.
    for fine in ("applied", "unknown", "no-helper", "", "helper-busy", "exited"):
        assert messages.helper_problem(fine) is None
        assert not messages.helper_missing(fine)
    assert messages.helper_problem("not-activatable") == (
        "The helper is not installed: the kernel's out-of-memory killer may still pick a "
        "protected app."
    )
    unusable = ("not-activatable", "activation-failed", "incompatible-helper", "no-system-bus")
    for code in unusable:
        assert messages.helper_missing(code)
    # Refused, or not answering this time, but there: a problem to tell, not the error icon.
    for told in ("not-authorized", "no-reply", "not-running", "cap-sys-resource", "owner-changed"):
        assert messages.helper_problem(told)
        assert not messages.helper_missing(told)
    # A newer monitor's code: told, with the code, never the error icon.
    assert "brand-new" in (messages.helper_problem("brand-new") or "")
    assert not messages.helper_missing("brand-new")


def test_drop_caches_step_says_what_the_helper_said():
    def step(result: str) -> str:
        return free_memory_words.free_step({"step": "drop-caches", "result": result})

    assert step("not-activatable") == (
        "Caches were not dropped: the privileged helper is not installed."
    )
    assert step("not-authorized") == step("polkit-unavailable") == (
        "Caches were not dropped: not allowed."
    )
    assert step("drop-caches-denied") == (
        "Caches were not dropped: the privileged helper lacks a capability."
    )
    assert step("rate-limited") != step("helper-busy")
    # A code FreeMemory never answers with is not read as one it does.
    assert step("exited") == "Caches were not dropped (exited)."


# -- apps and sizes -------------------------------------------------------------------------------


def test_games_and_browsers_are_named_as_such():
    assert messages.app_phrase(app("Borderlands 3", "game")) == "the game Borderlands 3"
    assert messages.app_phrase(app("Firefox", "browser")) == "the browser Firefox"
    assert messages.app_phrase(app("Blender")) == "Blender"
    assert messages.app_phrase(None) == "an unknown app"


def test_size_counts_gpu_and_shared_memory_and_says_so():
    plain = app(total=3 * GiB)
    assert messages.size_with_breakdown(plain) == "3.0 GiB"
    mixed = app(total=3 * GiB, gpu_system=1 * GiB, dmabuf=512 * MiB, shmem=300 * MiB,
                kernel_view=1 * GiB)  # fmt: skip
    assert messages.size_with_breakdown(mixed) == (
        "3.0 GiB, of which 1.5 GiB GPU memory and 300 MiB shared memory"
    )
    assert messages.breakdown(mixed) == "1.5 GiB GPU memory and 300 MiB shared memory"
    vram = app(total=2 * GiB, gpu_vram=4 * GiB)
    assert messages.size_with_breakdown(vram) == "2.0 GiB (and 4.0 GiB on the graphics card)"


def test_rules_are_saved_under_the_monitors_rule_target():
    # The monitor says what a rule must name: for a process tree, its program's path.
    tree = {"id": "hog.py-4242", "name": "hog.py", "pids": [4242],
            "rule_target": "/home/me/hog.py"}  # fmt: skip
    assert rule_name(tree) == "/home/me/hog.py"


def test_rules_of_tree_apps_from_a_signal_are_saved_under_their_name():
    # A Warning's app has only the brief fields (no rule_target); a process-tree app's id
    # carries its root pid, meaningless after a restart.
    tree = {"id": "blender-4242", "name": "blender", "pids": [4242, 4250]}
    assert rule_name(tree) == "blender"
    scoped = {"id": "org.mozilla.firefox", "name": "Firefox", "pids": [10]}
    assert rule_name(scoped) == "org.mozilla.firefox"
    # A trailing number that is not one of its pids is part of a real id.
    versioned = {"id": "app-2024", "name": "App", "pids": [7]}
    assert rule_name(versioned) == "app-2024"


def test_the_rule_shown_is_the_monitors_and_says_where_it_came_from():
    # Whatever the app is called: the UI shows the monitor's decision, never matches names.
    firefox = {"id": "org.mozilla.firefox", "name": "Firefox", "pids": [10],
               "rule": "protect", "rule_source": "/usr/lib/firefox/firefox"}  # fmt: skip
    assert monitor_rule(firefox) == "protect"
    assert rule_source_text(firefox) == "Protected by your rule “/usr/lib/firefox/firefox”."
    chat = {"id": "chat-7", "name": "chat", "pids": [7], "rule": "prefer", "rule_source": "chat"}
    assert rule_source_text(chat) == "Sacrificed first by your rule “chat”."
    plain = {"id": "editor", "name": "Editor", "pids": [8], "rule": "normal", "rule_source": ""}
    assert (monitor_rule(plain), rule_source_text(plain)) == ("normal", "")


# -- whole messages -------------------------------------------------------------------------------


def test_warning_names_the_app_its_real_size_the_time_left_and_why():
    game = app("Borderlands 3", "game", total=6 * GiB, gpu_system=2 * GiB, kernel_view=4 * GiB)
    text = messages.warning_text(game, 45, "forecast-under-horizon", "largest")
    assert text.summary == "The game Borderlands 3 will be closed in 45 s"
    assert text.body == (
        "It is using 6.0 GiB, of which 2.0 GiB GPU memory. Memory is filling up fast. "
        "It uses the most memory."
    )
    browser = app("Firefox", "browser")
    assert messages.warning_text(browser, -1, "below-warn-threshold", "largest").summary == (
        "The browser Firefox would be closed if memory runs out"
    )
    assert messages.warning_text(app(), 200, "x", "y").summary == (
        "Blender will be closed in about 3 min"
    )


def test_warning_without_an_app_explains_orphan_memory():
    text = messages.warning_text(None, -1, "below-warn-threshold", "orphan-tmpfs")
    assert text.summary == "Memory is running low"
    assert "closing apps will not free it" in text.body


def test_after_a_kill_says_what_it_was_using_and_only_measured_gains():
    game = app("Borderlands 3", "game", total=6 * GiB, gpu_system=2 * GiB, kernel_view=4 * GiB)
    text = messages.killed_text(game, 0, "below-close-threshold")
    assert text.summary == "Closed the game Borderlands 3 to keep your computer responsive"
    assert text.body == "It was using 6.0 GiB, of which 2.0 GiB GPU memory."
    measured = messages.killed_text(game, 5 * GiB, "below-kill-threshold")
    assert measured.body.endswith("Available memory rose by 5.0 GiB.")
    asked = messages.killed_text(app(), 0, "user-request")
    assert asked.summary == "Closed Blender"


def test_free_memory_result_never_claims_what_was_not_measured():
    nothing = {
        "steps": [{"step": "reclaim-background", "result": "no-cgroup-v2"},
                  {"step": "drop-caches", "result": "no-helper"}],
        "available_before": 2 * GiB, "available_after": 2 * GiB, "freed_bytes": 0,
    }  # fmt: skip
    text = free_memory_words.free_result_text(nothing)
    assert text.summary == "No memory could be freed without closing apps"
    assert text.body.startswith("Available memory: 2.0 GiB before, 2.0 GiB after.")
    assert "cgroup v2" in text.body and "helper" in text.body
    some = {**nothing, "available_after": 2 * GiB + 300 * MiB, "freed_bytes": 300 * MiB}
    assert free_memory_words.free_result_text(some).summary == "Freed 300 MiB"
    # A negative difference (memory kept filling meanwhile) is no gain, whatever the field says.
    worse = {**nothing, "available_after": GiB, "freed_bytes": -GiB}
    assert free_memory_words.free_result_text(worse).summary == (
        "No memory could be freed without closing apps"
    )
    # A reclaim into swap moves memory: said as such, not counted as freed.
    moved = {**nothing, "swapped_out_bytes": 512 * MiB}
    assert free_memory_words.free_result_text(moved).summary == (
        "No memory could be freed without closing apps"
    )
    moved_text = free_memory_words.free_result_text(moved).body
    assert "512 MiB of idle memory was moved to swap." in moved_text
    assert "swap" not in free_memory_words.free_result_text(nothing).body


def test_orphan_text_names_the_files():
    orphans = [{"kind": "tmpfs", "path": "/dev/shm/big", "bytes": 2 * GiB, "uid": 0},
               {"kind": "tmpfs", "path": "/tmp/small", "bytes": 10 * MiB, "uid": 0}]
    text = messages.orphan_text(orphans)
    assert text.startswith("2.0 GiB is held by files that no app has open")
    assert text.index("/dev/shm/big (2.0 GiB)") < text.index("/tmp/small (10 MiB)")
    assert "/dev/shm" in messages.orphan_text([])


def test_a_tab_is_named_as_a_tab_of_its_browser_with_its_own_size():
    firefox = app("Firefox", "browser", 3 * GiB)
    firefox["tab"] = {"pid": 43, "role": "content",
                      "bytes": {"total": 1 * GiB, "kernel_view": 200 * MiB, "shmem": 824 * MiB}}
    warning = messages.warning_text(firefox, 30.0, "below-warn-threshold", "growing")
    assert warning.summary == "A tab of Firefox will be closed in 30 s"
    assert warning.body.startswith(
        "The tab is using 1.0 GiB, of which 824 MiB shared memory; the rest of Firefox stays open."
    )
    killed = messages.killed_text(firefox, 900 * MiB, "below-close-threshold")
    assert killed.summary == "Closed a tab of Firefox to keep your computer responsive"
    assert killed.body.startswith("The tab was using 1.0 GiB")
    # Without a tab: the whole browser, as before.
    del firefox["tab"]
    assert messages.warning_text(firefox, 30.0, "below-warn-threshold", "growing").summary == (
        "The browser Firefox will be closed in 30 s"
    )
