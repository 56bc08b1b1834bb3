# SPDX-License-Identifier: GPL-3.0-or-later
"""The names a person knows a process by: its program (the script, for an interpreter), its
executable and its ``comm``.

They name an app for display, and the app kinds look them up in their program lists
(:mod:`memwarden.core.app_kinds`). They are the process's own choice, so nothing that decides who
may be closed rests on them (rules: :func:`memwarden.core.app_identity.rule_keys`; the desktop:
:mod:`memwarden.core.desktop_roles`).
"""

from __future__ import annotations

from memwarden.core.command_program import is_interpreter, program_of_argv
from memwarden.core.process import ProcessIdentity


def exe_basename(proc: ProcessIdentity) -> str:
    """The basename of the executable; ``""`` when ``exe`` is unreadable."""
    # A replaced binary reads as "/usr/bin/foo (deleted)" (proc(5)).
    return proc.exe.removesuffix(" (deleted)").rsplit("/", 1)[-1]


def process_program(proc: ProcessIdentity) -> str:
    """The program a process runs, by the name a person knows: the executable's basename, or for
    an interpreter the script or module (``python3 -m http.server`` → ``http.server``).

    ``exe`` is unreadable for other users' processes; then ``comm`` (15 bytes at most) is extended
    from ``argv[0]`` when that starts with it. A program run from a memfd (a launcher that
    unpacked or sealed its binary in memory, as runc does) has ``/memfd:NAME (deleted)`` as its
    executable and often ``memfd:NAME`` as its ``comm``: then ``argv[0]`` names it.
    """
    exe = exe_basename(proc)
    base = exe or proc.comm
    if is_interpreter(base) and len(proc.cmdline) > 1:
        return program_of_argv([base, *proc.cmdline[1:]]) or base
    # argv[0]'s basename; a process that rewrote its title may have put spaces in it.
    argv0 = proc.cmdline[0].split(" ", 1)[0].rsplit("/", 1)[-1] if proc.cmdline else ""
    if exe.startswith("memfd:"):
        return argv0 or exe
    if exe:
        return exe
    if argv0.startswith(proc.comm) and proc.comm:
        return argv0
    return proc.comm


def process_names(proc: ProcessIdentity) -> set[str]:
    """``comm``, program and executable basename of a process (the non-empty ones)."""
    names = {proc.comm, process_program(proc)}
    exe = exe_basename(proc)
    if exe:
        names.add(exe)
    names.discard("")
    return names
