# SPDX-License-Identifier: GPL-3.0-or-later
"""The out-of-memory prompt's widget (pytest-qt, offscreen): what it lists and highlights, that
it does not take the focus, and what its buttons ask for."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QLocale, Qt

from memwarden.ui.tray.prompt import PromptWindow
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


def app(app_id: str, name: str, total: int, shmem: int = 0) -> dict:
    return {"id": app_id, "name": name, "kind": "other", "icon": None, "uid": UID, "pids": [5],
            "bytes": {"resident": total - shmem, "swap": 0, "page_tables": 0, "shmem": shmem,
                      "dmabuf": 0, "gpu_system": 0, "gpu_vram": 0,
                      "kernel_view": total - shmem, "total": total}}  # fmt: skip


SNAP = {"apps": [app("editor", "Editor", 500 * MiB), app("hog", "Hog", 3 * GiB, 2 * GiB),
                 {**app("firefox", "Firefox", 2 * GiB), "rule": "protect",
                  "rule_source": "firefox"}], "orphans": []}  # fmt: skip
PROPS = {"State": "critical", "AvailableBytes": 300 * MiB, "EtaSeconds": 5.0,
         "NextVictim": "hog", "AppRules": {"firefox": "protect"}}  # fmt: skip


@pytest.fixture
def prompt(qtbot) -> PromptWindow:
    window = PromptWindow()
    qtbot.addWidget(window)
    window.set_model(build_prompt(SNAP, PROPS, None, uid=UID))
    return window


def texts(window: PromptWindow, column: int) -> list[str]:
    items = (window.apps.topLevelItem(i) for i in range(window.apps.topLevelItemCount()))
    return [item.text(column) for item in items]


def test_lists_apps_by_real_memory_with_the_victim_highlighted_and_selected(prompt):
    assert prompt.title.text() == "Your system is running out of application memory"
    assert texts(prompt, 0) == ["Hog (would be closed)", "Firefox (protected)", "Editor"]
    assert texts(prompt, 1) == ["3.0 GiB", "2.0 GiB", "500 MiB"]
    assert texts(prompt, 2) == ["2.0 GiB shared memory", "", ""]
    first = prompt.apps.topLevelItem(0)
    assert first.font(0).bold() and not prompt.apps.topLevelItem(1).font(0).bold()
    assert first.background(0).color().alpha() > 0
    assert prompt.selected_row() is not None and prompt.selected_row().app_id == "hog"
    assert prompt.victim.text().startswith("Hog would be closed first. Most of its memory")


def test_never_takes_the_focus(prompt, qtbot):
    assert prompt.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert prompt.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    prompt.show_without_focus()
    qtbot.waitExposed(prompt)
    assert prompt.isVisible() and not prompt.isActiveWindow()


def test_buttons_ask_for_close_protect_free_and_dismiss(prompt, qtbot):
    with qtbot.waitSignal(prompt.closeRequested) as closing:
        qtbot.mouseClick(prompt.close_button, Qt.MouseButton.LeftButton)
    assert closing.args[0]["id"] == "hog"
    with qtbot.waitSignal(prompt.protectRequested) as protecting:
        qtbot.mouseClick(prompt.protect_button, Qt.MouseButton.LeftButton)
    assert (protecting.args[0]["id"], protecting.args[1]) == ("hog", True)
    with qtbot.waitSignal(prompt.freeRequested):
        qtbot.mouseClick(prompt.free_button, Qt.MouseButton.LeftButton)
    prompt.show_without_focus()
    with qtbot.waitSignal(prompt.dismissed):
        qtbot.mouseClick(prompt.dismiss_button, Qt.MouseButton.LeftButton)
    assert not prompt.isVisible()


def test_a_protected_app_cannot_be_closed_but_unprotected(prompt, qtbot):
    prompt.apps.setCurrentItem(prompt.apps.topLevelItem(1))  # Firefox, protected
    assert not prompt.close_button.isEnabled()
    assert prompt.protect_button.text() == "Remove protection"
    with qtbot.waitSignal(prompt.protectRequested) as protecting:
        qtbot.mouseClick(prompt.protect_button, Qt.MouseButton.LeftButton)
    assert (protecting.args[0]["id"], protecting.args[1]) == ("firefox", False)
    # A new model keeps the person's selection.
    prompt.set_model(build_prompt(SNAP, {**PROPS, "AvailableBytes": 200 * MiB}, None, uid=UID))
    assert prompt.selected_row().app_id == "firefox"


def test_closing_the_window_dismisses_it(prompt, qtbot):
    prompt.show_without_focus()
    with qtbot.waitSignal(prompt.dismissed):
        prompt.close()
    assert not prompt.isVisible()


def test_busy_disables_the_actions_and_results_are_shown(prompt):
    prompt.set_busy(True)
    assert not any(b.isEnabled() for b in (prompt.close_button, prompt.protect_button,
                                           prompt.free_button))  # fmt: skip
    prompt.set_busy(False)
    assert prompt.close_button.isEnabled()
    prompt.set_result("Freed 300 MiB.")
    assert prompt.result.text() == "Freed 300 MiB." and not prompt.result.isHidden()


def test_clicking_does_not_leak_away_true(prompt, qtbot):
    """PySide6 6.12's emit() takes a reference away from True on every call; on Python 3.11
    enough of them free True and crash the tray (memwarden.ui.qt_compat gives it back)."""
    received: list[object] = []
    prompt.protectRequested.connect(lambda app, on: received.append(on))
    before = sys.getrefcount(True)
    for _ in range(50):
        qtbot.mouseClick(prompt.protect_button, Qt.MouseButton.LeftButton)
    assert received == [True] * 50  # the slot still gets a real bool
    received.clear()
    assert sys.getrefcount(True) >= before


PAUSED = {"app": {**app("hog", "Hog", 3 * GiB, 2 * GiB), "rule_target": "hog"}, "since": 1.0,
          "bytes": 3 * GiB, "growth_bytes_per_s": 64 * MiB, "method": "signal",
          "reclaim": {"result": "no-swap", "ram_freed_bytes": 0}}  # fmt: skip


def test_a_paused_app_comes_first_marked_selected_with_its_three_choices(qtbot):
    window = PromptWindow()
    qtbot.addWidget(window)
    assert window.resume_button.isHidden()  # nothing paused, nothing to resume
    window.set_model(build_prompt(SNAP, {**PROPS, "PausedApps": [PAUSED]}, None, uid=UID))
    assert texts(window, 0) == ["Hog (paused)", "Firefox (protected)", "Editor"]
    assert window.paused.text().startswith("Hog was paused. It was using 3.0 GiB and growing "
                                           "by 64 MiB/s. Its memory could not be moved out of "
                                           "RAM: there is no swap space.")  # fmt: skip
    assert window.apps.topLevelItem(0).font(0).bold()
    assert window.selected_row() is not None and window.selected_row().app_id == "hog"
    assert not window.resume_button.isHidden() and window.resume_button.isEnabled()
    assert window.protect_button.text() == "Protect and resume"
    with qtbot.waitSignal(window.resumeRequested) as resuming:
        qtbot.mouseClick(window.resume_button, Qt.MouseButton.LeftButton)
    assert resuming.args[0]["id"] == "hog"
    with qtbot.waitSignal(window.protectResumeRequested) as protecting:
        qtbot.mouseClick(window.protect_button, Qt.MouseButton.LeftButton)
    assert protecting.args[0]["id"] == "hog"
    with qtbot.waitSignal(window.closeRequested) as closing:
        qtbot.mouseClick(window.close_button, Qt.MouseButton.LeftButton)
    assert closing.args[0]["id"] == "hog"
    # Another app selected: the ordinary choices again.
    window.apps.setCurrentItem(window.apps.topLevelItem(2))
    assert window.resume_button.isHidden() and window.protect_button.text() == "Protect"


def test_an_app_just_paused_is_selected_over_the_persons_choice(prompt):
    prompt.apps.setCurrentItem(prompt.apps.topLevelItem(2))  # Editor
    prompt.set_model(build_prompt(SNAP, {**PROPS, "PausedApps": [PAUSED]}, None, uid=UID))
    assert prompt.selected_row().app_id == "editor"  # a new model keeps the selection
    prompt.select_app("hog")  # what the tray does when an app was just paused
    assert prompt.selected_row().app_id == "hog" and prompt.selected_row().paused
    # Resumed: its row is an ordinary one again, and no paused note is left.
    prompt.set_model(build_prompt(SNAP, PROPS, None, uid=UID))
    assert texts(prompt, 0)[0] == "Hog (would be closed)"
    assert prompt.paused.isHidden() and prompt.resume_button.isHidden()
