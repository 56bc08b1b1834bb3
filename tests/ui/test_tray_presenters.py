# SPDX-License-Identifier: GPL-3.0-or-later
"""The tray's and the prompt's presenters, without widgets: icon, tooltip, menu, prompt rows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QLocale

from memwarden.ui.link.app_rules import rule_changes
from memwarden.ui.tray import menu_presenter
from memwarden.ui.tray.prompt_presenter import build_prompt

MiB = 1024 * 1024
GiB = 1024 * MiB
UID = 1000


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    yield
    QLocale.setDefault(before)


def app(app_id: str, name: str, total: int, *, kind: str = "other", uid: int = UID,
        hidden: int = 0, rule: str = "normal", rule_source: str = "") -> dict:  # fmt: skip
    # A process-tree app's id ends with its root pid, as core.apps makes it. The rule is the
    # monitor's, as GetSnapshot says it.
    root = int(app_id.rsplit("-", 1)[1]) if app_id.rsplit("-", 1)[-1].isdigit() else 1000
    return {
        "id": app_id, "name": name, "kind": kind, "icon": None, "uid": uid, "pids": [root, 9999],
        "rule": rule, "rule_source": rule_source,
        "bytes": {"resident": total - hidden, "swap": 0, "page_tables": 0, "shmem": hidden,
                  "dmabuf": 0, "gpu_system": 0, "gpu_vram": 0, "kernel_view": total - hidden,
                  "total": total},
    }  # fmt: skip


def snapshot(*apps: dict, orphans: list[dict] | None = None) -> dict:
    return {"schema": "memwarden.scan/1", "system": {}, "apps": list(apps),
            "orphans": orphans or []}  # fmt: skip


SNAP = snapshot(
    app("org.gnome.Shell", "GNOME Shell", 5 * GiB, kind="session"),
    app("org.mozilla.firefox", "Firefox", 2 * GiB, kind="browser", rule="protect",
        rule_source="firefox"),
    app("hog.py-77", "hog.py", 3 * GiB, hidden=int(2.8 * GiB)),
    app("bash-5", "bash", 20 * MiB),
    app("other-user-app", "Theirs", 9 * GiB, uid=UID + 1),
)
PROPS = {
    "State": "warning", "AvailableBytes": 700 * MiB, "EtaSeconds": 40.0,
    "PressureSomeAvg10": 12.3, "PressureFullAvg10": 1.0, "NextVictim": "hog.py-77",
    "Thresholds": {"warn": GiB, "close": 500 * MiB, "kill": 250 * MiB}, "Paused": False,
    "HelperStatus": "applied", "ConfigError": "", "AppRules": {"firefox": "protect"},
}  # fmt: skip


# -- icon -----------------------------------------------------------------------------------------


def test_icon_follows_the_state_and_what_is_missing():
    calm = {**PROPS, "State": "calm"}
    assert menu_presenter.icon_state(calm, connected=True) == "calm"
    assert menu_presenter.icon_state(PROPS, connected=True) == "warning"
    assert menu_presenter.icon_state({**PROPS, "State": "critical"}, connected=True) == "critical"
    assert menu_presenter.icon_state({**calm, "Paused": True}, connected=True) == "paused"
    assert menu_presenter.icon_state(calm, connected=False) == "error"
    assert menu_presenter.icon_state(calm, True, launcher_status="failed") == "error"
    assert menu_presenter.icon_state({**calm, "HelperStatus": "not-activatable"}, True) == "error"
    # An urgent state shows through a pause or a missing helper (the tooltip tells the rest).
    assert menu_presenter.icon_state({**PROPS, "Paused": True}, connected=True) == "warning"
    missing_helper = {**PROPS, "HelperStatus": "not-activatable"}
    assert menu_presenter.icon_state(missing_helper, True) == "warning"


def test_tooltip_has_the_live_numbers():
    text = menu_presenter.tooltip(PROPS, True, snapshot=SNAP)
    assert text.splitlines() == [
        "MemWarden: Memory is running low",
        "Available memory: 700 MiB",
        "Memory runs out in 40 s",
        "Memory pressure: 12% (stalled: 1%)",
        "Would be closed next: hog.py (3.0 GiB)",
    ]


def test_tooltip_says_what_is_wrong():
    calm = {**PROPS, "State": "calm", "EtaSeconds": -1.0, "NextVictim": "", "Paused": True,
            "HelperStatus": "not-activatable", "ConfigError": "line 3: bad value"}  # fmt: skip
    lines = menu_presenter.tooltip(calm, True).splitlines()
    assert lines[0] == "MemWarden: Memory is fine"
    assert not any(line.startswith("Memory runs out") for line in lines)
    assert "Guarding is paused: no app will be closed automatically." in lines
    assert any("helper is not installed" in line for line in lines)
    assert "Settings problem: line 3: bad value" in lines
    down = menu_presenter.tooltip(calm, False, launcher_status="failed", log_path="/x/monitor.log")
    assert down.splitlines() == [
        "MemWarden: Not guarding: the monitor is not running",
        "The monitor keeps stopping; its log: /x/monitor.log",
    ]
    assert menu_presenter.tooltip({}, False, launcher_status="starting") == (
        "MemWarden: Starting the monitor…"
    )


# -- menu -----------------------------------------------------------------------------------------


def test_menu_lists_own_apps_by_real_size_never_the_session_or_other_users():
    items = menu_presenter.app_items(SNAP, PROPS, uid=UID)
    assert [i.app_id for i in items] == ["hog.py-77", "org.mozilla.firefox", "bash-5"]
    hog, firefox, _bash = items
    assert hog.title == "hog.py — 3.0 GiB (closed next)"
    assert hog.next_victim and not firefox.next_victim
    assert hog.detail == "3.0 GiB, of which 2.8 GiB shared memory"
    assert hog.rule_name == "hog.py"  # a process-tree app without rule_target: by name
    assert firefox.rule == "protect" and firefox.rule_name == "org.mozilla.firefox"
    assert hog.rule == "normal"


def test_menu_and_tooltip_say_a_tab_when_only_a_tab_would_be_closed():
    """The warning said a tab of Chromium (a renderer) would go, not the whole browser."""
    chromium = app("chromium-40", "Chromium", 4 * GiB, kind="browser")
    snap = snapshot(chromium, app("bash-5", "bash", 20 * MiB))
    props = {**PROPS, "NextVictim": "chromium-40"}
    tab = {"pid": 41, "role": "renderer", "bytes": {**chromium["bytes"], "total": 1536 * MiB}}
    warning = {"app": {**chromium, "tab": tab}, "eta_seconds": 40.0,
               "reason": "forecast-under-horizon", "victim_reason": "growing"}  # fmt: skip
    [first, _] = menu_presenter.app_items(snap, props, uid=UID, last_warning=warning)
    assert first.title == "Chromium — 4.0 GiB (a tab of it closed next)"
    tooltip = menu_presenter.tooltip(props, True, snapshot=snap, last_warning=warning)
    assert tooltip.splitlines()[-1] == "Would be closed next: a tab of Chromium (1.5 GiB)"
    # Without that warning, or when it named another app, the whole app is marked.
    for other in (None, {**warning, "app": {**warning["app"], "id": "bash-5"}}):
        [first, _] = menu_presenter.app_items(snap, props, uid=UID, last_warning=other)
        assert first.title == "Chromium — 4.0 GiB (closed next)"
        tooltip = menu_presenter.tooltip(props, True, snapshot=snap, last_warning=other)
        assert tooltip.splitlines()[-1] == "Would be closed next: Chromium (4.0 GiB)"


def test_menu_and_prompt_show_the_monitors_rule_and_never_match_names():
    # AppRules names "hog.py" and "firefox", but the monitor decided otherwise (a rule on a name
    # that is not the app's own, say): the snapshot's rule is the one shown.
    snap = snapshot(app("hog.py-77", "hog.py", 3 * GiB),
                    app("org.mozilla.firefox", "Firefox", 2 * GiB, kind="browser"),
                    app("bash-5", "bash", 20 * MiB, rule="protect",
                        rule_source="/usr/libexec/helper"))  # fmt: skip
    props = {**PROPS, "AppRules": {"hog.py": "protect", "firefox": "prefer",
                                   "/usr/libexec/helper": "protect"}}  # fmt: skip
    items = {i.app_id: i.rule for i in menu_presenter.app_items(snap, props, uid=UID)}
    assert items == {"hog.py-77": "normal", "org.mozilla.firefox": "normal", "bash-5": "protect"}
    rows = {r.app_id: r for r in build_prompt(snap, props, None, uid=UID).rows}
    assert rows["bash-5"].rule == "protect" and not rows["bash-5"].closable
    assert rows["hog.py-77"].rule == "normal" and rows["hog.py-77"].closable


def test_menu_always_includes_the_next_victim():
    many = snapshot(*(app(f"a{i}", f"A{i}", (10 - i) * GiB) for i in range(8)))
    items = menu_presenter.app_items(many, {**PROPS, "NextVictim": "a7"}, limit=3, uid=UID)
    assert [i.app_id for i in items] == ["a0", "a1", "a2", "a7"]
    assert menu_presenter.app_items(None, PROPS) == []


# -- prompt ---------------------------------------------------------------------------------------


def test_prompt_lists_apps_by_real_memory_and_highlights_the_victim_with_its_reason():
    warning = {"app": {"id": "hog.py-77"}, "eta_seconds": 40.0,
               "reason": "below-warn-threshold", "victim_reason": "hidden-memory"}  # fmt: skip
    model = build_prompt(SNAP, PROPS, warning, uid=UID)
    assert model.title == "Your system is running out of application memory"
    assert model.subtitle == (
        "Available memory: 700 MiB. Close the apps you do not need to keep your computer "
        "responsive. MemWarden will close an app in 40 s."
    )
    assert [(r.name, r.size) for r in model.rows] == [
        ("hog.py", "3.0 GiB"), ("Firefox", "2.0 GiB"), ("bash", "20 MiB"),
    ]
    assert model.victim_index == 0
    assert model.rows[0].reason.startswith("Most of its memory is shared memory")
    assert model.victim_note.startswith("hog.py would be closed first. Most of its memory")
    assert model.rows[0].breakdown == "2.8 GiB shared memory"
    assert model.rows[1].rule == "protect" and not model.rows[1].closable
    assert model.orphan_note == ""


def test_prompt_says_when_only_a_tab_of_the_app_would_be_closed():
    tab = {"pid": 78, "role": "renderer", "bytes": {"total": 900 * MiB, "kernel_view": 100 * MiB,
                                                    "shmem": 800 * MiB}}  # fmt: skip
    warning = {"app": {"id": "hog.py-77", "tab": tab}, "eta_seconds": 40.0,
               "reason": "below-warn-threshold", "victim_reason": "growing"}  # fmt: skip
    model = build_prompt(SNAP, PROPS, warning, uid=UID)
    assert model.victim_note.startswith(
        "A tab of hog.py would be closed first (it uses 900 MiB, of which 800 MiB shared "
        "memory); the rest of it stays open."
    )


def test_prompt_reason_without_a_warning_follows_the_policy():
    model = build_prompt(SNAP, {**PROPS, "NextVictim": "bash-5"}, None, uid=UID)
    assert model.victim_index == 2
    assert model.rows[2].reason == "It uses the most memory."
    preferred = snapshot(*(a if a["id"] != "bash-5" else {**a, "rule": "prefer"}
                           for a in SNAP["apps"]))  # fmt: skip
    sacrificed = build_prompt(preferred, {**PROPS, "NextVictim": "bash-5"}, None, uid=UID)
    assert sacrificed.rows[2].reason == "You chose to sacrifice it first."


def test_prompt_says_closing_apps_will_not_help_orphan_memory():
    orphans = [{"kind": "tmpfs", "path": "/dev/shm/leftover", "bytes": 6 * GiB, "uid": UID}]
    model = build_prompt(snapshot(*SNAP["apps"], orphans=orphans),
                         {**PROPS, "NextVictim": ""}, None, uid=UID)  # fmt: skip
    assert "closing apps will not free it" in model.orphan_note
    assert "/dev/shm/leftover (6.0 GiB)" in model.orphan_note
    assert model.victim_index is None and model.victim_note == ""
    # The monitor said so (Warning victim_reason) even without the files in the snapshot.
    warned = build_prompt(SNAP, {**PROPS, "NextVictim": ""},
                          {"app": {}, "victim_reason": "orphan-tmpfs"}, uid=UID)  # fmt: skip
    assert "/dev/shm" in warned.orphan_note


def test_prompt_names_a_game_or_a_browser_as_such_at_the_start_of_a_sentence():
    game = snapshot(app("steam-9", "Borderlands 3", 6 * GiB, kind="game"))
    model = build_prompt(game, {**PROPS, "NextVictim": "steam-9"}, None, uid=UID)
    assert model.victim_note.startswith("The game Borderlands 3 would be closed first. ")
    browser = snapshot(app("org.mozilla.firefox", "Firefox", 6 * GiB, kind="browser"))
    model = build_prompt(browser, {**PROPS, "NextVictim": "org.mozilla.firefox"}, None, uid=UID)
    assert model.victim_note.startswith("The browser Firefox would be closed first. ")


def test_prompt_without_apps_to_close_says_so():
    model = build_prompt(snapshot(app("org.gnome.Shell", "GNOME Shell", GiB, kind="session")),
                         {**PROPS, "NextVictim": ""}, None, uid=UID)  # fmt: skip
    assert model.rows == [] and model.victim_index is None
    assert model.victim_note.startswith("No app can be closed")


# -- changing an app's rule ----------------------------------------------------------------------

_BY_PROGRAM = {"id": "run-4242", "name": "run", "rule_target": "/home/me/run.py",
               "rule_source": "/usr/bin/worker"}  # fmt: skip


@pytest.mark.parametrize(
    ("current", "wanted", "calls"),
    [
        # A rule on one of its programs decides: it goes first where it would still decide.
        ("protect", "normal", [("/usr/bin/worker", "normal"), ("/home/me/run.py", "normal")]),
        ("protect", "prefer", [("/usr/bin/worker", "normal"), ("/home/me/run.py", "prefer")]),
        ("prefer", "normal", [("/usr/bin/worker", "normal"), ("/home/me/run.py", "normal")]),
        # Protect wins over prefer: the other rule can stay.
        ("prefer", "protect", [("/home/me/run.py", "protect")]),
    ],
)
def test_changing_an_apps_rule_clears_the_rule_that_would_still_decide(
    current: str, wanted: str, calls: list[tuple[str, str]]
) -> None:
    assert rule_changes({**_BY_PROGRAM, "rule": current}, wanted) == calls


def test_an_apps_own_rule_is_changed_alone() -> None:
    own = {**_BY_PROGRAM, "rule": "protect", "rule_source": "/home/me/run.py"}
    assert rule_changes(own, "normal") == [("/home/me/run.py", "normal")]
    plain = {**_BY_PROGRAM, "rule": "normal", "rule_source": ""}
    assert rule_changes(plain, "prefer") == [("/home/me/run.py", "prefer")]
