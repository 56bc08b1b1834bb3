# SPDX-License-Identifier: GPL-3.0-or-later
"""The rules a person can give an app, spelled once.

The same three words travel everywhere: the monitor's ``SetAppRule`` accepts them and its
snapshot reports them (``rule`` of each app: docs/scan-json.md), the config file's ``[apps]``
lists are named after two of them, and the UI keys its words by them. Everything imports them from
here, so a misspelling is an ``ImportError`` instead of an app that silently shows as "normal".

A module of its own, importing nothing, so that the tray can use the words without loading the
monitor's policy.
"""

from __future__ import annotations

from typing import Final

#: Never closed by MemWarden; the kernel is told too when the helper can.
PROTECT: Final = "protect"
#: "Sacrifice first": closed before any other app when memory runs out.
PREFER: Final = "prefer"
#: No rule: closed only if it is the app that really holds the memory.
NORMAL: Final = "normal"

#: Every rule, in the order of precedence: protect wins over prefer (core/policy.py).
RULES: Final = (PROTECT, PREFER, NORMAL)
