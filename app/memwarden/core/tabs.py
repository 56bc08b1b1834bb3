# SPDX-License-Identifier: GPL-3.0-or-later
"""Closing a tab instead of the browser: the children of a multi-process app that it survives
losing.

Browsers and Electron apps run their sites in child processes, and lose only a tab when one dies
("Aw, Snap!", "Gah. Your tab just crashed."), where closing the main process loses the whole
session. Users ask killers for exactly this (earlyoom issue 7: "I would really rather it had
killed just one or two of the chrome tabs"). A child is *expendable* when:

* its argv says so: ``--type=renderer`` (Chromium, Chrome, Electron), or ``-contentproc`` with
  ``tab`` (Firefox's content processes);
* or the app marks it so: an ``oom_score_adj`` above its main process's (Chromium raises its
  renderers' to 300 and more, ``content/browser/renderer_host``; Android's ``lmkd`` reads the same
  signal).

When the process of an app that will be largest at the forecast close point (its size plus its
growth until then) is such a child, the child is closed, not the app. When it is the main
process, a GPU process or any other child, the whole app is, as before. A role from argv is a
name the process chose: it only ever *narrows* a close to one process of an app already chosen,
never spares one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from memwarden.core.snapshot import AppRecord, MemoryBytes, ProcessRecord


@dataclass(frozen=True, slots=True)
class TabTarget:
    """The child to close instead of its app.

    Attributes:
        pid: The child.
        role: Why it is expendable: ``renderer``, ``content`` (argv) or ``marked`` (a higher
            ``oom_score_adj`` than its main process).
        bytes: Its memory, hidden shares included.
        score_bytes: Its size projected to the close point (what made it the one).
    """

    pid: int
    role: str
    bytes: MemoryBytes
    score_bytes: int


def child_role(child: ProcessRecord, main: ProcessRecord) -> str | None:
    """Why ``child`` is an expendable child of the app whose main process is ``main``, or None."""
    argv = child.identity.cmdline
    if "--type=renderer" in argv:
        return "renderer"
    if "-contentproc" in argv and "tab" in argv:
        return "content"
    if child.oom_score_adj > main.oom_score_adj:
        return "marked"
    return None


def tab_target(
    app: AppRecord,
    processes: Mapping[int, ProcessRecord],
    projected: Mapping[int, int],
) -> TabTarget | None:
    """The expendable child to close instead of ``app``, or None to close the whole app.

    Args:
        app: The app chosen to be closed.
        processes: The snapshot's processes.
        projected: Each process's size at the close point (its size plus its growth until then);
            a process missing here counts with its size now.
    """
    main = processes.get(app.identity.root_pid)
    closable = [processes[p] for p in app.closable_pids if p in processes]
    if main is None or len(closable) < 2:
        return None
    top = max(closable, key=lambda r: (projected.get(r.pid, r.bytes.total), -r.pid))
    if top.pid == main.pid:
        return None
    role = child_role(top, main)
    if role is None:
        return None
    return TabTarget(top.pid, role, top.bytes, projected.get(top.pid, top.bytes.total))
