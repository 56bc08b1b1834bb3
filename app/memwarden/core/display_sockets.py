# SPDX-License-Identifier: GPL-3.0-or-later
"""The sockets a display server listens on, and how to recognise them in ``/proc/net/unix``.

The compositor (Wayland) or the X server of a session is the process that listens on
``$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY`` or ``/tmp/.X11-unix/X<n>`` (Linux X servers also listen on
the abstract ``@/tmp/.X11-unix/X<n>``). ``/proc/net/unix`` lists every Unix socket of the network
namespace with its inode; a process holds the listening one as an fd whose link reads
``socket:[<inode>]`` (the scanner matches them).

``/proc/net/unix`` (net/unix/af_unix.c ``unix_seq_show``), one line per socket::

    Num       RefCount Protocol Flags    Type St Inode Path
    0000000000000000: 00000002 00000000 00010000 0001 01 24310 /run/user/1000/wayland-0

``Flags`` ``00010000`` is ``__SO_ACCEPTCON``: the socket listens. The path is absent for unnamed
sockets and starts with ``@`` for abstract ones.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from memwarden.core.errors import CoreError, translate_os_errors

_SO_ACCEPTCON = 0x10000
X11_SOCKET_DIR = "/tmp/.X11-unix/"


def display_socket_paths(env: Mapping[str, str] = os.environ) -> tuple[str, ...]:
    """The socket paths of this session's display server, from its environment.

    ``WAYLAND_DISPLAY`` is a name in ``XDG_RUNTIME_DIR`` or an absolute path; ``DISPLAY`` ``:N``
    (or ``:N.S``, ``unix:N``) is ``/tmp/.X11-unix/XN``. Without them (a monitor started by D-Bus
    activation before the session exported them), every ``wayland-*`` socket of our runtime
    directory and every X socket counts; entries ending in ``*`` are such prefixes.
    """
    paths: list[str] = []
    runtime = env.get("XDG_RUNTIME_DIR") or f"/run/user/{os.getuid()}"
    wayland = env.get("WAYLAND_DISPLAY", "")
    if wayland:
        paths.append(wayland if wayland.startswith("/") else f"{runtime.rstrip('/')}/{wayland}")
    display = env.get("DISPLAY", "")
    host, sep, number = display.rpartition(":")
    number = number.split(".", 1)[0]
    if sep and host in ("", "unix") and number.isdigit():
        paths.append(f"{X11_SOCKET_DIR}X{number}")
    if not wayland and not paths:
        paths += [f"{runtime.rstrip('/')}/wayland-*", f"{X11_SOCKET_DIR}X*"]
    return tuple(paths)


def _matches(path: str, wanted: Iterable[str]) -> bool:
    path = path.removeprefix("@")  # the abstract twin of an X socket
    for want in wanted:
        if want.endswith("*"):
            if path.startswith(want[:-1]):
                return True
        elif path == want:
            return True
    return False


def parse_listening_inodes(text: str, wanted: Iterable[str]) -> frozenset[int]:
    """Inodes of the listening sockets in ``/proc/net/unix`` text whose path is ``wanted``.

    Lines that do not parse are skipped: one odd line must not blind the guard to the rest.
    """
    wanted = tuple(wanted)
    found: set[int] = set()
    for line in text.split("\n")[1:]:
        fields = line.split(None, 7)
        if len(fields) < 8:
            continue  # unnamed socket (no path) or the end
        try:
            flags, inode = int(fields[3], 16), int(fields[6])
        except ValueError:
            continue
        if flags & _SO_ACCEPTCON and _matches(fields[7], wanted):
            found.add(inode)
    return frozenset(found)


def read_listening_inodes(proc_root: Path, wanted: Iterable[str]) -> frozenset[int]:
    """:func:`parse_listening_inodes` of ``<proc_root>/net/unix`` (empty when it is missing)."""
    try:
        with translate_os_errors(), open(f"{proc_root}/net/unix", "rb") as f:
            text = f.read().decode(errors="surrogateescape")
    except CoreError:  # no /proc/net (a recorded tree): no display facts this scan
        return frozenset()
    return parse_listening_inodes(text, wanted)


def socket_inode(link: str) -> int | None:
    """The inode of an fd link ``socket:[12345]``, or None."""
    if link.startswith("socket:[") and link.endswith("]"):
        digits = link[8:-1]
        return int(digits) if digits.isdigit() else None
    return None
