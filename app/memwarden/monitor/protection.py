# SPDX-License-Identifier: GPL-3.0-or-later
"""Telling the kernel about the user's choices, through ``oom_score_adj``.

"Sacrifice first" raises the adj of the app's processes: the owner may always raise it, so the
monitor writes it itself. "Protect" lowers it, which needs CAP_SYS_RESOURCE (docs/kernel-memory.md
§1.4): the monitor asks the privileged helper. Without the helper (not installed, denied, lacking
the capability) protection still holds in MemWarden's own choices, and the reason code says that the
kernel does not know. Each process is written once per :class:`ProcessKey` and value, and only
while its pid still names it.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from memwarden.core import reason_codes as codes
from memwarden.core.errors import AccessDenied, ProcessGone
from memwarden.core.pid_dir import PidDir
from memwarden.core.policy import Rule
from memwarden.core.process import ProcessIdentity, ProcessKey
from memwarden.core.snapshot import Snapshot
from memwarden.monitor.config import PREFER_OOM_SCORE_ADJ, PROTECT_OOM_SCORE_ADJ


class HelperLike(Protocol):
    """The part of :class:`memwarden.helper.client.HelperClient` the protector uses."""

    async def set_oom_score_adj(
        self, processes: Iterable[ProcessKey], score_adj: int, *, interactive: bool = False
    ) -> None: ...


def write_oom_score_adj(key: ProcessKey, value: int, proc_root: Path = Path("/proc")) -> None:
    """Write ``oom_score_adj`` of the process ``key`` names, never another that has its pid now.

    The file is opened relative to the process's ``/proc/PID`` directory fd, after the start time
    read through that fd matched the key (:meth:`PidDir.open_key`): a pid reused before the
    directory was opened fails the comparison, and one reused after cannot be reached through it.

    ``open().write()`` on a buffered file reports EACCES only at close (docs/kernel-memory.md
    §1.4; seen on a root without CAP_SYS_RESOURCE); an unbuffered ``os.write`` returns it from the
    write itself.

    Raises:
        PidReused: (a ProcessGone) the pid names another process now; nothing was written.
        ProcessGone: the process exited; nothing was written.
        PermissionError: lowering below the floor without CAP_SYS_RESOURCE, or a process whose
            ``/proc/PID`` we may not open or read (another uid's).
    """
    try:
        piddir = PidDir.open_key(key, proc_root)
    except AccessDenied as exc:  # one kind of refusal for the caller, whichever file refused
        raise PermissionError(errno.EACCES, f"/proc/{key.pid}: {exc}") from exc
    with piddir:
        try:
            fd = os.open("oom_score_adj", os.O_WRONLY | os.O_CLOEXEC, dir_fd=piddir.fileno())
            try:
                os.write(fd, str(value).encode())
            finally:
                os.close(fd)
        except (ProcessLookupError, FileNotFoundError) as exc:
            # ESRCH (or ENOENT from the lookup) through the directory fd: it exited meanwhile.
            raise ProcessGone(f"pid {key.pid} exited before its oom_score_adj was written") from exc


class Protector:
    """Applies rules to processes' ``oom_score_adj``.

    Args:
        helper: The helper client, or None when there is none to ask.
        proc_root: The procfs.

    Attributes:
        kernel_protection: ``applied``, ``no-helper``, or the helper's reason code for the last
            refusal (``access-denied``, ``missing-capability``, …): whether the kernel knows.
    """

    def __init__(self, helper: HelperLike | None, proc_root: Path = Path("/proc")) -> None:
        self.helper = helper
        self.proc_root = proc_root
        self.kernel_protection = codes.NO_HELPER if helper is None else codes.NOT_ASKED_YET
        self._applied: dict[ProcessKey, int] = {}
        # The adj a process had before we first changed it: "normal" restores it (a launcher or
        # the user may have set one on purpose, e.g. Chromium's renderers run at 300).
        self._original: dict[ProcessKey, int] = {}

    def has_applied(self) -> bool:
        """True when some process carries an adj we wrote (a removed rule must be undone)."""
        return bool(self._applied)

    def touched(self, procs: Iterable[ProcessIdentity]) -> bool:
        """True when we changed one of these processes before (a rule removed: undo it)."""
        return any(p.key in self._applied for p in procs)

    def forget_gone(self, snap: Snapshot) -> None:
        """Drop processes that exited (their pids may come back as others)."""
        alive = {r.identity.key for r in snap.processes.values()}
        for key in self._applied.keys() - alive:
            del self._applied[key]
        for key in self._original.keys() - alive:
            del self._original[key]

    async def apply(
        self, rule: Rule, procs: Iterable[ProcessIdentity], snap: Snapshot
    ) -> dict[str, Any] | None:
        """Bring these processes to the rule's adj. Returns what was done, or None if nothing."""
        if rule is Rule.NORMAL:
            # Undo only what we did, back to what the process had before.
            todo = [p for p in procs if p.key in self._applied]
            for p in todo:
                self._applied.pop(p.key)
            return self._write(todo, None, rule) if todo else None
        target = PREFER_OOM_SCORE_ADJ if rule is Rule.PREFER else PROTECT_OOM_SCORE_ADJ
        todo = [
            p
            for p in procs
            if self._applied.get(p.key) != target
            and snap.processes[p.pid].oom_score_adj != target
        ]
        if not todo:
            return None
        for p in todo:
            self._original.setdefault(p.key, snap.processes[p.pid].oom_score_adj)
        if target < 0:
            return await self._protect(todo, target)
        return self._write(todo, target, rule)

    def _write(
        self, todo: list[ProcessIdentity], target: int | None, rule: Rule
    ) -> dict[str, Any]:
        """Write ``target`` (None: each process's original adj) ourselves (raising, or back)."""
        written, failed = [], {}
        values = set()
        for p in todo:
            value = target if target is not None else self._original.pop(p.key, 0)
            values.add(value)
            try:
                write_oom_score_adj(p.key, value, self.proc_root)
            except ProcessGone:  # exited, or its pid names another process now
                failed[p.pid] = "gone"
                continue
            except OSError as exc:
                failed[p.pid] = "gone" if exc.errno in (errno.ESRCH, errno.ENOENT) else (
                    "access-denied" if exc.errno in (errno.EACCES, errno.EPERM) else "error"
                )
                continue
            written.append(p.pid)
            if target is not None:
                self._applied[p.key] = target
        adj = values.pop() if len(values) == 1 else None
        return {"oom_score_adj": adj, "written": written, "failed": failed, "kernel": codes.APPLIED}

    async def _protect(self, todo: list[ProcessIdentity], target: int) -> dict[str, Any]:
        pids = [p.pid for p in todo]
        if self.helper is None:
            self.kernel_protection = codes.NO_HELPER
            return {"oom_score_adj": target, "written": [], "kernel": codes.NO_HELPER, "pids": pids}
        from memwarden.helper.errors import Busy, HelperError

        try:
            await self.helper.set_oom_score_adj([p.key for p in todo], target)
        except HelperError as exc:
            self.kernel_protection = exc.reason
            # Remember the refusal so we do not ask again for every tick; a new process or a
            # changed rule asks again. Busy is no refusal (the helper had too many calls in
            # flight and did nothing): the next pass asks again.
            if not isinstance(exc, Busy):
                for p in todo:
                    self._applied[p.key] = target
            return {"oom_score_adj": target, "written": [], "kernel": exc.reason, "pids": pids}
        self.kernel_protection = codes.APPLIED
        for p in todo:
            self._applied[p.key] = target
        return {"oom_score_adj": target, "written": pids, "kernel": codes.APPLIED}

