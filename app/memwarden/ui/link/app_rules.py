# SPDX-License-Identifier: GPL-3.0-or-later
"""An app's rule as the monitor decided it, the name a new rule is saved under, and the calls that
change it.

The UI never matches names against rules: the monitor does, once, as its killer does, and says
the result in each app of its snapshot (docs/scan-json.md): ``rule`` (``protect``, ``prefer`` or
``normal``), ``rule_source`` (the name in the person's rules that matched, as written there: an
app id, a desktop id, a program's path) and ``rule_target`` (the name to save a new rule under:
the desktop or unit id, ``org.mozilla.firefox``, else the path of the program,
``/home/me/games/run.py``, so that "Protect" still holds the next time it runs).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from memwarden.core.rule_codes import NORMAL, PREFER, PROTECT

_TREE_ID = re.compile(r"^(?P<program>.+)-(?P<pid>[0-9]+)$")


def monitor_rule(app: Mapping[str, Any]) -> str:
    """The rule in force for an app: the snapshot's ``rule``, decided by the monitor."""
    return str(app.get("rule") or NORMAL)


def rule_name(app: Mapping[str, Any]) -> str:
    """The name to save a rule for this app under: the monitor's ``rule_target``.

    Warning and Killed signals carry it too. Without it (a monitor older than the tray), an app
    that is only a process tree (whose id, ``blender-4242``, ends in its root pid) is saved under
    its name, any other under its id.
    """
    if app.get("rule_target"):
        return str(app["rule_target"])
    app_id = str(app.get("id", ""))
    match = _TREE_ID.match(app_id)
    pids = {int(p) for p in app.get("pids") or ()}
    if match is not None and int(match["pid"]) in pids and app.get("name"):
        return str(app["name"])
    return app_id


def rule_changes(app: Mapping[str, Any], rule: str) -> list[tuple[str, str]]:
    """The ``SetAppRule`` calls, in order, that give ``app`` the rule ``rule``.

    The rule is saved under :func:`rule_name`. When the app's rule comes from another of the
    person's rules (``rule_source``: one on one of its programs, say) and that rule would still
    decide — "normal" on the app's own name leaves a protection by its program in force, and
    protect wins over prefer — that rule is made normal first. It is the rule that makes the app
    what it is, so the person changing the app means changing it (other apps it names change too:
    the tooltip names the rule).
    """
    target = rule_name(app)
    source = str(app.get("rule_source") or "")
    current = monitor_rule(app)
    still_decides = rule == NORMAL or (rule == PREFER and current == PROTECT)
    changes = []
    if source and source.casefold() != target.casefold() and current != rule and still_decides:
        changes.append((source, NORMAL))
    changes.append((target, rule))
    return changes
