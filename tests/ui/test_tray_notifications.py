# SPDX-License-Identifier: GPL-3.0-or-later
"""Notifications with actions through a real notification server (dunst on the test desktop),
and the tray icon's messages when there is none."""

from __future__ import annotations

import asyncio
import contextlib
import html
from collections.abc import Iterator

import pytest
from dbus_fast.aio import MessageBus
from PySide6.QtWidgets import QSystemTrayIcon
from tray_testlib import run_until

from desktop import TestDesktop
from memwarden.ui import resources
from memwarden.ui.tray.notifications import Notifier
from memwarden.ui.words.messages import Text


@pytest.fixture
def bus_on(aloop) -> Iterator:
    """``bus_on(address)``: a connection to that bus, closed after the test."""
    buses: list[MessageBus] = []

    def connect(address: str) -> MessageBus:
        async def go() -> MessageBus:
            return await MessageBus(bus_address=address).connect()

        bus = aloop.run_until_complete(go())
        buses.append(bus)
        return bus

    yield connect
    for bus in buses:
        bus.disconnect()
        with contextlib.suppress(Exception):
            aloop.run_until_complete(asyncio.wait_for(bus.wait_for_disconnect(), 5))


def test_actions_come_back_and_a_notification_is_replaced_then_withdrawn(
    aloop, desktop: TestDesktop, bus_on
):
    desktop.close_all_notifications()
    notifier = Notifier(bus_on(desktop.address))
    assert aloop.run_until_complete(notifier.start())
    assert notifier.server and "actions" in notifier.capabilities
    chosen: list[str] = []
    actions = [("default", "Show apps"), ("protect", "Protect Blender"), ("close", "Close it")]

    async def show(summary: str) -> int:
        return await notifier.notify("warning", Text(summary, "It is using 3 GiB."),
                                     actions=actions, on_action=chosen.append, persistent=True)

    nid = aloop.run_until_complete(show("Blender will be closed in 45 s"))
    assert nid > 0 and notifier.shown_id("warning") == nid
    run_until(aloop, lambda: desktop.displayed_count() == 1, what="the notification on screen")
    # dunst runs its per-notification script after showing it.
    run_until(aloop, lambda: any(n["id"] == str(nid) for n in desktop.notifications()),
              what="dunst's record of it")  # fmt: skip
    shown = [n for n in desktop.notifications() if n["id"] == str(nid)]
    assert shown[-1]["summary"] == "Blender will be closed in 45 s"
    assert shown[-1]["app_name"] == "MemWarden"
    desktop.invoke_action(nid, "protect")
    run_until(aloop, lambda: chosen == ["protect"], what="ActionInvoked(protect)")
    # The same key replaces the notification on screen instead of adding one.
    again = aloop.run_until_complete(show("Blender will be closed in 30 s"))
    run_until(aloop, lambda: desktop.displayed_count() == 1, what="one notification")
    assert notifier.shown_id("warning") == again
    aloop.run_until_complete(notifier.withdraw("warning"))
    run_until(aloop, lambda: desktop.displayed_count() == 0, what="the notification withdrawn")
    assert notifier.shown_id("warning") is None


@pytest.mark.parametrize("markup", ["full", "no"])
def test_a_markup_name_reaches_the_server_as_text(
    aloop, x_bus: TestDesktop, dunst_on, bus_on, markup: str
):
    """A real dunst. With ``markup = full`` it advertises body-markup and renders the body as
    Pango markup: a name in the body must arrive escaped (&, <, >), or dunst would show it bold
    and fetch the image. With ``markup = no`` it escapes the body itself: it must arrive as it
    is. The summary is plain text for every server: it goes as it is (dunst escapes it)."""
    name = '<b>bold</b><img src="/some/local.png"> & co'
    summary, body = f"Closed {name}", f"{name} was using 2.0 GiB."
    dunst_on(x_bus, markup)
    notifier = Notifier(bus_on(x_bus.address))
    assert aloop.run_until_complete(notifier.start())
    assert ("body-markup" in notifier.capabilities) == (markup == "full")
    nid = aloop.run_until_complete(notifier.notify("killed", Text(summary, body)))
    run_until(aloop, lambda: any(n["id"] == str(nid) for n in x_bus.notifications()),
              what="dunst's record of it")  # fmt: skip
    [shown] = x_bus.notifications()
    assert shown["body"] == (html.escape(body, quote=False) if markup == "full" else body)
    assert shown["summary"] == summary


def test_without_a_server_the_tray_icon_says_it(aloop, qapp, session_bus, bus_on):
    """The private bus has no notification server and activates none: the fallback is the tray
    icon's message, and clicking it is the default action."""
    icon = QSystemTrayIcon(resources.tray_icon("warning"))
    icon.show()
    shown: list[tuple[str, str]] = []
    notifier = Notifier(bus_on(session_bus.address), icon)
    assert not aloop.run_until_complete(notifier.start())
    original = icon.showMessage

    def record(title: str, body: str, *args: object) -> None:
        shown.append((title, body))
        original(title, body, *args)

    icon.showMessage = record  # type: ignore[method-assign]
    chosen: list[str] = []
    nid = aloop.run_until_complete(notifier.notify(
        "warning", Text("Low memory", "Close something."), actions=[("protect", "Protect")],
        on_action=chosen.append,
    ))  # fmt: skip
    assert nid == 0 and shown == [("Low memory", "Close something.")]
    icon.messageClicked.emit()  # the person clicks the balloon
    assert chosen == ["default"]
    icon.hide()
