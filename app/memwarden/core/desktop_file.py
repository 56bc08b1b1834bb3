# SPDX-License-Identifier: GPL-3.0-or-later
"""One ``.desktop`` file: the ``[Desktop Entry]`` keys MemWarden uses (name, icon, Exec, …).

Rules from the freedesktop Desktop Entry Specification 1.5:

* Only ``Type=Application`` entries are apps. ``Name`` is required; ``Name[ll_CC@mod]`` is the
  translation, matched ``ll_CC@mod``, ``ll_CC``, ``ll@mod``, ``ll``.
* Files are UTF-8, ``Key=Value`` lines in ``[Group]`` sections; like GLib's key-file parser we
  reject a file with a line that is none of blank, comment, group or ``key=value`` (or with a key
  before the first group), and skip that file only.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from memwarden.core.command_program import program_of_argv, split_command
from memwarden.core.errors import ParseError

DESKTOP_SUFFIX = ".desktop"


@dataclass(frozen=True, slots=True)
class DesktopEntry:
    """The ``[Desktop Entry]`` keys MemWarden uses from one ``.desktop`` file.

    Attributes:
        desktop_id: The desktop file id, e.g. ``org.mozilla.firefox.desktop``.
        path: The file it came from.
        type: ``Type`` (``Application``, ``Link``, ``Directory``; ``""`` when missing).
        name: ``Name`` in the index's locale, else untranslated (``""`` only for hidden entries).
        icon: ``Icon`` (a theme icon name or an absolute path), if any.
        exec: ``Exec`` with the string escapes undone, if any.
        exec_program: The program ``Exec`` runs, by :func:`program_of_argv`.
        try_exec: ``TryExec``, if any.
        startup_wm_class: ``StartupWMClass``, if any.
        categories: ``Categories`` (e.g. ``("Network", "WebBrowser")``).
        no_display: ``NoDisplay=true``: installed but not shown in menus (still a real app).
        hidden: ``Hidden=true``: deleted (the index treats the id as absent).
        terminal: ``Terminal=true``: runs in a terminal; many unrelated instances are common.
    """

    desktop_id: str
    path: Path
    type: str
    name: str
    icon: str | None
    exec: str | None
    exec_program: str | None
    try_exec: str | None
    startup_wm_class: str | None
    categories: tuple[str, ...]
    no_display: bool
    hidden: bool
    terminal: bool

    @property
    def app_id(self) -> str:
        """The id without ``.desktop`` (what GNOME, flatpak and KDE put in unit names)."""
        return self.desktop_id.removesuffix(DESKTOP_SUFFIX)


# Patterns over "\n" + text + "\n"; "whitespace but not a newline" is [^\S\n].
_GROUP_START = re.compile(r"\n[^\S\n]*\[")
_ENTRY_GROUP = re.compile(r"\n[^\S\n]*\[Desktop Entry\][^\S\n]*(?=\n)")
_KEYS = r"Type|Name|Icon|Exec|TryExec|StartupWMClass|Categories|NoDisplay|Hidden|Terminal"


@functools.lru_cache(maxsize=8)
def _wanted_key_pattern(locale_keys: tuple[str, ...]) -> re.Pattern[str]:
    """The keys we keep, with ``Name[...]`` only for the locale's variants (most of a file is
    other translations, which this never matches)."""
    names = "".join(f"|Name\\[{re.escape(k)}\\]" for k in locale_keys)
    return re.compile(rf"\n[^\S\n]*({_KEYS}{names})[^\S\n]*=([^\n]*)")


_STRING_ESCAPES = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


def _unescape_value(value: str) -> str:
    """Undo the string escapes of the spec (``\\s \\n \\t \\r \\\\``); others are kept as they are
    (``\\;`` in lists, ``\\"`` for Exec quoting)."""
    if "\\" not in value:
        return value
    return _ESCAPE.sub(lambda m: _STRING_ESCAPES.get(m.group(1), m.group(0)), value)


def _locale_keys(locale: str | None) -> list[str]:
    """``Name[...]`` suffixes to try, best first, for a POSIX locale like ``de_DE.UTF-8@euro``."""
    if not locale or locale in ("C", "POSIX") or locale.startswith(("C.", "POSIX.")):
        return []
    rest, _, modifier = locale.partition("@")
    rest = rest.split(".", 1)[0]
    lang, _, country = rest.partition("_")
    if not lang:
        return []
    keys: list[str] = []
    if country and modifier:
        keys.append(f"{lang}_{country}@{modifier}")
    if country:
        keys.append(f"{lang}_{country}")
    if modifier:
        keys.append(f"{lang}@{modifier}")
    keys.append(lang)
    return keys


def _bool(value: str | None) -> bool:
    # "1" is what pre-1.0 files wrote; GLib still accepts it.
    return value is not None and value.strip() in ("true", "1")


def parse_desktop_entry(
    text: str, desktop_id: str, path: Path = Path(), locale: str | None = None
) -> DesktopEntry:
    """Parse the ``[Desktop Entry]`` group of a ``.desktop`` file.

    Args:
        text: The file's text.
        desktop_id: Its desktop file id (the index derives it from the path).
        path: Where it came from (kept for messages).
        locale: POSIX locale for ``Name[...]``; ``None`` keeps the untranslated name.

    Raises:
        ParseError: no ``[Desktop Entry]`` group, a line that is no blank/comment/group/key line
            (GLib rejects such files too), or no ``Name`` in an entry that is not hidden.
    """
    # A Python loop over every line costs more than the rest: a desktop file is mostly
    # translations we skip. So lines are checked in bulk, and the keys are found with one regular
    # expression that starts with a literal "\n" (which the re module scans for quickly).
    for line in [line for line in text.split("\n") if "=" not in line]:
        stripped = line.strip()
        if stripped and stripped[0] != "#" and not (stripped[0] == "[" and stripped[-1] == "]"):
            raise ParseError(f"{desktop_id}: not a key, group or comment: {stripped[:60]!r}")
    padded = "\n" + text + "\n"
    first_group = _GROUP_START.search(padded)
    head = padded if first_group is None else padded[: first_group.start()]
    if any(line.strip()[:1] not in ("", "#") for line in head.split("\n")):
        raise ParseError(f"{desktop_id}: a key before the first group")
    entry = _ENTRY_GROUP.search(padded)
    if entry is None:
        raise ParseError(f"{desktop_id}: no [Desktop Entry] group")
    next_group = _GROUP_START.search(padded, entry.end())
    section = padded[entry.end() : next_group.start() if next_group is not None else None]
    values: dict[str, str] = {}
    for match in _wanted_key_pattern(tuple(_locale_keys(locale))).finditer(section):
        values.setdefault(match.group(1), match.group(2).strip())

    hidden = _bool(values.get("Hidden"))
    name = values.get("Name")
    for locale_key in _locale_keys(locale):
        translated = values.get(f"Name[{locale_key}]")
        if translated:
            name = translated
            break
    if name is None and not hidden:
        raise ParseError(f"{desktop_id}: no Name")
    exec_value = _unescape_value(values["Exec"]) if "Exec" in values else None
    try_exec = _unescape_value(values["TryExec"]) if "TryExec" in values else None
    categories = tuple(c for c in _unescape_value(values.get("Categories", "")).split(";") if c)
    return DesktopEntry(
        desktop_id=desktop_id,
        path=path,
        type=values.get("Type", "").strip(),
        name=_unescape_value(name or "").strip(),
        icon=(_unescape_value(values["Icon"]).strip() or None) if "Icon" in values else None,
        exec=exec_value,
        exec_program=program_of_argv(split_command(exec_value)) if exec_value else None,
        try_exec=try_exec or None,
        startup_wm_class=(_unescape_value(values["StartupWMClass"]).strip() or None)
        if "StartupWMClass" in values
        else None,
        categories=categories,
        no_display=_bool(values.get("NoDisplay")),
        hidden=hidden,
        terminal=_bool(values.get("Terminal")),
    )


def current_locale(env: Mapping[str, str] = os.environ) -> str | None:
    """The messages locale from the environment (``LC_ALL``, ``LC_MESSAGES``, ``LANG``), for
    :meth:`~memwarden.core.desktop_index.DesktopIndex.load`; ``None`` when unset or C/POSIX."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value:
            return None if not _locale_keys(value) else value
    return None
