# SPDX-License-Identifier: GPL-3.0-or-later
"""An app's pages count once: the Rss its processes share (Rss − Pss) is left out of its total.

Real processes: a hog that fills 192 MiB and then forks three children, which share those pages
copy-on-write (each child's VmRSS says 192 MiB too), beside a single 320 MiB hog. By the Rss sum
the family was 768 MiB and came first; it holds 192 MiB. (The bench's synthetic desktop of 301
small processes was counted at 3.9 GiB and closed before a 3.7 GiB leak the same way.)
"""

from __future__ import annotations

import dataclasses
import os

from hogs import MiB
from memwarden.core.policy import Rules, choose_victim
from memwarden.core.scanner import Scanner
from memwarden.core.shared_pages import parse_rss_minus_pss


def app_of(snap, pids):
    (app,) = [a for a in snap.apps if set(pids) & set(a.pids)]
    return app


def test_a_forked_family_counts_its_shared_pages_once(hog):
    family = hog("anon", 192 * MiB, forks=3, name="family")
    single = hog("anon", 320 * MiB, name="single")
    scanner = Scanner(with_nvidia=False)
    snap = scanner.scan(full=True)
    app = app_of(snap, family.pids)
    assert sorted(app.pids) == sorted(family.pids)
    rss_sum = sum(snap.processes[p].bytes.resident for p in family.pids)
    assert rss_sum >= 4 * 190 * MiB  # what the Rss sum says
    assert 190 * MiB <= app.bytes.total <= 260 * MiB, app.bytes  # what it holds
    assert app.bytes.kernel_view == rss_sum + app.bytes.swap + app.bytes.page_tables  # unchanged
    # The single app now ranks above the family, as it should.
    alone = app_of(snap, single.pids)
    assert alone.bytes.resident_shared == 0  # one process shares nothing with itself: not read
    assert alone.memwarden_rank < app.memwarden_rank
    # Of the two (the machine's other apps left out), the single one would be closed.
    ours = dataclasses.replace(snap, apps=[app, alone])
    choice = choose_victim(ours, Rules(), uid=os.getuid())
    assert choice.victim is not None and choice.victim.app.pids == alone.pids
    # An incremental scan keeps the figures without reading smaps_rollup again.
    again = scanner.scan(full=False)
    assert again.scan_kind == "incremental"
    assert app_of(again, family.pids).bytes.total <= 260 * MiB


def test_rss_minus_pss_from_smaps_rollup() -> None:
    text = (
        "55d0b3a5c000-7ffd2b1d4000 ---p 00000000 00:00 0                          [rollup]\n"
        "Rss:               13124 kB\nPss:                3102 kB\nPss_Anon:            904 kB\n"
        "Pss_File:           2198 kB\nPss_Shmem:             0 kB\nShared_Clean:      10020 kB\n"
    )
    assert parse_rss_minus_pss(text) == (13124 - 3102) * 1024
    assert parse_rss_minus_pss("Rss: 10 kB\n") is None
    assert parse_rss_minus_pss("") is None
