# SPDX-License-Identifier: GPL-3.0-or-later
"""End to end: the real tray (``python -m memwarden``, a process of its own on the xcb platform)
on the test desktop — Xvfb, trayer (a real XEmbed tray), a private session bus and dunst (a real
notification server) — with the real monitor.

What the person would see is checked three ways: pixels (screenshots with ``import``), what dunst
received (its per-notification script), and the tray's own record of what it showed
(``MEMWARDEN_UI_EVENTS``). The screenshots are kept in ``out/screenshots`` (or
``$MEMWARDEN_SCREENSHOTS``) for the README.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QRect, QTranslator
from PySide6.QtGui import QColor, QImage
from tray_testlib import (
    APP,
    EDITOR,
    GAME,
    MONITOR_NAME,
    TrayProcess,
    attach_log,
    monitor_pid,
    stop_monitor,
)

from desktop import TestDesktop, wait_until

CALM_GREEN = QColor("#2f9e44")
TRANSLATIONS = APP / "memwarden" / "ui" / "translations"


@pytest.fixture
def start_tray(
    desktop: TestDesktop, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[..., TrayProcess]]:
    """Start the tray; every tray is quit, and every monitor it started stopped, afterwards."""
    trays: list[TrayProcess] = []

    def start(**env: str) -> TrayProcess:
        directory = tmp_path / f"tray{len(trays)}"
        attach_log(request, f"memwarden tray {len(trays)}", directory / "tray.log")
        attach_log(request, f"memwarden tray {len(trays)} UI events",
                   directory / "ui-events.jsonl")  # fmt: skip
        attach_log(request, f"monitor started by tray {len(trays)}",
                   directory / "state" / "memwarden" / "monitor.log")  # fmt: skip
        tray = TrayProcess(desktop, directory, **env)
        trays.append(tray)
        return tray

    yield start
    for tray in trays:
        assert tray.quit() == 0, tray.output()
    stop_monitor(desktop)
    desktop.close_all_notifications()
    for tray in trays:  # nothing went wrong behind the scenes, quitting included
        assert "Traceback" not in tray.output() and " ERROR " not in tray.output(), tray.output()


def app_rules(desktop: TestDesktop) -> str:
    return desktop.bus_call(MONITOR_NAME, "/io/github/memwarden/Monitor1",
                            "org.freedesktop.DBus.Properties.Get",
                            "string:io.github.memwarden.Monitor1", "string:AppRules")


def grab(desktop: TestDesktop, path: Path) -> QImage:
    desktop.screenshot(path)
    image = QImage(str(path))
    assert not image.isNull(), f"cannot read {path}"
    return image


def save_crop(image: QImage, rect: QRect, path: Path, zoom: int = 1) -> None:
    crop = image.copy(rect)
    if zoom > 1:
        crop = crop.scaled(crop.width() * zoom, crop.height() * zoom)
    crop.save(str(path))


def close_to(color: QColor, target: QColor, tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance
               for a, b in zip(color.getRgb()[:3], target.getRgb()[:3], strict=True))


def test_icon_is_painted_in_the_tray_and_guarding_outlives_the_tray(desktop, start_tray,
                                                                    screenshots):  # fmt: skip
    """No monitor yet: the tray starts one (restarts it when it dies), shows the calm icon in
    trayer, and when the tray quits the monitor keeps guarding."""
    assert not desktop.name_has_owner(MONITOR_NAME)
    tray = start_tray()
    tray.wait_for("tray-icon", lambda e: e["state"] == "calm")
    wait_until(lambda: bool(desktop.tray_icons()), 20, "the icon embedded in trayer")
    wait_until(lambda: monitor_pid(desktop) is not None, 30, "the monitor the tray started")
    first = monitor_pid(desktop)
    assert first is not None

    # Pixels: the calm shield is green, in the tray (not only a window somewhere).
    (x, y, w, h) = desktop.tray_icons()[0]
    wait_until(lambda: _green_share(grab(desktop, screenshots / "desktop-calm.png"),
                                    QRect(x, y, w, h)) > 0.15, 10, "the green icon painted")
    image = grab(desktop, screenshots / "desktop-calm.png")
    save_crop(image, QRect(image.width() - 120, 0, 120, 32), screenshots / "tray-calm.png", 4)
    assert x > image.width() - 64 and y < 32  # top right: in trayer's panel

    # The monitor dies: the tray starts a new one.
    os.kill(first, signal.SIGKILL)
    wait_until(lambda: monitor_pid(desktop) not in (None, first), 30, "a new monitor")
    tray.wait_for("tray-icon", lambda e: e["state"] == "calm")

    # The tray quits ("Quit", not "Quit and stop guarding"): guarding goes on.
    assert tray.quit() == 0
    assert desktop.name_has_owner(MONITOR_NAME)
    assert not desktop.tray_icons()


def _green_share(image: QImage, rect: QRect) -> float:
    pixels = [image.pixelColor(px, py) for px in range(rect.left(), rect.right() + 1)
              for py in range(rect.top(), rect.bottom() + 1)]  # fmt: skip
    return sum(1 for c in pixels if close_to(c, CALM_GREEN)) / max(1, len(pixels))


def test_a_second_memwarden_raises_the_first(desktop, start_tray):
    tray = start_tray()
    before = len(tray.events("activate"))
    second = subprocess.run([sys.executable, "-m", "memwarden"], env=desktop.env(
        PYTHONPATH=str(APP), MEMWARDEN_UI_EVENTS=str(tray.events_path.with_name("second.jsonl"))),
        capture_output=True, text=True, timeout=60)  # fmt: skip
    assert second.returncode == 0, second.stderr
    activated = tray.wait_for("activate")
    assert activated["action"] == "open-window" and len(tray.events("activate")) == before + 1
    tray.wait_for("open-window")
    assert tray.proc.poll() is None


def test_warning_notification_protect_and_the_prompt(desktop, start_tray, ns_monitor,
                                                     screenshots):  # fmt: skip
    """A real hog run by the monitor: the warning notification arrives at dunst with its actions,
    "Protect" reaches the monitor through the tray, and clicking the next warning opens the
    prompt, which lists the hog first, without taking the focus."""
    # Memory is already low when the tray starts (as at a login into a full session): the
    # tray warns at once, from the monitor's properties.
    monitor = ns_monitor(GAME, EDITOR, bus=desktop)
    tray = start_tray()
    shown = tray.wait_for("notification-shown", lambda e: e["key"] == "warning")
    warning = tray.events("notification")[-1]
    # The forecast depends on what else this machine does: either wording is right.
    assert re.fullmatch(r"The game SpaceGame\.py (would be closed if memory runs out|"
                        r"will be closed (in .+|now))", warning["summary"]), warning["summary"]
    assert warning["actions"] == ["default", "protect", "close", "free"]
    nid = shown["id"]
    wait_until(lambda: any(n["id"] == str(nid) and "SpaceGame.py" in n["summary"]
                           for n in desktop.notifications()), 20, "dunst to show it")
    wait_until(lambda: desktop.displayed_count() >= 1, 20, "the notification on screen")
    tray.wait_for("tray-icon", lambda e: e["state"] == "warning")
    time.sleep(0.3)  # let dunst and the tray paint
    image = grab(desktop, screenshots / "desktop-warning.png")
    save_crop(image, QRect(0, 0, image.width(), 230), screenshots / "notification.png")

    # "Protect SpaceGame.py", chosen in dunst's menu, reaches the tray, which asks the monitor.
    desktop.invoke_action(nid, "protect")
    tray.wait_for("notification-action", lambda e: e["action"] == "protect")
    # Saved under the game's program path (a process-tree app has no id that outlives it).
    tray.wait_for("rule", lambda e: e["rule"] == "protect"
                  and e["name"].endswith("/SpaceGame.py"))  # fmt: skip
    wait_until(lambda: '/SpaceGame.py"' in app_rules(desktop), 20, "the rule in force")
    assert 'string "protect"' in app_rules(desktop)
    assert monitor.alive("game") and monitor.alive("editor")

    # The monitor now warns about the next app; the person clicks that notification.
    tray.wait_for("notification", lambda e: e["key"] == "warning" and
                  e["summary"].startswith("notes.py"))
    wait_until(lambda: desktop.displayed_count() >= 1, 20, "the second warning on screen")
    desktop.run("xdotool", "mousemove", "120", "90", "click", "1")
    tray.wait_for("notification-action", lambda e: e["action"] == "default")
    tray.wait_for("prompt-shown")
    prompt = tray.wait_for("prompt", lambda e: bool(e["rows"]))
    assert prompt["title"] == "Your system is running out of application memory"
    rows = prompt["rows"]
    assert rows[0]["name"] == "SpaceGame.py" and rows[0]["rule"] == "protect"
    assert [r["name"] for r in rows if r["next"]] == ["notes.py"]
    window = _window_named(desktop, "Out of memory — MemWarden")
    focus = desktop.run("xdotool", "getwindowfocus", check=False).strip()
    assert focus != window, "the prompt took the keyboard focus"
    time.sleep(0.3)
    image = grab(desktop, screenshots / "desktop-prompt.png")
    geometry = _geometry(desktop, window)
    save_crop(image, geometry.adjusted(-8, -8, 8, 8), screenshots / "prompt.png")


def test_when_the_monitor_closes_an_app_critical_prompt_and_after_kill_message(
    desktop, start_tray, ns_monitor, screenshots
):
    """The monitor closes the hog by itself (its close limit moved above what is available; in
    its PID namespace it sees only the hog): the tray shows the prompt when critical, without a
    click, and after the kill says what was closed and what it was using."""
    monitor = ns_monitor(GAME, bus=desktop, config=True)
    tray = start_tray()
    tray.wait_for("notification-shown", lambda e: e["key"] == "warning")
    monitor.close_now()
    tray.wait_for("prompt-shown", timeout_s=30)
    killed = tray.wait_for("notification", lambda e: e["key"] == "killed", timeout_s=30)
    assert killed["summary"] == "Closed the game SpaceGame.py to keep your computer responsive"
    assert re.fullmatch(r"It was using 4\d\d MiB, of which 400 MiB shared memory\."
                        r"( Available memory rose by .+\.)?", killed["body"]), killed["body"]
    assert not monitor.alive("game")
    wait_until(lambda: any(n["summary"] == killed["summary"] for n in desktop.notifications()),
               20, "dunst to show it")  # fmt: skip
    time.sleep(0.3)
    image = grab(desktop, screenshots / "desktop-killed.png")
    save_crop(image, QRect(0, 40, 480, 185), screenshots / "after-kill.png")  # dunst's corner


def test_german_desktop_gets_german_words(qapp, desktop, start_tray, ns_monitor, screenshots):
    catalog = TRANSLATIONS / "memwarden_de.qm"
    if not catalog.exists():
        pytest.skip("no German catalog built: run `make translations` (i18n/memwarden_de.ts)")
    german = QTranslator()
    assert german.load(str(catalog))
    QCoreApplication.installTranslator(german)
    try:
        # Without a forecast, or with one (what else the machine does decides): both German.
        no_eta = QCoreApplication.translate(
            "Messages", "The game %1 would be closed if memory runs out"
        ).replace("%1", "SpaceGame.py")
        with_eta = QCoreApplication.translate("Messages", "The game %1 will be closed %2")
        with_eta_re = re.escape(with_eta.replace("%1", "SpaceGame.py")).replace("%2", ".+")
        expected_title = QCoreApplication.translate(
            "Prompt", "Your system is running out of application memory"
        )
    finally:
        QCoreApplication.removeTranslator(german)
    assert not no_eta.startswith("The game") and not with_eta.startswith("The game")
    ns_monitor(GAME, bus=desktop)
    tray = start_tray(LANG="de_DE.UTF-8", LANGUAGE="de")
    tray.wait_for("notification-shown", lambda e: e["key"] == "warning")
    summary = tray.events("notification")[-1]["summary"]
    assert summary == no_eta or re.fullmatch(with_eta_re, summary), summary
    wait_until(lambda: any(n["summary"] == summary for n in desktop.notifications()),
               20, "dunst to show the German warning")
    tray.action("show-prompt")
    prompt = tray.wait_for("prompt", lambda e: bool(e["rows"]))
    assert prompt["title"] == expected_title
    window = _window_named(desktop, "")
    time.sleep(0.3)
    image = grab(desktop, screenshots / "desktop-de.png")
    save_crop(image, _geometry(desktop, window).adjusted(-8, -8, 8, 8),
              screenshots / "prompt-de.png")


def _window_named(desktop: TestDesktop, name: str) -> str:
    """The X window id of the prompt (by its object's class and title)."""
    found: list[str] = []

    def look() -> bool:
        out = desktop.run("xdotool", "search", "--onlyvisible", "--class", "memwarden",
                          check=False)  # fmt: skip
        for wid in out.split():
            title = desktop.run("xdotool", "getwindowname", wid, check=False).strip()
            # Qt appends " — MemWarden" (the application display name) to window titles.
            if (name and title == name) or (not name and title.endswith(" — MemWarden")):
                found[:] = [wid]
                return True
        return False

    wait_until(look, 20, f"the window {name!r}")
    return found[0]


def _geometry(desktop: TestDesktop, window: str) -> QRect:
    info = desktop.run("xwininfo", "-id", window)
    fields = {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in
                                                   info.splitlines())}  # fmt: skip
    return QRect(int(fields["Absolute upper-left X"]), int(fields["Absolute upper-left Y"]),
                 int(fields["Width"]), int(fields["Height"]))
