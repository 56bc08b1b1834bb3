# SPDX-License-Identifier: GPL-3.0-or-later
"""The tray and the settings page give one answer about the helper, for every ``HelperStatus``
code the registry lists (core/reason_codes.py).

Both are the real widgets over one client double: the monitor announces a code, the tray controller
updates its icon and tooltip, the window's settings page its headline and explanation. What each
group must look like is written out below, in English, as the person reads it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from window_doubles import FakeMonitorClient

from memwarden.core.reason_codes import HELPER_STATUS, HelperGroup, helper_group
from memwarden.ui.tray.controller import TrayController
from memwarden.ui.window.main_window import MainWindow


@dataclass(frozen=True)
class Answer:
    """What the person sees for one group.

    Attributes:
        headline: The settings page's headline.
        tray_error: The tray shows its error icon (calm, not paused).
        tray_tells: The tray's tooltip has a line about the helper (the headline).
        kernel_may_pick: The explanation warns that the kernel's OOM killer may still pick a
            protected app.
    """

    headline: str
    tray_error: bool
    tray_tells: bool
    kernel_may_pick: bool


G = HelperGroup
EXPECTED = {
    G.APPLIED: Answer("Protection reaches the kernel", False, False, False),
    G.NOT_ASKED_YET: Answer("Protection not tried yet", False, False, False),
    G.OFF: Answer("The monitor runs without the helper", False, False, True),
    G.RETRYING: Answer("The helper is busy: protection will be tried again", False, False, False),
    G.MISSING: Answer("The helper is not installed", True, True, True),
    G.BROKEN: Answer("The helper is installed but does not work", True, True, True),
    G.NO_SYSTEM_BUS: Answer("There is no system bus to reach the helper", True, True, True),
    G.UNREACHABLE: Answer("The helper did not answer", False, True, True),
    G.DENIED: Answer("The helper is not allowed to protect your apps", False, True, True),
    G.CAPABILITY: Answer("The helper lacks a capability", False, True, True),
    G.PROCESS_GONE: Answer("An app's process exited before it was protected", False, False, False),
    G.OTHER_USER: Answer("A protected app runs a program of another user", False, True, True),
    G.FAULT: Answer("The helper failed", False, True, True),
}


@pytest.fixture
def surfaces(qtbot: Any, client: FakeMonitorClient) -> Iterator[tuple[TrayController, MainWindow]]:
    """The tray and the window over the same monitor, calm and not paused."""
    client.announce(State="calm", Paused=False, NextVictim="", EtaSeconds=-1.0, ConfigError="")
    tray = TrayController(client)  # type: ignore[arg-type]  # the double has the client's API
    window = MainWindow(client)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.controller.snapshot is not None)
    yield tray, window
    window.hide()
    qtbot.waitUntil(lambda: not window.controller.pending())
    tray.deleteLater()


def _seen(
    client: FakeMonitorClient, tray: TrayController, window: MainWindow, code: str
) -> tuple[str, str, str, str]:
    """The monitor announces ``code``: the tray's icon and tooltip, the settings page's words."""
    client.announce(HelperStatus=code)
    page = window.settings_page
    return (
        tray.icon_state,
        tray.icon.toolTip(),
        page.helper_headline.text(),
        page.helper_text.text(),
    )


def test_every_group_has_its_expected_answer() -> None:
    assert set(EXPECTED) == set(HelperGroup)


def test_tray_and_settings_give_one_answer_for_every_code(
    client: FakeMonitorClient, surfaces: tuple[TrayController, MainWindow]
) -> None:
    tray, window = surfaces
    assert len(HELPER_STATUS) > 40
    wrong = []
    for code in sorted(HELPER_STATUS):
        group = helper_group(code)
        assert group is not None
        want = EXPECTED[group]
        icon, tooltip, headline, explanation = _seen(client, tray, window, code)
        seen = Answer(
            headline=headline,
            tray_error=icon == "error",
            tray_tells=headline in tooltip,
            kernel_may_pick="kernel's out-of-memory killer may still pick" in explanation,
        )
        if seen != want:
            wrong.append(f"{code}: {seen} (tooltip {tooltip!r})")
        # The error icon is only ever shown with the reason in the tooltip.
        assert icon != "error" or headline in tooltip, code
        assert icon in ("calm", "error"), code
    assert not wrong, "\n".join(wrong)


def test_a_newer_monitors_code_is_named_in_both(
    client: FakeMonitorClient, surfaces: tuple[TrayController, MainWindow]
) -> None:
    tray, window = surfaces
    icon, tooltip, headline, explanation = _seen(client, tray, window, "brand-new-reason")
    assert headline == "The helper reported a problem (brand-new-reason)"
    assert headline in tooltip
    assert icon == "calm"
    assert "kernel's out-of-memory killer" in explanation


def test_the_answer_follows_the_status_back_and_forth(
    client: FakeMonitorClient, surfaces: tuple[TrayController, MainWindow]
) -> None:
    """The check above is no accident of order: the icon and the words change both ways."""
    tray, window = surfaces
    missing = _seen(client, tray, window, "not-activatable")
    applied = _seen(client, tray, window, "applied")
    again = _seen(client, tray, window, "not-activatable")
    assert missing == again
    assert (missing[0], applied[0]) == ("error", "calm")
    assert "The helper is not installed" in missing[1]
    assert "helper" not in applied[1]
