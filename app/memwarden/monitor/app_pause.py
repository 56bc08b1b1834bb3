# SPDX-License-Identifier: GPL-3.0-or-later
"""Pausing the app that is eating memory: stop it, keep it stopped while the person decides, and
never leave it stopped behind their back.

At the close level, when the app chosen is growing, the engine pauses it instead of closing it:
a stopped app grows no more and loses nothing (the game's quest, the editor's unsaved work), and
the person is asked (Resume, Close, Protect and resume). How:

- its own cgroup v2 scope is frozen (``cgroup.freeze``, Linux 5.2) when every process in the
  scope is the app's and may be signalled: the test ``cgroup.kill`` passes (monitor/killer.py);
- else each of its processes gets SIGSTOP through a pidfd opened with the killer's checks (start
  time, all four uids ours, the guard: never the desktop, MemWarden or a protected app), and so do
  its children forked since the snapshot.

Either way the pidfds stay open while it is paused, so resuming (SIGCONT) or killing it later
reaches exactly those processes, never a pid reused meanwhile. SIGKILL ends a stopped or frozen
process as any other.

Never behind the person's back: the engine pauses only while a tray shows it, resumes everything
when the tray leaves the bus or the monitor stops, and on start resumes what a monitor that died
left stopped (``paused.json`` in the runtime directory: pid and start time, so only those
processes).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from memwarden.core.snapshot import AppRecord
from memwarden.monitor.killer import Guard, Killer, KillOutcome, process_mrelease

log = logging.getLogger(__name__)

#: How an app was paused.
FROZEN = "cgroup"
STOPPED = "signal"


@dataclass(slots=True)
class PausedApp:
    """One paused app, and the pidfds that name its processes while it is paused.

    Attributes:
        app: The app as the snapshot saw it.
        summary: The app as events and the ``PausedApps`` property describe it.
        since: When it was paused (wall clock, for people).
        bytes: Its total when paused.
        growth_bytes_per_s: Its growth when paused.
        method: ``cgroup`` (its scope frozen) or ``signal`` (SIGSTOP to each process).
        frozen: The cgroup directories frozen (``cgroup`` only).
        pidfds: pid -> pidfd of every process stopped or frozen.
        starts: pid -> start time of the same processes (the state file).
        reclaim: What giving its memory back did: ``result`` (a code of
            :data:`memwarden.core.reason_codes.PAUSE_RECLAIM_RESULTS`), ``ram_freed_bytes``,
            ``swapped_out_bytes`` (monitor/pause_reclaim.py).
    """

    app: AppRecord
    summary: dict[str, Any]
    since: float
    bytes: int
    growth_bytes_per_s: float
    method: str
    frozen: list[Path] = field(default_factory=list)
    pidfds: dict[int, int] = field(default_factory=dict)
    starts: dict[int, int] = field(default_factory=dict)
    reclaim: dict[str, Any] = field(default_factory=dict)

    def json(self) -> dict[str, Any]:
        """The entry of ``PausedApps`` and the ``AppPaused`` signal."""
        return {
            "app": self.summary,
            "since": round(self.since, 3),
            "bytes": self.bytes,
            "growth_bytes_per_s": round(self.growth_bytes_per_s),
            "method": self.method,
            "reclaim": dict(self.reclaim),
        }

    def exited(self) -> bool:
        """True once every process of it has exited (each pidfd polls readable)."""
        import select

        fds = list(self.pidfds.values())
        return not fds or len(select.select(fds, [], [], 0)[0]) == len(fds)


class Pauser:
    """Pauses, resumes and ends paused apps, with the killer's guards.

    Args:
        killer: Opens pidfds with its checks, and knows the cgroup v2 mount.
        state_path: Where the pids and start times of paused apps are kept, so that the next
            monitor resumes them if this one dies; None: nowhere.
        wall_clock: Seconds since the epoch (``since``).
    """

    def __init__(
        self,
        killer: Killer,
        *,
        state_path: Path | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._killer = killer
        self._state_path = state_path
        self._wall_clock = wall_clock
        self.paused: dict[str, PausedApp] = {}

    @property
    def dry_run(self) -> bool:
        """Whether the killer sends nothing (then nothing is paused either)."""
        return self._killer.dry_run

    # -- pausing ----------------------------------------------------------------------------------

    def pause(
        self,
        app: AppRecord,
        summary: dict[str, Any],
        *,
        pids: Mapping[int, int],
        known: Mapping[int, int],
        guard: Guard,
        growth_bytes_per_s: float,
    ) -> PausedApp | None:
        """Pause these processes of ``app`` (pid -> start time, from the snapshot the choice was
        made on; ``known``: every process of that snapshot). None when none could be opened (all
        gone, or refused by the guard): then nothing was stopped."""
        if self.dry_run:
            return None
        pidfds: dict[int, int] = {}
        starts: dict[int, int] = {}
        targets = dict(pids)
        # Children forked since the snapshot belong to the app too (as when it is closed).
        targets.update(self._killer.descendants(pids, known))
        for pid, start in targets.items():
            pidfd, _reason = self._killer.open_target(pid, start, guard)
            if pidfd is not None:
                pidfds[pid], starts[pid] = pidfd, start
        if not pidfds:
            return None
        frozen = self._freeze(app, pids, known, guard)
        method = FROZEN if frozen else STOPPED
        if not frozen:
            for pid, pidfd in list(pidfds.items()):
                try:
                    signal.pidfd_send_signal(pidfd, signal.SIGSTOP)
                except ProcessLookupError:
                    os.close(pidfds.pop(pid))
                    starts.pop(pid)
        paused = PausedApp(
            app, summary, self._wall_clock(), app.bytes.total, growth_bytes_per_s, method,
            frozen=frozen, pidfds=pidfds, starts=starts,
        )  # fmt: skip
        self.paused[app.id] = paused
        self._save()
        log.info("paused %s (%s): %d processes", app.id, method, len(pidfds))
        return paused

    def _freeze(
        self, app: AppRecord, pids: Mapping[int, int], known: Mapping[int, int], guard: Guard
    ) -> list[Path]:
        """Freeze the app's own scope when it may be acted on as a whole; the directories frozen
        ([] when it may not: then each process is stopped instead)."""
        members = self._killer.cgroup_members(app.identity.cgroups, control="cgroup.freeze")
        if members is None:
            return []
        refusal = self._killer.why_not_whole_cgroup(members[1], pids, known, guard)
        if refusal is not None:
            log.info("cgroup.freeze not used for %s: %s", app.identity.cgroups, refusal)
            return []
        frozen = []
        for directory in members[0]:
            try:
                (directory / "cgroup.freeze").write_text("1")
                frozen.append(directory)
            except OSError as exc:
                log.warning("cgroup.freeze of %s: %s", directory, exc)
                _thaw(frozen)
                return []
        return frozen

    # -- resuming and ending ----------------------------------------------------------------------

    def resume(self, app_id: str) -> PausedApp | None:
        """Let a paused app run again; None when it was not paused."""
        paused = self.paused.pop(app_id, None)
        if paused is None:
            return None
        _thaw(paused.frozen)
        for pidfd in paused.pidfds.values():
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(pidfd, signal.SIGCONT)
        _close_all(paused)
        self._save()
        log.info("resumed %s", app_id)
        return paused

    def resume_all(self) -> list[PausedApp]:
        """Resume every paused app (the monitor stops, or no tray shows them any more)."""
        return [p for app_id in list(self.paused) if (p := self.resume(app_id)) is not None]

    async def kill(self, app_id: str) -> KillOutcome:
        """End a paused app at once (SIGKILL through its pidfds; ``cgroup.kill`` for a frozen
        scope, which also takes what forked into it), and free its private memory now."""
        paused = self.paused.pop(app_id)
        outcome = KillOutcome(method=paused.method if paused.frozen else "pidfd")
        targets = dict(paused.pidfds)
        for directory in paused.frozen:
            with contextlib.suppress(OSError):
                (directory / "cgroup.kill").write_text("1")
        Killer.signal_all(targets, signal.SIGKILL, outcome)
        for pidfd in targets.values():
            process_mrelease(pidfd)
        # A frozen scope stays frozen for whatever comes into it later: thaw it.
        _thaw(paused.frozen)
        await Killer.wait_exit(targets, 5.0, outcome, lambda: False)
        paused.pidfds = targets  # those not seen exiting; closed below
        _close_all(paused)
        self._save()
        return outcome

    def gone(self) -> list[PausedApp]:
        """Forget the paused apps whose every process has exited (closed by the person, say)."""
        ended = [app_id for app_id, paused in self.paused.items() if paused.exited()]
        out = []
        for app_id in ended:
            paused = self.paused.pop(app_id)
            _thaw(paused.frozen)
            _close_all(paused)
            out.append(paused)
        if ended:
            self._save()
        return out

    # -- a monitor that died left them stopped ----------------------------------------------------

    def _save(self) -> None:
        if self._state_path is None:
            return
        doc = [
            {"app_id": p.app.id, "frozen": [str(d) for d in p.frozen],
             "processes": [[pid, start] for pid, start in sorted(p.starts.items())]}
            for p in self.paused.values()
        ]  # fmt: skip
        try:
            if not doc:
                self._state_path.unlink(missing_ok=True)
                return
            self._state_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = self._state_path.with_name(f".{self._state_path.name}.{os.getpid()}")
            tmp.write_text(json.dumps(doc))
            os.replace(tmp, self._state_path)
        except OSError as exc:
            log.warning("cannot keep the paused apps in %s: %s", self._state_path, exc)

    def recover(self, guard: Guard) -> list[str]:
        """Resume what a previous monitor left paused (it died before it could): thaw the scopes
        it froze and SIGCONT its processes, each only if its start time still matches and it may
        be signalled. Returns the app ids."""
        if self._state_path is None:
            return []
        try:
            doc = json.loads(self._state_path.read_text())
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            log.warning("ignoring %s: %s", self._state_path, exc)
            doc = []
        resumed = []
        for entry in doc if isinstance(doc, list) else []:
            with contextlib.suppress(KeyError, TypeError, ValueError):
                _thaw([Path(d) for d in entry["frozen"] if self._is_cgroup_dir(Path(d))])
                for pid, start in entry["processes"]:
                    self._continue(int(pid), int(start), guard)
                resumed.append(str(entry["app_id"]))
        self._state_path.unlink(missing_ok=True)
        if resumed:
            log.warning("resumed apps a previous monitor left paused: %s", ", ".join(resumed))
        return resumed

    def _is_cgroup_dir(self, directory: Path) -> bool:
        mount = self._killer.cgroup2
        return mount is not None and directory.resolve().is_relative_to(mount.mount_point)

    def _continue(self, pid: int, start: int, guard: Guard) -> None:
        pidfd, _reason = self._killer.open_target(pid, start, guard)
        if pidfd is None:
            return
        try:
            signal.pidfd_send_signal(pidfd, signal.SIGCONT)
        except ProcessLookupError:
            pass
        finally:
            os.close(pidfd)


def _thaw(directories: list[Path]) -> None:
    for directory in directories:
        try:
            (directory / "cgroup.freeze").write_text("0")
        except OSError as exc:
            log.warning("cgroup.freeze of %s back to 0: %s", directory, exc)


def _close_all(paused: PausedApp) -> None:
    for pidfd in paused.pidfds.values():
        with contextlib.suppress(OSError):
            os.close(pidfd)
    paused.pidfds = {}

