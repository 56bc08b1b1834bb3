# SPDX-License-Identifier: GPL-3.0-or-later
"""Which name a rule is saved under for an app, and which rule an app has now.

The monitor's rules (``SetAppRule``, ``AppRules``) match an app's id, its desktop id, the path of
one of its programs, or the name of a program the system installed — never a name a process
gave itself. The monitor says which NAME to save a rule under (``rule_target`` in each app of the
snapshot): the desktop or unit id (``org.mozilla.firefox``), else the path of the program
(``/home/me/games/run.py``), so that "Protect" still holds the next time it runs. Older monitors
do not say: then an app that is only a process tree (whose id, ``blender-4242``, ends in its
root pid) is saved under its name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_TREE_ID = re.compile(r"^(?P<program>.+)-(?P<pid>[0-9]+)$")


def rule_name(app: Mapping[str, Any]) -> str:
    """The name to save a rule for this app under (see the module doc)."""
    if app.get("rule_target"):
        return str(app["rule_target"])
    app_id = str(app.get("id", ""))
    match = _TREE_ID.match(app_id)
    pids = {int(p) for p in app.get("pids") or ()}
    if match is not None and int(match["pid"]) in pids and app.get("name"):
        return str(app["name"])
    return app_id


def rule_of(app: Mapping[str, Any], rules: Mapping[str, str]) -> str:
    """The rule in force for this app: ``protect``, ``prefer`` or ``normal``.

    Looks at the app's id, name and rule name (case-insensitive, as the monitor compares); a rule
    on one of its process names alone is not visible here and reads ``normal``. Protect wins over
    prefer, as in the monitor.
    """
    names = {str(app.get(k, "")).casefold() for k in ("id", "name")} | {rule_name(app).casefold()}
    names.discard("")
    found = {rule for name, rule in rules.items() if name.strip().casefold() in names}
    if "protect" in found:
        return "protect"
    if "prefer" in found:
        return "prefer"
    return "normal"
