# SPDX-License-Identifier: GPL-3.0-or-later
""""Start at login": the XDG autostart entry (freedesktop Desktop Application Autostart spec).

Enabled means ``$XDG_CONFIG_HOME/autostart/io.github.memwarden.MemWarden.desktop`` exists and is
not ``Hidden=true``; or, with no such file, that a system-wide entry in ``$XDG_CONFIG_DIRS``
(``/etc/xdg/autostart``, a package's) exists and is not hidden. Disabling removes our file, and
when a system-wide entry would still start the tray, writes a user file with ``Hidden=true``,
which the spec says overrides it. No Qt here.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

DESKTOP_ID = "io.github.memwarden.MemWarden"
FILE_NAME = f"{DESKTOP_ID}.desktop"


def user_dir() -> Path:
    """``$XDG_CONFIG_HOME/autostart``."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "autostart"


def system_dirs() -> list[Path]:
    """``$XDG_CONFIG_DIRS/*/autostart``."""
    dirs = os.environ.get("XDG_CONFIG_DIRS") or "/etc/xdg"
    return [Path(d) / "autostart" for d in dirs.split(":") if d]


def _hidden(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return True
    in_entry = False
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("["):
            in_entry = line == "[Desktop Entry]"
        elif in_entry and line.partition("=")[0].strip() == "Hidden":
            return line.partition("=")[2].strip().lower() == "true"
    return False


def _system_entry() -> Path | None:
    for directory in system_dirs():
        path = directory / FILE_NAME
        if path.is_file():
            return path
    return None


def is_enabled() -> bool:
    """Whether the tray starts at login."""
    user = user_dir() / FILE_NAME
    if user.exists():
        return not _hidden(user)
    system = _system_entry()
    return system is not None and not _hidden(system)


def exec_line() -> str:
    """The command of the entry: ``memwarden`` when it is on PATH, else this interpreter."""
    found = shutil.which("memwarden")
    if found:
        return shlex.quote(found)
    return f"{shlex.quote(sys.executable)} -m memwarden"


def entry_text() -> str:
    """The autostart entry."""
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=MemWarden\n"
        "Comment=Warns before the system runs out of memory and lets you choose what to close\n"
        f"Exec={exec_line()}\n"
        f"Icon={DESKTOP_ID}\n"
        "Terminal=false\n"
        "Categories=System;Monitor;\n"
        "X-GNOME-Autostart-enabled=true\n"
        "X-KDE-autostart-phase=2\n"
    )


def set_enabled(enabled: bool) -> None:
    """Write or remove the entry (raises OSError when the config directory is not writable)."""
    path = user_dir() / FILE_NAME
    if enabled:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(entry_text(), encoding="utf-8")
        tmp.replace(path)
        return
    path.unlink(missing_ok=True)
    system = _system_entry()
    if system is not None and not _hidden(system):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("[Desktop Entry]\nType=Application\nName=MemWarden\nHidden=true\n",
                        encoding="utf-8")
