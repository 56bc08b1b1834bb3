# SPDX-License-Identifier: GPL-3.0-or-later
"""The settings on the monitor's D-Bus API: the ``Settings`` property and ``SetSettings``.

The monitor is the only writer of its config file: the tray's settings page changes settings
with ``SetSettings`` and rules with ``SetAppRule``, and both save the whole file under the
engine's ``config_lock``, so a settings change and a rule change that arrive together both end up
in the file and in force. What a value may be, and how the values go together, is core/settings.py's
table, the same that reads the file and the flags.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from dbus_fast import Variant

from memwarden.core import reason_codes as codes
from memwarden.core.settings import (
    BY_KEY,
    SWITCH,
    Setting,
    Settings,
    SettingsError,
    check_fits,
    saved_values,
    with_changes,
)
from memwarden.monitor.dbus_errors import Failed, InvalidArgument, Refused

if TYPE_CHECKING:
    from memwarden.monitor.engine import Engine

log = logging.getLogger(__name__)


def _signature(row: Setting) -> str:
    """A setting's D-Bus type: ``b`` for a switch, ``t`` for MiB, ``d`` for the other numbers."""
    if row.kind == SWITCH:
        return "b"
    return "t" if row.whole else "d"


def settings_property(settings: Settings) -> dict[str, Variant]:
    """The ``Settings`` property: every setting's value, ``b`` for a switch, ``t`` for MiB and
    ``d`` for the rest; an unset ``*_mib`` is absent."""
    return {
        key: Variant(_signature(BY_KEY[key]), value)
        for key, value in saved_values(settings).items()
    }


async def apply_edits_by_hand(engine: Engine) -> None:
    """Before a change saves the whole file: if it was edited since it was last applied, apply
    that first, so the change is made to what the person wrote, not to what it replaced (read in
    a worker thread, as every read of the file). Called under ``engine.config_lock``."""
    if engine.store is not None and engine.store.stale():
        await engine.store.read_ahead()
        engine.reload_config()


async def set_settings(
    engine: Engine, changes: Mapping[str, Variant], reset: Iterable[str]
) -> Settings:
    """``SetSettings``: merge, validate the whole, save atomically, put in force at once.

    A number of any D-Bus integer type is taken where the table wants a number (and a double
    where it wants any number), a ``b`` where it wants a switch; anything else is refused by the
    table as ``wrong-type`` (a ``b`` for a number, a number for a switch).

    Raises:
        Refused: ``no-config-file`` (``--no-config``: there is no file to keep them in).
        InvalidArgument: The table's reason code and the key: ``unknown-setting``,
            ``wrong-type``, ``out-of-range``, ``always-holds``, ``out-of-order``,
            ``above-memory``, ``set-and-reset``. Nothing was changed.
        Failed: ``not-saved``: the file could not be written. Nothing was changed.
    """
    store = engine.store
    if store is None:
        raise Refused(codes.NO_CONFIG_FILE)
    reset = list(reset)
    async with engine.config_lock:
        await apply_edits_by_hand(engine)
        try:
            settings = with_changes(
                store.config, {key: value.value for key, value in changes.items()}, reset
            )
            check_fits(settings, engine.total_bytes())
        except SettingsError as exc:
            raise InvalidArgument(exc.reason, exc.key) from None
        try:
            engine.set_settings(settings)
        except OSError as exc:
            log.warning("settings not saved in %s: %s", store.path, exc)
            raise Failed(codes.NOT_SAVED) from None
    log.info("settings: %s%s", ", ".join(f"{k} = {v.value!r}" for k, v in changes.items()),
             f"; reset {', '.join(reset)}" if reset else "")  # fmt: skip
    return settings
