# SPDX-License-Identifier: GPL-3.0-or-later
"""The fields of the engine's ``state``, ``warning``, ``kill`` and ``killed`` events.

Reason codes and numbers, never prose (see :mod:`memwarden.monitor.events`); seconds are rounded
to 10 ms. The D-Bus interface reads these same fields to build its signals
(``MonitorInterface.on_event``): renaming one here changes what the tray hears.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from memwarden.core import reason_codes as codes
from memwarden.core.policy import Candidate, Choice
from memwarden.core.report import bytes_json
from memwarden.core.watch_state import Assessment, WatchState
from memwarden.monitor.events import app_summary
from memwarden.monitor.killer import KillOutcome

if TYPE_CHECKING:
    from memwarden.monitor.app_pause import PausedApp


def state_change(
    assessment: Assessment, *, previous: WatchState, available: int, eta: float | None
) -> dict[str, Any]:
    """A ``state`` event: the new state, the one it left and the figures behind it."""
    return {
        "state": assessment.state.value,
        "previous": previous.value,
        "reasons": list(assessment.reasons),
        "available": available,
        "eta_s": _round(eta),
    }


def victim_summary(victim: Candidate) -> dict[str, Any]:
    """The app as events describe it, with the ``tab`` (``pid``, ``role``, ``bytes``) that will be
    closed instead of it, when it is one of a browser's (core/tabs.py)."""
    summary = app_summary(victim.app)
    if victim.tab is not None:
        summary["tab"] = {
            "pid": victim.tab.pid,
            "role": victim.tab.role,
            "bytes": bytes_json(victim.tab.bytes),
        }
    return summary


def warning(assessment: Assessment, choice: Choice) -> dict[str, Any]:
    """A ``warning`` event: which app (or tab) would be closed (None: none may be), its size and
    when."""
    return {
        "app": victim_summary(choice.victim) if choice.victim else None,
        "eta_s": _round(assessment.eta_s),
        "reason": assessment.reasons[0] if assessment.reasons else codes.STILL_WARNING,
        "reasons": list(assessment.reasons),
        "victim_reason": choice.victim.reason if choice.victim else choice.reason,
        "available": assessment.available_bytes,
        "orphan_bytes": choice.orphan_bytes,
    }


def kill_decision(
    assessment: Assessment, victim: Candidate, *, graceful: bool, dry_run: bool
) -> dict[str, Any]:
    """A ``kill`` event, sent before the victim is signalled."""
    return {
        "app": victim_summary(victim),
        "reason": assessment.reasons[0],
        "victim_reason": victim.reason,
        "graceful": graceful,
        "dry_run": dry_run,
        "available": assessment.available_bytes,
        "score_bytes": victim.score_bytes,
        "growth_bytes_per_s": round(victim.growth_bytes_per_s),
    }


def kill_result(
    victim: Candidate,
    assessment: Assessment,
    outcome: KillOutcome,
    *,
    freed_bytes: int,
    dry_run: bool,
) -> dict[str, Any]:
    """A ``killed`` event: what the close did and what it freed."""
    return {
        "app": victim_summary(victim),
        "reason": assessment.reasons[0],
        "method": outcome.method,
        "escalated": outcome.escalated,
        "signalled": outcome.signalled,
        "exited": sorted(outcome.exited),
        "skipped": {str(k): v for k, v in outcome.skipped.items()},
        "freed_bytes": freed_bytes,
        "dry_run": dry_run,
    }


def paused_kill_decision(assessment: Assessment, paused: PausedApp) -> dict[str, Any]:
    """A ``kill`` event for an app that was paused (the kill level came while it was): the app
    as it was paused, marked ``paused``."""
    return {
        "app": {**paused.summary, "paused": True},
        "reason": assessment.reasons[0],
        "victim_reason": codes.GROWING,
        "graceful": False,
        "dry_run": False,
        "available": assessment.available_bytes,
        "score_bytes": paused.bytes,
        "growth_bytes_per_s": round(paused.growth_bytes_per_s),
    }


def paused_kill_result(
    assessment: Assessment, paused: PausedApp, outcome: KillOutcome, *, freed_bytes: int
) -> dict[str, Any]:
    """The ``killed`` event of :func:`paused_kill_decision`."""
    return {
        "app": {**paused.summary, "paused": True},
        "reason": assessment.reasons[0],
        "method": outcome.method,
        "escalated": False,
        "signalled": outcome.signalled,
        "exited": sorted(outcome.exited),
        "skipped": {},
        "freed_bytes": freed_bytes,
        "dry_run": False,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
