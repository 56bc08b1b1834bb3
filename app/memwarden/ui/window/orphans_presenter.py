# SPDX-License-Identifier: GPL-3.0-or-later
"""Orphan RAM files (the snapshot's ``orphans``) in words, with what a person can do about each.

An orphan is a file on a RAM file system (tmpfs: /dev/shm, /tmp on many systems, /run/user) or a
System V shared memory segment that no process holds. Its pages stay in RAM until it is deleted,
and no kill can free them (docs/kernel-memory.md §5.5) — which is why MemWarden lists them apart
and the killer refuses to shoot innocents for them (``orphan-tmpfs``).
"""

from __future__ import annotations

import errno
import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale

from memwarden.ui.words import code_words as words
from memwarden.ui.words.formatting import human_size

_SYSV_ID = re.compile(r"\bid (\d+)$")


@dataclass(frozen=True, slots=True)
class OrphanRow:
    """One orphan as the page shows it.

    Attributes:
        kind: The kind in words.
        path: The file's path (or the segment's description).
        size: Its size in words.
        size_bytes: Its size.
        owner: ``you`` or the uid of another user.
        advice: What to do about it.
        command: A shell command that removes it (for the clipboard).
        deletable: True when the window may delete it for the person (a tmpfs file of theirs).
    """

    kind: str
    path: str
    size: str
    size_bytes: int
    owner: str
    advice: str
    command: str
    deletable: bool


def orphan_row(orphan: dict[str, Any], uid: int, locale: QLocale | None = None) -> OrphanRow:
    """Words and actions for one entry of ``orphans``."""
    kind = str(orphan.get("kind", ""))
    path = str(orphan.get("path", ""))
    size = int(orphan.get("bytes", 0))
    owner_uid = int(orphan.get("uid", -1))
    mine = owner_uid == uid
    owner = (
        QCoreApplication.translate("OrphansPresenter", "you")
        if mine
        else QCoreApplication.translate("OrphansPresenter", "user %1").replace("%1", str(owner_uid))
    )
    if kind == "sysv":
        match = _SYSV_ID.search(path)
        command = f"ipcrm -m {match.group(1)}" if match else ""
        advice = QCoreApplication.translate(
            "OrphansPresenter",
            "A shared memory segment no program is attached to. If the program that made it has "
            "ended for good, remove it with the command below.",
        )
        deletable = False
    else:
        command = f"rm -- {shlex.quote(path)}"
        advice = QCoreApplication.translate(
            "OrphansPresenter",
            "A file kept in RAM that no program has open. If you do not need it, delete it: its "
            "memory comes back at once. Closing apps cannot free it.",
        )
        deletable = mine
    if not mine:
        advice += " " + QCoreApplication.translate(
            "OrphansPresenter", "It belongs to another user: ask them or an administrator."
        )
    return OrphanRow(
        words.object_kind(kind), path, human_size(size, locale), size, owner, advice, command,
        deletable,
    )  # fmt: skip


def orphan_rows(
    orphans: list[dict[str, Any]], uid: int | None = None, locale: QLocale | None = None
) -> list[OrphanRow]:
    """All orphans, biggest first."""
    me = os.getuid() if uid is None else uid
    rows = [orphan_row(o, me, locale) for o in orphans]
    rows.sort(key=lambda r: -r.size_bytes)
    return rows


def summary(orphans: list[dict[str, Any]], locale: QLocale | None = None) -> str:
    """One sentence over the whole list."""
    if not orphans:
        return QCoreApplication.translate(
            "OrphansPresenter", "No memory is held by leftover files. Nothing to do."
        )
    total = sum(int(o.get("bytes", 0)) for o in orphans)
    return QCoreApplication.translate(
        "OrphansPresenter",
        "%1 of RAM is held by leftover files that no program has open. Closing apps will "
        "not free it; deleting the files will.",
    ).replace("%1", human_size(total, locale))


def delete_file(path: str) -> None:
    """Delete an orphan tmpfs file of the person's own.

    Raises:
        OSError: it cannot be deleted (already gone, not ours, read-only).
    """
    target = Path(path)
    # Only a regular file: never follow a link a process may have put in its place.
    if target.is_symlink() or not target.is_file():
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)
    target.unlink()
