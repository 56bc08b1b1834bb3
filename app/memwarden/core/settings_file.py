# SPDX-License-Identifier: GPL-3.0-or-later
"""The settings as a TOML document: reading (with the file's format version) and writing.

The file says which format it is in (``version = 2``, before the tables). A file without it is
version 0, the format before versions were written: the same tables and keys as version 1, so it
reads as it always did. Version 2 adds the ``[actions]`` table (``pause_growing``); a version-1 file
has none, so it reads with the defaults there (pausing on). The monitor writes an older file back
in the current format with the same values. A version newer than :data:`FORMAT_VERSION` was
written by a newer MemWarden: it is refused with a sentence that says so (the monitor keeps it as a
backup and uses the defaults, as for any file it cannot use).

Why a new table is a new version: a reader refuses a table or key it does not know (a typo must
not pass for a setting), so an older MemWarden cannot use a file that has ``[actions]``; the
version makes it say "written by a newer MemWarden" instead of "unknown table".

A later format adds a step to :data:`_MIGRATIONS` (version N -> N + 1, on the parsed document),
so that every older file still reads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from memwarden.core.settings import (
    APPS_TABLE,
    BY_KEY,
    SETTINGS,
    SWITCH,
    TABLES,
    Settings,
    SettingsError,
    Value,
    check_names,
    check_value,
    check_whole,
)

#: The format this MemWarden writes, and the newest it reads.
FORMAT_VERSION: Final = 2
VERSION_KEY: Final = "version"

Document = dict[str, Any]


def _from_version_0(doc: Document) -> Document:
    # Version 0 is version 1 without the version key: nothing to change.
    return doc


def _from_version_1(doc: Document) -> Document:
    # Version 2 adds [actions]; without it its settings are the defaults: nothing to change.
    return doc


#: version -> the step that turns a document of that version into one of the next.
_MIGRATIONS: Final[dict[int, Callable[[Document], Document]]] = {
    0: _from_version_0,
    1: _from_version_1,
}


def document_version(doc: Mapping[str, object]) -> int:
    """The format version a parsed file says it has (0 when it says none).

    Raises:
        SettingsError: ``bad-version`` (not a whole number >= 0) or ``newer-version``.
    """
    version = doc.get(VERSION_KEY, 0)
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise SettingsError(
            "bad-version", VERSION_KEY,
            f"version = {version!r} is not a format version (this MemWarden writes "
            f"version = {FORMAT_VERSION})",
        )  # fmt: skip
    if version > FORMAT_VERSION:
        raise SettingsError(
            "newer-version", VERSION_KEY,
            f"version = {version}: the file was written by a newer MemWarden, and this one reads "
            f"versions up to {FORMAT_VERSION}",
        )  # fmt: skip
    return version


def migrate(doc: Mapping[str, object]) -> Document:
    """The document in the current format (:data:`FORMAT_VERSION`).

    Raises:
        SettingsError: See :func:`document_version`.
    """
    version = document_version(doc)
    current: Document = {k: v for k, v in doc.items() if k != VERSION_KEY}
    while version < FORMAT_VERSION:
        current = _MIGRATIONS[version](current)
        version += 1
    return current


def settings_from_document(doc: Mapping[str, object]) -> tuple[Settings, int]:
    """Validate a parsed TOML document; returns the settings and the version the file had.

    Raises:
        SettingsError: A bad or newer version, an unknown table or key, a wrong type, a value
            out of range or that would always hold, percentages out of order
            (kill <= close <= warn), a bad rule list.
    """
    version = document_version(doc)
    values: dict[str, Value | None] = {}
    names: dict[str, tuple[str, ...]] = {}
    for table, content in migrate(doc).items():
        if table == APPS_TABLE:
            if not isinstance(content, dict):
                raise SettingsError("bad-names", table, "[apps] must be a table")
            names.update({key: check_names(key, value) for key, value in content.items()})
            continue
        if table not in TABLES or not isinstance(content, dict):
            raise SettingsError("unknown-table", table, f"unknown table [{table}]")
        for key, value in content.items():
            row = BY_KEY.get(key)
            if row is None or row.table != table:
                raise SettingsError("unknown-setting", key, f"[{table}] unknown key {key!r}")
            values[key] = check_value(row, value)
    settings = Settings(protect=names.get("protect", ()), prefer=names.get("prefer", ()))
    settings = settings.with_values(values)
    check_whole(settings)
    return settings, version


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'


def _toml_names(names: tuple[str, ...]) -> str:
    return "[" + ", ".join(_toml_string(n) for n in names) + "]"


def _toml_value(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)  # 15.0 stays 15.0: the file says which values take a fraction


_HEADER = (
    "# MemWarden monitor settings. The monitor keeps this file: the tray's settings page changes",
    "# it through the monitor. Edit it freely too: the monitor re-reads it when it changes. An",
    "# invalid file is moved aside (config.toml.invalid-*) and defaults are used.",
)
_TABLE_NOTES = {
    "thresholds": (
        "# Memory left is MemAvailable + free swap; a share (%) is of RAM + swap. A commented",
        "# line shows a default. Each key is also a flag of 'memwarden monitor' (close_mib:",
        "# --close-mib), which wins over this file while the monitor runs.",
    ),
    "actions": (
        "# What MemWarden does when it would close an app: true or false. Each key is also a",
        "# flag of 'memwarden monitor' (pause_growing: --pause-growing, --no-pause-growing).",
    ),
}


def settings_to_toml(settings: Settings) -> str:
    """The file text for ``settings``, with a comment for each setting from the table.

    A setting at its default is written as a comment (a later default then applies), except the
    percentages and the switches, which are always written: they are what a person edits first,
    and a switch written out says which way it is.
    """
    lines = [*_HEADER, "", f"{VERSION_KEY} = {FORMAT_VERSION}"]
    for table in TABLES:
        lines += ["", f"[{table}]", *_TABLE_NOTES.get(table, ())]
        for row in SETTINGS:
            if row.table != table:
                continue
            value = settings.value(row.key)
            accepted = ", ".join(filter(None, (row.unit, row.bounds())))
            lines.append(f"# {row.description} ({accepted}; default {row.default_text()})")
            if value is None:
                lines.append(f"# {row.key} = <{row.unit}>")
            elif value != row.default or row.unit == "%" or row.kind == SWITCH:
                lines.append(f"{row.key} = {_toml_value(value)}")
            else:
                lines.append(f"# {row.key} = {_toml_value(value)}")
    lines += [
        "",
        f"[{APPS_TABLE}]",
        "# Names match an app's id or name, or a process name (comm or executable).",
        "# protect: never closed by MemWarden (and the kernel is told, when the helper is",
        "# installed); prefer: closed first when memory runs out.",
        f"protect = {_toml_names(settings.protect)}",
        f"prefer = {_toml_names(settings.prefer)}",
        "",
    ]
    return "\n".join(lines)
