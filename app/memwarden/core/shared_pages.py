# SPDX-License-Identifier: GPL-3.0-or-later
"""An app's pages counted once: the part of its processes' Rss that they share (Rss − Pss).

``VmRSS`` counts every page a process maps, so the sum over an app's processes counts a page once
per process that maps it: the interpreter and libraries of 300 forked workers, the copy-on-write
memory they inherited from their parent, a shared-memory buffer that a browser's renderer and its
GPU process both map. Such a sum put a synthetic desktop of 301 small processes (0.9 GiB really)
at 3.9 GiB, above a 3.7 GiB leak, and the desktop was closed first (``make bench``,
monitor_states). ``Pss`` (``/proc/PID/smaps_rollup``) splits each page among the processes that
map it, so Σ Pss over an app counts each of its pages once (docs/kernel-memory.md §5.4 uses the
same rule for mapped shmem). ``resident_shared = Rss − Pss`` is what the total leaves out; ``Rss``
itself stays as it is, the kernel's view.

Reading ``smaps_rollup`` walks the process's page tables (measured here: 8 ms for a process with
1 GiB resident, 140-190 µs for a small one; on the bench's 1,001-process desktop it added 50-130 ms
to a full scan of about 0.9 s), so it is read only for the processes of apps of several, biggest app
first, at most ``MAX_PROCESSES`` a scan: a full scan reads them again, an incremental scan only
the new ones, and each process keeps its figure, keyed by its start time, through incremental
scans and refreshes. (Reading only the apps that could come first was cheaper, but then an app's
total depended on the apps beside it.) A single-process app shares nothing with itself and is not
read; its Rss still holds its part of the libraries every process maps, a few MiB.
"""

from __future__ import annotations

from collections.abc import Mapping

from memwarden.core.app_identity import AppIdentity
from memwarden.core.errors import CoreError
from memwarden.core.process import ProcessKey
from memwarden.core.scan_state import read_proc_text
from memwarden.core.snapshot import ProcessRecord

#: At most this many processes have their smaps_rollup read in one scan.
MAX_PROCESSES = 2000


def parse_rss_minus_pss(text: str) -> int | None:
    """``Rss − Pss`` in bytes from an ``smaps_rollup`` text; None when either line is missing."""
    fields: dict[str, int] = {}
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        if name in ("Rss", "Pss"):
            value = rest.split()
            if value and value[0].isdigit():
                fields[name] = int(value[0])
    if "Rss" not in fields or "Pss" not in fields:
        return None
    return max(0, fields["Rss"] - fields["Pss"]) * 1024


class SharedPages:
    """Measures and remembers ``resident_shared`` per process (see the module doc).

    Args:
        proc_root: The procfs to read.
    """

    def __init__(self, proc_root: str) -> None:
        self._proc = proc_root
        self._known: dict[ProcessKey, int] = {}

    def apply(
        self,
        records: Mapping[int, ProcessRecord],
        app_of_pid: Mapping[int, AppIdentity],
        *,
        full: bool,
    ) -> None:
        """Set ``bytes.resident_shared`` of the records: remembered figures for every process,
        read ones for the processes of apps of several (all of them on a full scan, the new ones
        otherwise)."""
        present = {rec.identity.key for rec in records.values()}
        self._known = {key: v for key, v in self._known.items() if key in present}
        for rec in records.values():
            rec.bytes.resident_shared = self._known.get(rec.identity.key, 0)
        members: dict[AppIdentity, list[ProcessRecord]] = {}
        for pid, rec in records.items():
            ident = app_of_pid.get(pid)
            if ident is not None:
                members.setdefault(ident, []).append(rec)
        several = [recs for recs in members.values() if len(recs) > 1]
        several.sort(key=lambda recs: sum(r.bytes.total for r in recs), reverse=True)
        budget = MAX_PROCESSES
        for recs in several:
            for rec in recs:
                if budget <= 0:
                    return
                if full or rec.identity.key not in self._known:
                    self._measure(rec)
                    budget -= 1

    def _measure(self, rec: ProcessRecord) -> None:
        try:
            text = read_proc_text(f"{self._proc}/{rec.pid}/smaps_rollup")
        except (CoreError, OSError):
            return  # gone, another user's (not ours to read), or no smaps_rollup (Linux < 4.14)
        shared = parse_rss_minus_pss(text)
        if shared is not None:
            self._known[rec.identity.key] = shared
            rec.bytes.resident_shared = shared
