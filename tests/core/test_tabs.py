# SPDX-License-Identifier: GPL-3.0-or-later
"""Which child of a browser is a tab, and when closing it is enough (the real processes are in
tests/monitor/test_scenarios.py)."""

from __future__ import annotations

from memwarden.core.app_identity import AppIdentity
from memwarden.core.process import ProcessIdentity
from memwarden.core.snapshot import MemoryBytes, ProcessRecord, build_apps
from memwarden.core.tabs import child_role, tab_target

MiB = 1024 * 1024
FIREFOX = "/usr/lib/firefox-esr/firefox-esr"


def rec(pid: int, argv: tuple[str, ...], mib: int, adj: int = 0, role: str | None = None
        ) -> ProcessRecord:  # fmt: skip
    ident = ProcessIdentity(pid=pid, ppid=10, session=10, uid=1000, comm="firefox-esr",
                            exe=FIREFOX, cmdline=argv, cgroup=None,
                            starttime_ticks=pid)  # fmt: skip
    return ProcessRecord(ident, adj, mib * 256, 0, MemoryBytes(resident=mib * MiB), role=role)


def app_of(records: list[ProcessRecord]):  # type: ignore[no-untyped-def]
    ident = AppIdentity(app_id="firefox-10", name="Firefox", icon=None, kind="browser",
                        uid=1000, source="tree", cgroups=(), root_pid=10,
                        root_starttime_ticks=10)  # fmt: skip
    (app,) = build_apps(records, {r.pid: ident for r in records})
    return app, {r.pid: r for r in records}


MAIN = rec(10, (FIREFOX,), 400)
GPU = rec(11, (FIREFOX, "-contentproc", "-childID", "1", "gpu"), 100)
TAB = rec(12, (FIREFOX, "-contentproc", "-childID", "2", "-isForBrowser", "tab"), 150)
RENDERER = rec(13, ("/opt/google/chrome/chrome", "--type=renderer", "--lang=de"), 150)
MARKED = rec(14, ("/usr/bin/some-electron-app", "--type=utility"), 150, adj=300)


def test_roles_of_children() -> None:
    assert child_role(TAB, MAIN) == "content"
    assert child_role(RENDERER, MAIN) == "renderer"
    assert child_role(MARKED, MAIN) == "marked"  # the app itself says it is expendable
    assert child_role(GPU, MAIN) is None  # a GPU process is not a tab: losing it loses the app


def test_the_tab_goes_when_the_risk_is_in_it_else_the_app() -> None:
    app, processes = app_of([MAIN, GPU, TAB])
    # A tab growing towards the close point: it will be the biggest process then.
    target = tab_target(app, processes, {12: 900 * MiB})
    assert target is not None and (target.pid, target.role) == (12, "content")
    assert target.score_bytes == 900 * MiB and target.bytes.total == 150 * MiB
    # The main process is the biggest: the whole app.
    assert tab_target(app, processes, {}) is None
    # The GPU process is: the whole app too.
    assert tab_target(app, processes, {11: 2000 * MiB}) is None


def test_never_a_tab_of_a_single_process_app_nor_a_desktop_member() -> None:
    app, processes = app_of([MAIN])
    assert tab_target(app, processes, {}) is None
    busy = rec(12, TAB.identity.cmdline, 900, role="self")  # MemWarden inside it: never signalled
    app, processes = app_of([MAIN, busy, GPU])
    assert tab_target(app, processes, {}) is None
