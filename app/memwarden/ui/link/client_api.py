# SPDX-License-Identifier: GPL-3.0-or-later
"""What the main window needs from the monitor client, as a structural type.

:class:`memwarden.ui.link.monitor_client.MonitorClient` (the D-Bus client) satisfies it; so does the
test double in ``tests/ui_window``. Typing the window against this protocol rather than the class
keeps the window's tests free of D-Bus and documents the exact surface the window uses.
"""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import SignalInstance


class MonitorClientApi(Protocol):
    """The monitor client, as the window uses it.

    Signals: ``propertiesChanged(dict)`` carries the changed properties (D-Bus names);
    ``connectionChanged(bool)`` says whether the monitor is on the bus.
    ``properties`` is the client's cache of every property last read or announced.
    """

    @property
    def propertiesChanged(self) -> SignalInstance: ...

    @property
    def connectionChanged(self) -> SignalInstance: ...

    @property
    def properties(self) -> dict[str, Any]: ...

    async def get_snapshot(self) -> dict[str, Any]:
        """The accounting snapshot (schema ``memwarden.scan/1``)."""
        ...

    async def set_rule(self, name: str, rule: str) -> None:
        """``protect``, ``prefer`` (sacrifice first) or ``normal``; the monitor saves it."""
        ...

    async def set_settings(self, changes: dict[str, float], reset: list[str]) -> None:
        """Change settings (key -> value; ``reset``: back to their default); the monitor checks,
        saves and applies them (``SetSettings``)."""
        ...

    async def reload_config(self) -> None:
        """Ask the monitor to read its config file again (``ReloadConfig``)."""
        ...
