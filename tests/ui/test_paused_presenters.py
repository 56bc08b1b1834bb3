# SPDX-License-Identifier: GPL-3.0-or-later
"""An app the monitor paused, in words and in the tray's presenters, without widgets: the
notification's text (sizes, growth per second, what giving memory back measured), the after-kill
text, the icon, the tooltip, the menu and the prompt's rows for a ``PausedApps`` value."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pausing_monitor import paused_app, paused_entry
from PySide6.QtCore import QLocale

from memwarden.ui.tray import menu_presenter
from memwarden.ui.tray.prompt_presenter import build_prompt
from memwarden.ui.words import messages, pause_words

MiB = 1024 * 1024
GiB = 1024 * MiB
UID = 1000


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    yield
    QLocale.setDefault(before)


BLENDER = paused_entry()  # 3.0 GiB, growing by 48 MiB/s, 1.2 GiB freed by the reclaim
PROPS = {
    "State": "warning", "AvailableBytes": 700 * MiB, "EtaSeconds": -1.0,
    "PressureSomeAvg10": 12.3, "PressureFullAvg10": 1.0, "NextVictim": "",
    "Thresholds": {"warn": GiB, "close": 500 * MiB, "kill": 250 * MiB}, "Paused": False,
    "HelperStatus": "applied", "ConfigError": "", "AppRules": {}, "PausedApps": [],
}  # fmt: skip


def snapshot_app(app_id: str, name: str, total: int, **extra: object) -> dict:
    return {"id": app_id, "name": name, "kind": "other", "icon": None, "uid": UID, "pids": [7],
            "rule": "normal", "rule_source": "",
            "bytes": {"resident": total, "swap": 0, "page_tables": 0, "shmem": 0, "dmabuf": 0,
                      "gpu_system": 0, "gpu_vram": 0, "kernel_view": total, "total": total},
            **extra}  # fmt: skip


SNAP = {"schema": "memwarden.scan/1", "system": {}, "orphans": [], "apps": [
    snapshot_app("org.blender.Blender", "Blender", int(2.5 * GiB)),  # after the reclaim
    snapshot_app("editor", "Editor", 4 * GiB),
    snapshot_app("bash-5", "bash", 20 * MiB),
]}  # fmt: skip


# -- the notification -----------------------------------------------------------------------------


def test_the_notification_says_what_it_used_how_fast_it_grew_what_came_back_and_the_choices():
    text = pause_words.paused_text(BLENDER)
    assert text.summary == "Blender was paused"
    assert text.body == (
        "It was using 3.0 GiB and growing by 48 MiB/s. MemWarden moved its memory to swap: "
        "1.2 GiB of RAM is free for your other apps. Its windows do not respond while it is "
        "paused. If memory runs out all the same, it will be closed. Resume it, close it, or "
        "protect it and resume it."
    )


def test_a_game_or_a_browser_is_named_so_and_a_size_follows_the_locale():
    game = paused_entry(paused_app("steam-9", "Borderlands 3", kind="game"))
    assert pause_words.paused_text(game).summary == "The game Borderlands 3 was paused"
    browser = paused_entry(paused_app("firefox", "Firefox", kind="browser"))
    assert pause_words.paused_text(browser).summary == "The browser Firefox was paused"
    german = QLocale(QLocale.Language.German, QLocale.Country.Germany)
    assert pause_words.usage_sentence(BLENDER, german).startswith("It was using 3,0 GiB and "
                                                                  "growing by 48 MiB/s")


def test_the_size_is_the_one_when_it_was_paused_and_no_growth_is_not_claimed():
    later = {**BLENDER, "bytes": 5 * GiB, "growth_bytes_per_s": 0}
    assert pause_words.usage_sentence(later) == "It was using 5.0 GiB."
    assert pause_words.paused_line(later) == "Blender is paused: it was using 5.0 GiB."
    # Without the entry's figure, the app's own total.
    assert pause_words.paused_bytes({"app": paused_app(total=GiB)}) == GiB


@pytest.mark.parametrize(
    ("reclaim", "sentence"),
    [
        ({"result": "done", "ram_freed_bytes": 1200 * MiB},
         "MemWarden moved its memory to swap: 1.2 GiB of RAM is free for your other apps."),
        ({"result": "partial", "ram_freed_bytes": 300 * MiB},
         "MemWarden moved part of its memory to swap: 300 MiB of RAM is free for your other "
         "apps."),
        # Only what was measured: done, but no RAM came free.
        ({"result": "done", "ram_freed_bytes": 0},
         "MemWarden moved its memory to swap, but no RAM came free."),
        ({"result": "no-swap", "ram_freed_bytes": 0},
         "Its memory could not be moved out of RAM: there is no swap space."),
        ({"result": "no-own-cgroup", "ram_freed_bytes": 0},
         "Its memory could not be moved out of RAM: it does not run in a cgroup of its own."),
        ({"result": "brand-new", "ram_freed_bytes": 5 * GiB},
         "Moving its memory out of RAM ended with: brand-new."),
        (None, ""),
    ],
)  # fmt: skip
def test_what_giving_memory_back_did_claims_only_what_was_measured(reclaim, sentence):
    assert pause_words.reclaim_sentence(reclaim) == sentence
    body = pause_words.paused_text({**BLENDER, "reclaim": reclaim}).body
    assert (sentence in body) if sentence else ("RAM" not in body)


def test_the_after_kill_text_says_it_was_paused_unless_the_person_closed_it():
    app = {**paused_app(), "paused": True}
    killed = messages.killed_text(app, 900 * MiB, "below-kill-threshold")
    assert killed.summary == "Closed Blender to keep your computer responsive"
    assert killed.body == ("It was paused and memory kept running out. It was using 3.0 GiB. "
                           "Available memory rose by 900 MiB.")  # fmt: skip
    closed = messages.killed_text(app, 900 * MiB, "user-request")
    assert closed.summary == "Closed Blender" and "paused" not in closed.body
    never_paused = messages.killed_text(paused_app(), 900 * MiB, "below-kill-threshold")
    assert "paused" not in never_paused.body


def test_resumed_apps_are_told_about_only_where_nothing_else_says_it():
    for told_elsewhere in ("user-request", "closing", "killed"):
        assert pause_words.resumed_text(paused_app(), told_elsewhere) is None
    stopping = pause_words.resumed_text(paused_app(), "stopping")
    assert stopping is not None and stopping.summary == "Blender is no longer paused"
    assert stopping.body == "The monitor stopped, so it runs again."
    newer = pause_words.resumed_text(paused_app(), "brand-new")
    assert newer is not None and newer.body == "It runs again (brand-new)."


# -- icon, tooltip, menu --------------------------------------------------------------------------


def test_a_paused_app_makes_the_icon_critical_whatever_memory_does():
    calm = {**PROPS, "State": "calm", "PausedApps": [BLENDER]}
    assert menu_presenter.icon_state(calm, connected=True) == "critical"
    assert menu_presenter.icon_state({**calm, "Paused": True}, connected=True) == "critical"
    assert menu_presenter.icon_state({**calm, "PausedApps": []}, connected=True) == "calm"
    assert menu_presenter.icon_state(calm, connected=False) == "error"


def test_the_tooltip_names_the_paused_apps_right_below_the_state():
    other = paused_entry(paused_app("editor", "Editor", total=4 * GiB), growth=0)
    # The longest paused first, whatever the order of the list.
    props = {**PROPS, "PausedApps": [{**other, "since": BLENDER["since"] + 60}, BLENDER]}
    lines = menu_presenter.tooltip(props, True, snapshot=SNAP).splitlines()
    assert lines[:3] == [
        "MemWarden: Memory is running low",
        "Blender is paused: it was using 3.0 GiB and growing by 48 MiB/s.",
        "Editor is paused: it was using 4.0 GiB.",
    ]
    # A monitor that went away without resuming it may have left it paused: still named.
    down = menu_presenter.tooltip(props, False).splitlines()
    assert down[1] == "Blender is paused: it was using 3.0 GiB and growing by 48 MiB/s."
    assert "paused" not in menu_presenter.tooltip(PROPS, True)  # none paused: no line


def test_the_menu_lists_a_paused_app_on_its_own_above_the_others():
    props = {**PROPS, "PausedApps": [BLENDER]}
    [item] = menu_presenter.paused_items(props)
    assert item.app_id == "org.blender.Blender"
    assert item.title == "Blender — 3.0 GiB (paused)"
    assert item.detail == "It was using 3.0 GiB and growing by 48 MiB/s."
    assert [i.app_id for i in menu_presenter.app_items(SNAP, props, uid=UID)] == ["editor",
                                                                                  "bash-5"]
    assert pause_words.paused_header([BLENDER]) == "Blender is paused and waits for your choice"
    assert pause_words.paused_header([BLENDER, paused_entry(paused_app("x", "X"))]) == (
        "Several apps are paused and wait for your choice"
    )
    assert menu_presenter.paused_items(PROPS) == []


def test_entries_without_an_app_are_left_out():
    props = {**PROPS, "PausedApps": [{"since": 1.0}, {"app": {}}, {"app": "x"}, BLENDER]}
    assert [pause_words.paused_id(e) for e in pause_words.paused_entries(props)] == [
        "org.blender.Blender"
    ]


# -- the prompt -----------------------------------------------------------------------------------


def test_the_prompt_lists_the_paused_app_first_marked_with_its_note():
    model = build_prompt(SNAP, {**PROPS, "PausedApps": [BLENDER]}, None, uid=UID)
    assert [(r.app_id, r.paused) for r in model.rows] == [
        ("org.blender.Blender", True), ("editor", False), ("bash-5", False),
    ]
    assert model.paused_index == 0
    assert model.rows[0].size == "2.5 GiB"  # the snapshot's, now
    assert model.paused_note == (
        "Blender was paused. It was using 3.0 GiB and growing by 48 MiB/s. MemWarden moved its "
        "memory to swap: 1.2 GiB of RAM is free for your other apps. Its windows do not respond "
        "while it is paused. If memory runs out all the same, it will be closed. Resume it, "
        "close it, or protect it and resume it."
    )
    none_paused = build_prompt(SNAP, PROPS, None, uid=UID)
    assert none_paused.paused_note == "" and none_paused.paused_index is None
    assert not any(r.paused for r in none_paused.rows)


def test_the_prompt_lists_a_paused_app_the_snapshot_lacks_and_does_not_repeat_its_victim_note():
    model = build_prompt({**SNAP, "apps": SNAP["apps"][1:]},
                         {**PROPS, "PausedApps": [BLENDER], "NextVictim": "org.blender.Blender"},
                         None, uid=UID)  # fmt: skip
    first = model.rows[0]
    assert (first.app_id, first.paused, first.size) == ("org.blender.Blender", True, "3.0 GiB")
    assert first.next_victim and first.reason == ""
    assert model.victim_note == ""  # its paused note says what happens to it


def test_while_an_app_is_paused_the_prompt_does_not_say_an_app_will_be_closed():
    """While one is paused the monitor closes nothing at the close level (the person decides):
    "MemWarden will close an app in 40 s" would be false."""
    props = {**PROPS, "State": "critical", "EtaSeconds": 40.0, "NextVictim": "editor"}
    assert "will close an app" in build_prompt(SNAP, props, None, uid=UID).subtitle
    paused = build_prompt(SNAP, {**props, "PausedApps": [BLENDER]}, None, uid=UID)
    assert "will close" not in paused.subtitle and paused.paused_note
