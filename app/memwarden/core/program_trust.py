# SPDX-License-Identifier: GPL-3.0-or-later
"""Whether a process runs a program the system installed, rather than one any user could write.

A process chooses its own ``comm`` (``prctl(PR_SET_NAME)``), its argv and the name of the file it
runs from, so a name alone must never make it part of the desktop, MemWarden, or a protected app.
A name counts only when the program behind it is a **trusted file**:

* owned by root (only root can create a root-owned file; copying one makes a copy of one's own),
* writable by nobody else (no group or other write bit), and
* under a directory the system installs programs into (:data:`SYSTEM_DIRS`): a root-owned file
  hard-linked into ``/tmp`` (possible where ``fs.protected_hardlinks=0``) does not count.

For an interpreter (``python3``, ``bash``, …) the executable says nothing about what runs: the
script does, so the script must be a trusted file too. ``python3 -m module`` and ``-c code`` have
no file to check and are never trusted.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence

from memwarden.core.command_program import basename, is_interpreter

SYSTEM_DIRS = (
    "/usr/",
    "/bin/",
    "/sbin/",
    "/lib/",
    "/lib64/",
    "/libexec/",
    "/opt/",
    "/snap/",
    "/nix/store/",
    "/run/current-system/",
    "/gnu/store/",
)
"""Where distributions and system package managers install programs (FHS, snapd, Nix, Guix)."""

# Interpreter options that take a value (the next word is not the script).
_VALUE_OPTIONS = frozenset({"-W", "-X", "-O", "--rcfile", "--init-file", "-o", "+O", "-I"})
# Options after which there is no script file: inline code, a module, stdin.
_NO_SCRIPT = frozenset({"-c", "-m", "-e", "-E", "--command", "-"})


def is_trusted_file(st: os.stat_result, path: str) -> bool:
    """Whether a file (``st`` from ``stat``, ``path`` its real path) is installed by the system."""
    return (
        stat.S_ISREG(st.st_mode)
        and st.st_uid == 0
        and st.st_mode & (stat.S_IWGRP | stat.S_IWOTH) == 0
        and path.startswith(SYSTEM_DIRS)
    )


def script_argument(cmdline: Sequence[str]) -> str | None:
    """The script an interpreter's command line runs (``python3 -u /opt/x.py`` → ``/opt/x.py``),
    or None when it runs inline code, a module, stdin or nothing."""
    i = 1
    while i < len(cmdline):
        word = cmdline[i]
        if word in _NO_SCRIPT or (word.startswith("-c") and len(word) > 2):
            return None
        if word == "--":
            return cmdline[i + 1] if i + 1 < len(cmdline) else None
        if not word.startswith(("-", "+")):
            return word
        i += 2 if word in _VALUE_OPTIONS else 1
    return None


def program_of_process(pid_dir: str, exe: str, cmdline: Sequence[str]) -> tuple[str, bool]:
    """The file a live process runs as its program, and whether it is trusted (module doc).

    Args:
        pid_dir: ``/proc/PID/`` (with the trailing slash).
        exe: The target of ``/proc/PID/exe`` (``""`` when unreadable).
        cmdline: Its argv.

    Returns:
        ``(path, trusted)``: the executable's path, or for an interpreter its script's absolute
        path; ``""`` when unknown (unreadable exe, inline code, a module, a relative script whose
        directory is unknown), and then never trusted.
    """
    # A binary replaced by an upgrade reads "/usr/bin/foo (deleted)" (proc(5)): still its path.
    exe = exe.removesuffix(" (deleted)")
    if not exe.startswith("/"):
        return "", False  # unreadable, or "memfd:…" (a program run from memory has no file)
    try:
        # stat through the link reaches the very inode the process runs, even in another mount
        # namespace; the path string is the one its namespace shows.
        exe_trusted = is_trusted_file(os.stat(pid_dir + "exe"), exe)
    except OSError:
        return exe, False
    if not is_interpreter(basename(exe)):
        return exe, exe_trusted
    script = script_argument(cmdline)
    if not script:
        return "", False
    if not script.startswith("/"):
        try:
            script = os.path.join(os.readlink(pid_dir + "cwd"), script)
        except OSError:
            return "", False
    # Resolved in the process's own root (a container's /usr/bin is not ours); the path string
    # is normalised so that "/usr/../tmp/x" cannot pass for a system path.
    script = os.path.normpath(script)
    try:
        st = os.stat(pid_dir + "root" + script)
    except OSError:
        return script, False
    return script, exe_trusted and is_trusted_file(st, script)
