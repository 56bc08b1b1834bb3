# SPDX-License-Identifier: GPL-3.0-or-later
"""The methods of the monitor's D-Bus API that act on one app: ``CloseApp`` and ``ResumeApp``.

``CloseApp`` closes an app the person named, gracefully, with every guard the killer has; a
paused app is resumed first, so that it can handle its SIGTERM (a stopped process cannot).
``ResumeApp`` lets a paused app run again (monitor/pausing.py); if its growth returns, the
person is warned again at once.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from memwarden.core import reason_codes as codes
from memwarden.core.policy import exclusion_reason
from memwarden.core.snapshot import AppRecord, Snapshot
from memwarden.monitor import dbus_constants as c
from memwarden.monitor.dbus_errors import InvalidArgument, NoSuchApp, Refused
from memwarden.monitor.events import app_summary

if TYPE_CHECKING:
    from memwarden.monitor.engine import Engine

log = logging.getLogger(__name__)


def find_app(snap: Snapshot, app_id: str, uid: int) -> AppRecord | None:
    """The app with this id; ids are unique per uid, so ours wins over another user's."""
    found = [app for app in snap.apps if app.id == app_id]
    found.sort(key=lambda app: app.identity.uid != uid)
    return found[0] if found else None


async def close_app_call(engine: Engine, app_id: str) -> dict[str, Any]:
    """``CloseApp``: close the app (found in a fresh scan) gracefully; its result document.

    Raises:
        InvalidArgument: ``empty-app-id``.
        NoSuchApp: ``no-such-app``, or ``gone`` when nothing was left to signal.
        Refused: Why it may not be closed (``protected``, ``session``, …).
    """
    if not app_id.strip():
        raise InvalidArgument(codes.EMPTY_APP_ID)
    snap = engine.look.scan()
    app = find_app(snap, app_id, engine.uid)
    if app is None:
        raise NoSuchApp(codes.NO_SUCH_APP)
    procs = [snap.processes[p].identity for p in app.pids if p in snap.processes]
    rule = engine.config.rules().rule_for(app.identity, procs)
    why_not = exclusion_reason(app, rule, uid=engine.uid)
    if why_not is not None:
        raise Refused(why_not)
    summary = app_summary(app)
    # While it goes, the engine's ticks close nothing else (monitor/pressure_response.py).
    with engine.response.closing_on_request():
        # A paused app runs again first: stopped, it could not handle SIGTERM and save its work.
        engine.pausing.resume(app.id, codes.CLOSING)
        # Memory left, the measure the engine decides on (core/memory_left.py).
        before = engine.measure_memory_left()
        engine.emit(
            "kill", app=summary, reason=c.REASON_USER_REQUEST,
            victim_reason=c.REASON_USER_REQUEST, graceful=True, dry_run=engine.dry_run,
            available=before,
        )  # fmt: skip
        # The killer asks the engine's guard again for every pid it opens.
        outcome = await engine.close_app(app, graceful=True)
        after = engine.measure_memory_left()
    result = {
        "app": summary,
        "dry_run": outcome.dry_run,
        "method": outcome.method,
        "signalled": outcome.signalled,
        "exited": sorted(outcome.exited),
        "escalated": outcome.escalated,
        "skipped": {str(k): v for k, v in outcome.skipped.items()},
        "available_before": before,
        "available_after": after,
        "freed_bytes": max(0, after - before),
    }
    engine.emit("killed", reason=c.REASON_USER_REQUEST, **result)
    if not outcome.signalled and not outcome.dry_run:
        refusals = sorted(set(outcome.skipped.values()) - {codes.GONE, codes.REUSED})
        if refusals:
            raise Refused(refusals[0])
        raise NoSuchApp(codes.GONE)
    return result


def resume_app_call(engine: Engine, app_id: str) -> None:
    """``ResumeApp``: let a paused app run again.

    Raises:
        InvalidArgument: ``empty-app-id``.
        NoSuchApp: ``not-paused``.
    """
    if not app_id.strip():
        raise InvalidArgument(codes.EMPTY_APP_ID)
    if not engine.pausing.resume(app_id, codes.USER_REQUEST):
        raise NoSuchApp(codes.NOT_PAUSED)
    # If its growth returns, the person hears it again at once, not after the usual pause.
    engine.response.forget_warning(app_id)
    log.info("resumed %s at the person's request", app_id)
