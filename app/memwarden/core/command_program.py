# SPDX-License-Identifier: GPL-3.0-or-later
"""The program a command line runs, by the name a person knows it by.

Wrappers (``env``, ``nice``, ``flatpak run``, ``systemd-run``, …) are looked through, and a shell or
interpreter running a script is named by the script. Used for both sides of the ``Exec=`` ↔ process
match (:mod:`memwarden.core.desktop_file`, :mod:`memwarden.core.process_names`), so a Python app's
desktop entry and its running process agree.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence

SHELLS = frozenset(
    {
        "sh",
        "bash",
        "rbash",
        "dash",
        "ash",
        "zsh",
        "ksh",
        "mksh",
        "oksh",
        "pdksh",
        "yash",
        "fish",
        "tcsh",
        "csh",
        "nu",
        "xonsh",
        "elvish",
        "busybox",
    }
)
"""Shell executables: their ``-c`` string or script names the program, not the shell."""

_INTERPRETER = re.compile(
    r"^(?:python[0-9.]*m?|pypy[0-9.]*|perl[0-9.]*|ruby[0-9.]*|node(?:js)?|bun|deno"
    r"|lua(?:jit|[0-9.]*)|php[0-9.]*|java|Rscript|tclsh[0-9.]*|wish[0-9.]*|gjs(?:-console)?"
    r"|guile[0-9.]*|mono|dotnet)$"
)
# Interpreter options that take the next word as their value (python -W arg, java -cp path, …).
_INTERPRETER_VALUE_OPTIONS = frozenset({"-W", "-X", "-cp", "-classpath", "--class-path", "-r"})
# Options after which the program is inline code: the interpreter itself is the program.
_INLINE_CODE_OPTIONS = frozenset({"-c", "-e", "--eval", "-E"})

# Wrappers that run the rest of the command line: name -> options that take a value.
_WRAPPERS: dict[str, frozenset[str]] = {
    "nice": frozenset({"-n", "--adjustment"}),
    "ionice": frozenset({"-c", "-n", "--class", "--classdata"}),
    "exec": frozenset({"-a"}),  # the shell builtin, in sh -c strings
    "nohup": frozenset(),
    "setsid": frozenset(),
    "stdbuf": frozenset({"-i", "-o", "-e"}),
    "prime-run": frozenset(),
    "primusrun": frozenset(),
    "optirun": frozenset({"-b", "-c"}),
    "pvkrun": frozenset(),
    "gamemoderun": frozenset(),
    "mangohud": frozenset(),
    "firejail": frozenset(),
    "torsocks": frozenset(),
    "proxychains": frozenset({"-f"}),
    "proxychains4": frozenset({"-f"}),
    "pkexec": frozenset({"--user"}),
    "systemd-run": frozenset(
        {
            "-p",
            "--property",
            "-u",
            "--unit",
            "--slice",
            "-E",
            "--setenv",
            "--description",
            "--uid",
            "--gid",
            "--nice",
            "--working-directory",
            "-d",
        }
    ),
    "systemd-inhibit": frozenset({"--what", "--who", "--why", "--mode"}),
}
_SHELL_CONTROL = re.compile(r"[;&|\n`$()<>]")
_ENV_VALUE_OPTIONS = frozenset({"-u", "--unset", "-C", "--chdir", "-S", "--split-string"})
_FLATPAK_VALUE_OPTIONS = frozenset({"--branch", "--arch", "--runtime", "--runtime-version"})


def basename(word: str) -> str:
    """The last component of a path-like word (``/usr/bin/foo`` → ``foo``)."""
    return word.rstrip("/").rsplit("/", 1)[-1]


def is_interpreter(program: str) -> bool:
    """Whether ``program`` (a basename) is a shell or script interpreter, whose process is better
    named by its script (:func:`program_of_argv`)."""
    return program in SHELLS or _INTERPRETER.match(program) is not None


def _skip_options(argv: Sequence[str], i: int, value_options: frozenset[str]) -> int:
    """Index of the first non-option word from ``i`` (``--`` ends the options)."""
    while i < len(argv):
        word = argv[i]
        if word == "--":
            return i + 1
        if not word.startswith("-") or word == "-":
            return i
        i += 2 if word in value_options else 1
    return i


def program_of_argv(argv: Sequence[str], _depth: int = 0) -> str | None:
    """The name a person knows a command line by: the basename of the real program.

    Wrappers are looked through (``env VAR=1 nice -n 5 foo`` → ``foo``); ``flatpak run
    --command=firefox org.mozilla.firefox`` → ``firefox``; an interpreter or shell with a script is
    the script (``python3 -u /opt/hog.py`` → ``hog.py``, ``python3 -m http.server`` →
    ``http.server``, ``sh -c "exec foo --x"`` → ``foo``); with inline code (``-c``/``-e``) or no
    arguments it is the interpreter itself. Used for both sides of the ``Exec=`` ↔ process match, so
    a Python app's desktop entry and its running process agree.

    Returns:
        The program name, or ``None`` when there is none (empty line, ``flatpak run`` without
        ``--command``).
    """
    i = 0
    while i < len(argv) and _depth < 8:
        name = basename(argv[i])
        if not name:
            return None
        if name == "env":
            i += 1
            while i < len(argv):
                word = argv[i]
                if word in ("-S", "--split-string") and i + 1 < len(argv):
                    # env -S "prog args": the string is itself a command line.
                    return program_of_argv(split_command(argv[i + 1]), _depth + 1)
                if word == "--":
                    i += 1
                    break
                if word.startswith("-"):
                    i += 2 if word in _ENV_VALUE_OPTIONS else 1
                elif "=" in word:
                    i += 1
                else:
                    break
            continue
        if name in _WRAPPERS:
            i = _skip_options(argv, i + 1, _WRAPPERS[name])
            continue
        if name == "flatpak":
            return _flatpak_command(argv[i + 1 :])
        if name == "snap" and i + 2 < len(argv) and argv[i + 1] == "run":
            return basename(argv[i + 2]) or None
        if name == "gtk-launch" and i + 1 < len(argv):
            # gtk-launch takes a desktop file id; the literal suffix keeps this module free of
            # desktop_file, which imports it.
            return basename(argv[i + 1]).removesuffix(".desktop") or None
        if name in SHELLS or _INTERPRETER.match(name):
            return _script_program(name, argv[i + 1 :], name in SHELLS, _depth)
        return name
    return None


def _flatpak_command(args: Sequence[str]) -> str | None:
    if not args or args[0] != "run":
        return None
    command: str | None = None
    i = 1
    while i < len(args):
        word = args[i]
        if word.startswith("--command="):
            command = word.split("=", 1)[1]
        elif word == "--command" and i + 1 < len(args):
            command = args[i + 1]
            i += 1
        elif word in _FLATPAK_VALUE_OPTIONS:
            i += 1
        elif not word.startswith("-"):
            break  # the app id; what follows are the app's arguments
        i += 1
    return (basename(command) or None) if command else None


def _script_program(name: str, args: Sequence[str], shell: bool, depth: int) -> str:
    i = 0
    while i < len(args):
        word = args[i]
        if word == "--":
            i += 1
            break
        if shell and word == "-c":
            # sh -c "exec foo --x" runs foo; a script with several commands has no one program.
            if i + 1 < len(args) and not _SHELL_CONTROL.search(args[i + 1]):
                inner = program_of_argv(split_command(args[i + 1]), depth + 1)
                return inner or name
            return name
        if word in _INLINE_CODE_OPTIONS:
            return name
        if word == "-m" and i + 1 < len(args):
            return args[i + 1] or name  # python -m module
        if word == "-jar" and i + 1 < len(args):
            return basename(args[i + 1]) or name
        if not word.startswith("-") or word == "-":
            break
        i += 2 if word in _INTERPRETER_VALUE_OPTIONS else 1
    if i < len(args) and args[i] != "-":
        script = args[i]
        # bash /dev/fd/3, python3 /proc/self/fd/5: a script from a pipe has no useful name.
        if script.startswith(("/dev/fd/", "/proc/")):
            return name
        return basename(script) or name
    return name


def split_command(text: str) -> list[str]:
    """Split an ``Exec`` value or ``sh -c`` string into words.

    The Exec quoting rules (double quotes, backslash escapes of ``"`$\\``) are a subset of POSIX
    shell quoting, which :func:`shlex.split` implements; on an unbalanced quote fall back to
    splitting on blanks rather than lose the entry.
    """
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()
