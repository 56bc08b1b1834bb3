# SPDX-License-Identifier: GPL-3.0-or-later
"""The tray icon's notification fallback in a process of its own, on the xcb platform (the
tests' own process is offscreen, where Qt has neither an XEmbed tray nor a StatusNotifierItem).

``python fallback_app.py '["summary", "body"]' [xembed]``: makes the application as the tray does
(:func:`memwarden.ui.app.make_application`), shows a tray icon (with ``xembed``, waits until an
XEmbed tray has embedded it), looks for a notification server and prints ``server`` or
``fallback``. On a line ``go`` on stdin it sends the notification and
prints, as JSON, the labels of the balloon Qt shows for it (``[text, plain?]`` each; none when
Qt sends the message on over D-Bus instead). It quits when stdin closes.
"""

from __future__ import annotations

import asyncio
import json
import sys

from dbus_fast.aio import MessageBus
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QSystemTrayIcon

from memwarden.ui import resources
from memwarden.ui.app import make_application
from memwarden.ui.link.event_loop import QtAsyncLoop
from memwarden.ui.tray.notifications import Notifier
from memwarden.ui.words.messages import Text


def balloon_labels() -> list[tuple[str, bool]]:
    """The text of each label of Qt's balloon, and whether it is shown as plain text."""
    return [
        (label.text(), label.textFormat() == Qt.TextFormat.PlainText)
        for widget in QApplication.topLevelWidgets()
        if widget.metaObject().className() == "QBalloonTip" and widget.isVisible()
        for label in widget.findChildren(QLabel)
        if label.text()
    ]


async def run(text: Text, xembed: bool) -> None:
    loop = asyncio.get_running_loop()
    icon = QSystemTrayIcon(resources.tray_icon("warning"))
    icon.show()
    deadline = loop.time() + 10
    # Qt shows no balloon for an icon that no tray has embedded yet.
    while xembed and icon.geometry().x() <= 0 and loop.time() < deadline:
        await asyncio.sleep(0.05)
    bus = await MessageBus().connect()
    notifier = Notifier(bus, icon)
    print("server" if await notifier.start() else "fallback", flush=True)
    if (await loop.run_in_executor(None, sys.stdin.readline)).strip() == "go":
        await notifier.notify("warning", text)
        print(json.dumps(balloon_labels()), flush=True)
        await loop.run_in_executor(None, sys.stdin.readline)
    icon.hide()
    bus.disconnect()


def main() -> int:
    summary, body = json.loads(sys.argv[1])
    app = make_application([sys.argv[0]])
    loop = QtAsyncLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(run(Text(summary, body), sys.argv[2:] == ["xembed"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
